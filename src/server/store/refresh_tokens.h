// Refresh tokens, stored as SHA-256 hashes only, in families: every refresh rotates the token
// (the used one is marked, not deleted, with the time of its use), and a token used a second time
// revokes its whole family, since one of the two users of it is a thief (unless the second use
// follows the first within the token endpoint's grace: see server/identity/token_endpoint.h).
#ifndef KEYWARDEN_SERVER_STORE_REFRESH_TOKENS_H_
#define KEYWARDEN_SERVER_STORE_REFRESH_TOKENS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"
#include "keywarden/status.h"
#include "sql/database.h"

namespace keywarden::server::store {

struct RefreshToken {
  std::vector<std::uint8_t> token_hash;  // SHA-256 of the token's text
  std::string family_id;
  std::string user_id;
  std::string device_id;
  std::string client_id;
  std::string security_stamp;  // the user's when issued
  TimeMs creation_date = 0;
  TimeMs expiration_date = 0;
  std::optional<TimeMs> used_date;
};

Status InsertRefreshToken(sql::Session& session, const RefreshToken& token);
Result<std::optional<RefreshToken>> FindRefreshToken(sql::Session& session, std::span<const std::uint8_t> token_hash);
// Marks the token used at `now`; false when another request used it first (a race is a reuse).
Result<bool> MarkRefreshTokenUsed(sql::Session& session, std::span<const std::uint8_t> token_hash, TimeMs now);
Status RevokeRefreshFamily(sql::Session& session, std::string_view family_id);
// Ends every session of the user (a changed security stamp, a new password).
Status RevokeUserRefreshTokens(sql::Session& session, std::string_view user_id);
// Ends the sessions of one of the user's devices (the device was removed).
Status RevokeDeviceRefreshTokens(sql::Session& session, std::string_view user_id, std::string_view device_id);

}  // namespace keywarden::server::store

#endif  // KEYWARDEN_SERVER_STORE_REFRESH_TOKENS_H_
