// The request bodies of the auth request routes (member-decryption.md 2.2, 3.1), checked as the
// reference's models bind them; errors are field errors (api/field_error.h) named as the
// reference names the fields.
#ifndef KEYWARDEN_SERVER_AUTH_REQUESTS_AUTH_REQUEST_BODIES_H_
#define KEYWARDEN_SERVER_AUTH_REQUESTS_AUTH_REQUEST_BODIES_H_

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "keywarden/status.h"
#include "server/auth_requests/auth_request_store.h"

namespace keywarden::server::auth_requests {

// POST /api/auth-requests and .../admin-request: {email, publicKey (SPKI, base64),
// deviceIdentifier (at most 50 characters), accessCode (at most 25), type (0, 1 or 2)}, all
// required.
struct CreateAuthRequestBody {
  std::string email;  // normalised
  std::string public_key;
  std::string device_identifier;
  std::string access_code;
  AuthRequestType type = AuthRequestType::kAuthenticateAndUnlock;
};
Result<CreateAuthRequestBody> ParseCreateAuthRequest(const nlohmann::json& body);

// PUT /api/auth-requests/{id}: {key, masterPasswordHash, deviceIdentifier (required),
// requestApproved (required)}. An approval needs `key`, the user key encapsulated to the request's
// public key ("4.<base64>"); a denial's keys are ignored.
struct AnswerAuthRequestBody {
  std::string key;
  std::string master_password_hash;
  std::string device_identifier;
  bool approved = false;
};
Result<AnswerAuthRequestBody> ParseAnswerAuthRequest(const nlohmann::json& body);

// POST /api/organizations/{orgId}/auth-requests/{id}: {requestApproved (required),
// encryptedUserKey}, an approval needing the key as above.
struct AdminAnswerBody {
  bool approved = false;
  std::string encrypted_user_key;
};
Result<AdminAnswerBody> ParseAdminAnswer(const nlohmann::json& body);

// POST /api/organizations/{orgId}/auth-requests: [{id, approved, key}, ...] (at most 500). An
// approval without a key is kept with an empty key: the reference skips it.
struct BulkAnswer {
  std::string id;
  bool approved = false;
  std::string key;
};
Result<std::vector<BulkAnswer>> ParseBulkAnswers(std::string_view body);

}  // namespace keywarden::server::auth_requests

#endif  // KEYWARDEN_SERVER_AUTH_REQUESTS_AUTH_REQUEST_BODIES_H_
