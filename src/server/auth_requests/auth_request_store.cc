#include "server/auth_requests/auth_request_store.h"

#include <cstdint>
#include <utility>

namespace keywarden::server::auth_requests {
namespace {

#define KW_AUTH_REQUEST_COLUMNS                                                                            \
  "ar.id, ar.user_id, ar.organization_id, ar.type, ar.request_device_identifier, ar.request_device_type, " \
  "ar.request_ip_address, ar.request_country_name, ar.response_device_id, ar.access_code, ar.public_key, " \
  "ar.encrypted_key, ar.master_password_hash, ar.approved, ar.creation_date, ar.response_date, "           \
  "ar.authentication_date"
constexpr std::size_t kColumns = 17;

// Empty strings are stored as NULL (NULLIF), so that "not set" has one form.
constexpr sql::Statement kInsert = {
    "server_insert_auth_request",
    "INSERT INTO auth_requests(id, user_id, organization_id, type, request_device_identifier, request_device_type, "
    "request_ip_address, request_country_name, access_code, public_key, creation_date) "
    "VALUES ($1, $2, NULLIF($3, ''), $4, $5, $6, NULLIF($7, ''), NULLIF($8, ''), $9, $10, $11)",
    nullptr, nullptr, "to store an auth request"};
constexpr sql::Statement kFind = {"server_find_auth_request",
                                  "SELECT " KW_AUTH_REQUEST_COLUMNS " FROM auth_requests ar WHERE ar.id = $1", nullptr,
                                  nullptr, "to read an auth request"};
constexpr sql::Statement kListOfUser = {"server_list_auth_requests",
                                        "SELECT " KW_AUTH_REQUEST_COLUMNS
                                        " FROM auth_requests ar WHERE ar.user_id = $1 ORDER BY ar.creation_date, ar.id",
                                        nullptr, nullptr, "to list auth requests"};
constexpr sql::Statement kPendingOfOrganization = {
    "server_list_organization_auth_requests",
    "SELECT " KW_AUTH_REQUEST_COLUMNS
    ", ou.id, u.email FROM auth_requests ar "
    "JOIN users u ON u.id = ar.user_id "
    "JOIN organization_users ou ON ou.organization_id = ar.organization_id AND ou.user_id = ar.user_id "
    "WHERE ar.organization_id = $1 AND ar.type = 2 AND ar.response_date IS NULL "
    "ORDER BY ar.creation_date, ar.id",
    nullptr, nullptr, "to list an organization's auth requests"};
constexpr sql::Statement kAnswer = {
    "server_answer_auth_request",
    "UPDATE auth_requests SET approved = $2, encrypted_key = NULLIF($3, ''), master_password_hash = NULLIF($4, ''), "
    "response_device_id = NULLIF($5, ''), response_date = $6 WHERE id = $1 AND approved IS NULL",
    nullptr, nullptr, "to answer an auth request"};
constexpr sql::Statement kAuthenticated = {
    "server_use_auth_request",
    "UPDATE auth_requests SET authentication_date = $2 WHERE id = $1 AND authentication_date IS NULL", nullptr, nullptr,
    "to mark an auth request used"};
constexpr sql::Statement kDeleteExpired = {
    "server_expire_auth_requests",
    "DELETE FROM auth_requests WHERE (type <> 2 AND creation_date < $1) "
    "OR (type = 2 AND (approved IS NULL OR approved = 0) AND creation_date < $2) "
    "OR (type = 2 AND approved = 1 AND response_date < $3)",
    nullptr, nullptr, "to drop expired auth requests"};

#undef KW_AUTH_REQUEST_COLUMNS

Result<AuthRequest> ReadRow(const sql::Rows& rows, std::size_t i) {
  AuthRequest r;
  r.id = rows.Text(i, 0);
  r.user_id = rows.Text(i, 1);
  r.organization_id = rows.Text(i, 2);
  KW_ASSIGN_OR_RETURN(const std::int64_t type, rows.Int(i, 3));
  r.type = static_cast<AuthRequestType>(type);
  r.request_device_identifier = rows.Text(i, 4);
  KW_ASSIGN_OR_RETURN(const std::int64_t device_type, rows.Int(i, 5));
  r.request_device_type = static_cast<int>(device_type);
  r.request_ip_address = rows.Text(i, 6);
  r.request_country_name = rows.Text(i, 7);
  r.response_device_id = rows.Text(i, 8);
  r.access_code = rows.Text(i, 9);
  r.public_key = rows.Text(i, 10);
  r.key = rows.Text(i, 11);
  r.master_password_hash = rows.Text(i, 12);
  if (const auto approved = rows.OptionalInt(i, 13)) r.approved = *approved != 0;
  KW_ASSIGN_OR_RETURN(r.creation_date, rows.Int(i, 14));
  r.response_date = rows.OptionalInt(i, 15);
  r.authentication_date = rows.OptionalInt(i, 16);
  return r;
}

}  // namespace

Status InsertAuthRequest(sql::Session& session, const AuthRequest& r) {
  sql::Params p;
  p.Text(r.id).Text(r.user_id).Text(r.organization_id).Int(static_cast<int>(r.type)).Text(r.request_device_identifier);
  p.Int(r.request_device_type).Text(r.request_ip_address).Text(r.request_country_name).Text(r.access_code);
  p.Text(r.public_key).Int(r.creation_date);
  return session.Execute(kInsert, p).status();
}

Result<std::optional<AuthRequest>> FindAuthRequest(sql::Session& session, std::string_view id) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kFind, sql::Params().Text(id)));
  if (rows.empty()) return std::optional<AuthRequest>();
  KW_ASSIGN_OR_RETURN(AuthRequest r, ReadRow(rows, 0));
  return std::optional<AuthRequest>(std::move(r));
}

Result<std::vector<AuthRequest>> ListAuthRequestsOf(sql::Session& session, std::string_view user_id) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kListOfUser, sql::Params().Text(user_id)));
  std::vector<AuthRequest> out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    KW_ASSIGN_OR_RETURN(AuthRequest r, ReadRow(rows, i));
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<OrganizationAuthRequest>> ListPendingOfOrganization(sql::Session& session,
                                                                       std::string_view organization_id) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kPendingOfOrganization, sql::Params().Text(organization_id)));
  std::vector<OrganizationAuthRequest> out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    KW_ASSIGN_OR_RETURN(AuthRequest r, ReadRow(rows, i));
    out.push_back({std::move(r), rows.Text(i, kColumns), rows.Text(i, kColumns + 1)});
  }
  return out;
}

Result<bool> StoreAnswer(sql::Session& session, const AuthRequest& r) {
  sql::Params p;
  p.Text(r.id).Int(r.approved.value_or(false) ? 1 : 0).Text(r.key).Text(r.master_password_hash);
  p.Text(r.response_device_id).Int(r.response_date);
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kAnswer, p));
  return rows.affected() == 1;
}

Result<bool> MarkAuthenticated(sql::Session& session, std::string_view id, TimeMs now) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kAuthenticated, sql::Params().Text(id).Int(now)));
  return rows.affected() == 1;
}

Status DeleteExpiredAuthRequests(sql::Session& session, TimeMs now, TimeMs user_lifetime, TimeMs admin_lifetime,
                                 TimeMs after_approval) {
  return session
      .Execute(kDeleteExpired,
               sql::Params().Int(now - user_lifetime).Int(now - admin_lifetime).Int(now - after_approval))
      .status();
}

}  // namespace keywarden::server::auth_requests
