// The auth_requests table (schema V009): requests for the user key from a device that is
// logging in or unlocking (member-decryption.md 2.1). Functions run inside a unit of work; the
// rules about who may answer what, and when a request expires, are auth_request_rules.h's.
#ifndef KEYWARDEN_SERVER_AUTH_REQUESTS_AUTH_REQUEST_STORE_H_
#define KEYWARDEN_SERVER_AUTH_REQUESTS_AUTH_REQUEST_STORE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"
#include "keywarden/status.h"
#include "sql/database.h"

namespace keywarden::server::auth_requests {

// The reference's AuthRequestType.
enum class AuthRequestType { kAuthenticateAndUnlock = 0, kUnlock = 1, kAdminApproval = 2 };

struct AuthRequest {
  std::string id;
  std::string user_id;
  std::string organization_id;  // admin approval requests only
  AuthRequestType type = AuthRequestType::kAuthenticateAndUnlock;
  std::string request_device_identifier;
  int request_device_type = 0;
  std::string request_ip_address;
  std::string request_country_name;
  std::string response_device_id;
  std::string access_code;  // the requester's secret for reading the answer and logging in
  std::string public_key;   // SPKI, base64: the approver encapsulates the key to it
  std::string key;          // set when approved
  std::string master_password_hash;
  std::optional<bool> approved;  // nullopt while unanswered
  TimeMs creation_date = 0;
  std::optional<TimeMs> response_date;
  std::optional<TimeMs> authentication_date;

  bool answered() const { return approved.has_value(); }
};

// An admin approval request with the member it comes from, for the organisation's list.
struct OrganizationAuthRequest {
  AuthRequest request;
  std::string organization_user_id;
  std::string email;
};

Status InsertAuthRequest(sql::Session& session, const AuthRequest& request);
Result<std::optional<AuthRequest>> FindAuthRequest(sql::Session& session, std::string_view id);
// Every request of the user, any type and state, oldest first.
Result<std::vector<AuthRequest>> ListAuthRequestsOf(sql::Session& session, std::string_view user_id);
// The organisation's unanswered admin approval requests, oldest first, whatever their age (as the
// reference lists them).
Result<std::vector<OrganizationAuthRequest>> ListPendingOfOrganization(sql::Session& session,
                                                                       std::string_view organization_id);

// Records the answer (approved, key, master_password_hash, response_device_id, response_date)
// if the request is still unanswered: false when another answer came first, which stays.
Result<bool> StoreAnswer(sql::Session& session, const AuthRequest& answered);
// Marks the request used for a login, once: false when it already was.
Result<bool> MarkAuthenticated(sql::Session& session, std::string_view id, TimeMs now);

// Deletes what can no longer be used (the reference's AuthRequest_DeleteIfExpired): device
// requests older than `user_lifetime`, admin requests unapproved after `admin_lifetime` and
// approved ones `after_approval` after their approval.
Status DeleteExpiredAuthRequests(sql::Session& session, TimeMs now, TimeMs user_lifetime, TimeMs admin_lifetime,
                                 TimeMs after_approval);

}  // namespace keywarden::server::auth_requests

#endif  // KEYWARDEN_SERVER_AUTH_REQUESTS_AUTH_REQUEST_STORE_H_
