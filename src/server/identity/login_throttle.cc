#include "server/identity/login_throttle.h"

#include <algorithm>

namespace keywarden::server {
namespace {

TimeMs ToMs(TimePoint t) { return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count(); }

std::string AccountSubject(std::string_view email) { return "account:" + std::string(email); }
std::string AddressSubject(std::string_view address) { return "address:" + std::string(address); }

constexpr sql::Statement kRead = {"server_read_login_failures",
                                  "SELECT failures, window_start, blocked_until FROM login_failures WHERE subject = $1",
                                  nullptr, nullptr, "to read login failures"};
// Reads a subject's counts for an update, creating its row if need be: the upsert takes the
// row's lock (PostgreSQL; SQLite has one writer), so that failures counted at once, at one
// instance or several, wait for each other instead of each adding one to the same old count.
constexpr sql::Statement kReadForUpdate = {
    "server_lock_login_failures",
    "INSERT INTO login_failures(subject, failures, window_start, blocked_until) VALUES ($1, 0, $2, 0) "
    "ON CONFLICT (subject) DO UPDATE SET failures = login_failures.failures "
    "RETURNING failures, window_start, blocked_until",
    nullptr, nullptr, "to read login failures"};
constexpr sql::Statement kUpsert = {
    "server_write_login_failures",
    "INSERT INTO login_failures(subject, failures, window_start, blocked_until) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (subject) DO UPDATE SET failures = $2, window_start = $3, blocked_until = $4",
    nullptr, nullptr, "to count a failed login"};
constexpr sql::Statement kClear = {"server_clear_login_failures", "DELETE FROM login_failures WHERE subject = $1",
                                   nullptr, nullptr, "to clear failed logins"};

Status Count(sql::Session& session, const std::string& subject, std::uint32_t limit, const LoginThrottlePolicy& policy,
             TimeMs now) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kReadForUpdate, sql::Params().Text(subject).Int(now)));
  std::int64_t failures = 0;
  TimeMs window_start = now;
  if (!rows.empty()) {
    KW_ASSIGN_OR_RETURN(failures, rows.Int(0, 0));
    KW_ASSIGN_OR_RETURN(window_start, rows.Int(0, 1));
    const TimeMs window_ms = std::chrono::duration_cast<std::chrono::milliseconds>(policy.window).count();
    if (now - window_start > window_ms) {
      failures = 0;
      window_start = now;
    }
  }
  ++failures;
  TimeMs blocked_until = 0;
  if (failures >= limit) {
    blocked_until = now + std::chrono::duration_cast<std::chrono::milliseconds>(policy.block).count();
    failures = 0;  // a new window starts after the pause
    window_start = blocked_until;
  }
  return session.Execute(kUpsert, sql::Params().Text(subject).Int(failures).Int(window_start).Int(blocked_until))
      .status();
}

}  // namespace

Result<std::optional<std::chrono::seconds>> LoginThrottle::Check(std::string_view email, std::string_view address,
                                                                 TimePoint now) const {
  const TimeMs now_ms = ToMs(now);
  TimeMs until = 0;
  if (Status done = database_.Read([&](sql::Session& session) -> Status {
        until = 0;
        for (const std::string& subject : {AccountSubject(email), AddressSubject(address)}) {
          KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kRead, sql::Params().Text(subject)));
          if (rows.empty()) continue;
          KW_ASSIGN_OR_RETURN(TimeMs blocked_until, rows.Int(0, 2));
          until = std::max(until, blocked_until);
        }
        return OkStatus();
      });
      !done.ok())
    return done;
  if (until <= now_ms) return std::optional<std::chrono::seconds>();
  return std::optional<std::chrono::seconds>(std::chrono::seconds((until - now_ms + 999) / 1000));
}

Status LoginThrottle::RecordFailure(std::string_view email, std::string_view address, TimePoint now) const {
  const TimeMs now_ms = ToMs(now);
  return database_.Transact([&](sql::Session& session) -> Status {
    KW_RETURN_IF_ERROR(Count(session, AccountSubject(email), policy_.max_failures_per_account, policy_, now_ms));
    return Count(session, AddressSubject(address), policy_.max_failures_per_address, policy_, now_ms);
  });
}

Status LoginThrottle::RecordSuccess(std::string_view email) const {
  return database_.Transact([&](sql::Session& session) {
    return session.Execute(kClear, sql::Params().Text(AccountSubject(email))).status();
  });
}

}  // namespace keywarden::server
