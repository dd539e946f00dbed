// A logged-in administrator's client: the saved session (session.h) and the server API
// (server_api.h), with the access token kept fresh.
//
// Before a call, a token that expires within a minute is renewed: with the refresh token after a
// password login, or, after an API-key login (which issues none), with BW_CLIENTID and
// BW_CLIENTSECRET when they are set. The renewed tokens are written back to the session file.
// When neither is possible the command fails with "log in again".
#ifndef KEYWARDEN_CLI_ADMIN_ADMIN_CLIENT_H_
#define KEYWARDEN_CLI_ADMIN_ADMIN_CLIENT_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "cli/admin/server_api.h"
#include "cli/admin/session.h"
#include "keywarden/status.h"

namespace keywarden::cli::admin {

class AdminClient {
 public:
  // Loads the session at `session_path`. `server` (when not empty) must be the session's server:
  // a session is never sent to another one.
  static Result<AdminClient> Open(const std::string& session_path, const std::string& server);

  const Session& session() const { return session_; }
  const ServerApi& api() const { return api_; }

  Result<nlohmann::json> Get(std::string_view path) { return Call("GET", path, nullptr); }
  Result<nlohmann::json> Post(std::string_view path, const nlohmann::json& body) { return Call("POST", path, body); }
  Result<nlohmann::json> Put(std::string_view path, const nlohmann::json& body) { return Call("PUT", path, body); }
  Result<nlohmann::json> Delete(std::string_view path) { return Call("DELETE", path, nullptr); }
  Result<nlohmann::json> Call(std::string_view method, std::string_view path, const nlohmann::json& body);

 private:
  AdminClient(std::string path, Session session);
  Status EnsureFreshToken();

  std::string path_;
  Session session_;
  ServerApi api_;
};

// The claims of a JWT (its payload), without checking the signature: the client reads its own
// token's `sub`, `email` and `exp`, as the official clients do.
Result<nlohmann::json> JwtClaims(std::string_view token);

// Fills the session's tokens (and user id, e-mail, expiry) from a token response.
Status ApplyTokenResponse(const nlohmann::json& response, Session& session);

// The device fields every grant carries (the server requires them).
FormFields DeviceFields(const Session& session);

}  // namespace keywarden::cli::admin

#endif  // KEYWARDEN_CLI_ADMIN_ADMIN_CLIENT_H_
