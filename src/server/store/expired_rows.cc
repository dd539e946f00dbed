#include "server/store/expired_rows.h"

#include "server/auth_requests/auth_request_rules.h"
#include "server/auth_requests/auth_request_store.h"

namespace keywarden::server::store {
namespace {

constexpr sql::Statement kByExpiry[] = {
    {"server_expire_refresh_tokens", "DELETE FROM refresh_tokens WHERE expiration_date < $1", nullptr, nullptr,
     "to drop expired sessions"},
    {"server_expire_remembered", "DELETE FROM two_factor_remembered WHERE expiration_date < $1", nullptr, nullptr,
     "to drop expired remembered devices"},
    {"server_expire_codes", "DELETE FROM one_time_codes WHERE expiration_date < $1", nullptr, nullptr,
     "to drop expired codes"},
    {"server_expire_email_tokens", "DELETE FROM email_tokens WHERE expiration_date < $1", nullptr, nullptr,
     "to drop expired verification tokens"},
};
constexpr sql::Statement kOldFailures = {"server_expire_login_failures",
                                         "DELETE FROM login_failures WHERE blocked_until < $1 AND window_start < $2",
                                         nullptr, nullptr, "to drop old login failures"};

}  // namespace

Status DeleteExpiredRows(sql::Session& session, TimeMs now, TimeMs failure_window_ms) {
  for (const sql::Statement& statement : kByExpiry) {
    KW_RETURN_IF_ERROR(session.Execute(statement, sql::Params().Int(now)).status());
  }
  KW_RETURN_IF_ERROR(auth_requests::DeleteExpiredAuthRequests(session, now, auth_requests::kUserRequestLifetimeMs,
                                                              auth_requests::kAdminRequestLifetimeMs,
                                                              auth_requests::kAfterAdminApprovalMs));
  return session.Execute(kOldFailures, sql::Params().Int(now).Int(now - failure_window_ms)).status();
}

}  // namespace keywarden::server::store
