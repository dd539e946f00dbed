// The admin command line's saved login: which server, whose account, and the tokens to call it.
//
// What is kept is what a second command needs to reach the server and to re-derive keys from the
// password typed again: the server URL (and the CA file that vouches for it), the e-mail, the KDF
// settings and salt, the access and refresh tokens, the device identifier the login used. Never
// a key: the user key and private key exist only in the memory of a command that needed them.
// The file is written with mode 0600, replaced atomically (a temporary file renamed over it).
#ifndef KEYWARDEN_CLI_ADMIN_SESSION_H_
#define KEYWARDEN_CLI_ADMIN_SESSION_H_

#include <cstdint>
#include <optional>
#include <string>

#include "keywarden/crypto/kdf.h"
#include "keywarden/status.h"

namespace keywarden::cli::admin {

struct Session {
  std::string server;   // "https://host[:port]" with no trailing '/'
  std::string ca_file;  // PEM trust anchors for the server; empty: the system store
  std::string email;
  std::string user_id;
  std::optional<KdfConfig> kdf;
  std::string salt;       // the KDF salt (the normalised e-mail unless the server says otherwise)
  std::string client_id;  // "cli", or "user.<id>" after an API-key login
  std::string device_identifier;
  std::string access_token;
  std::string refresh_token;              // empty after an API-key login (none is issued)
  std::int64_t access_token_expires = 0;  // seconds since the epoch, from the token's `exp`

  bool logged_in() const { return !access_token.empty(); }
};

// $XDG_CONFIG_HOME/keywarden/admin-session.json, or ~/.config/keywarden/admin-session.json.
Result<std::string> DefaultSessionPath();

// kNotFound when there is no file; kInvalidArgument when it is not a session.
Result<Session> LoadSession(const std::string& path);
// Creates the folder (0700) when missing; the file is 0600.
Status SaveSession(const std::string& path, const Session& session);
// OK when there was nothing to remove.
Status RemoveSession(const std::string& path);

}  // namespace keywarden::cli::admin

#endif  // KEYWARDEN_CLI_ADMIN_SESSION_H_
