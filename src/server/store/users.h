// The users table: one row per account. Functions run inside a unit of work (sql::Session), so
// that a handler can change a user and what depends on it (sessions, devices) all or nothing.
//
// The server stores what clients encrypted (keys, EncStrings) as it received them; the only
// secret it derives is password_hash, Argon2id over the client's own hash.
#ifndef KEYWARDEN_SERVER_STORE_USERS_H_
#define KEYWARDEN_SERVER_STORE_USERS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/time.h"
#include "keywarden/status.h"
#include "sql/database.h"

namespace keywarden::server::store {

struct Kdf {
  int type = 0;  // 0 PBKDF2-SHA256, 1 Argon2id
  std::int64_t iterations = 600000;
  std::optional<std::int64_t> memory;       // MiB, Argon2id only
  std::optional<std::int64_t> parallelism;  // Argon2id only
};

struct User {
  std::string id;
  std::string email;  // trimmed, lower case
  bool email_verified = false;
  std::string name;
  std::string culture = "en-US";
  std::optional<std::string> password_hash;  // PHC; none for accounts without a master password
  std::string password_hint;
  std::string salt;
  Kdf kdf;
  std::string user_key;  // master-key-wrapped user key
  std::string public_key;
  std::string private_key;
  std::string user_key_id;  // empty until a client posts it
  std::string security_stamp;
  std::string api_key;
  bool premium = false;
  bool force_password_reset = false;
  bool uses_key_connector = false;
  std::string avatar_color;
  TimeMs creation_date = 0;
  TimeMs revision_date = 0;
  TimeMs account_revision_date = 0;
};

// kAlreadyExists when the e-mail is taken.
Status InsertUser(sql::Session& session, const User& user);
Result<std::optional<User>> FindUserByEmail(sql::Session& session, std::string_view email);
Result<std::optional<User>> FindUserById(sql::Session& session, std::string_view id);

// Writes every mutable column of `user` (all but id and creation_date) if the stored account's
// revision date is still `read_revision`, the one `user` was read with: the routes change an
// account read before their transaction, so a second change made meanwhile would otherwise be
// overwritten with stale values. kConflict when it was (the caller answers "try again");
// kNotFound if the account is gone. The account revision date only moves forward (a vault write
// may have moved it meanwhile). Every change through here must move revision_date.
Status UpdateUser(sql::Session& session, const User& user, TimeMs read_revision);

// Stores `new_hash` as the account's password hash if it is still `read_hash` (a rehash at login
// with today's parameters must not undo a password change made meanwhile). false when it was not.
Result<bool> ReplacePasswordHash(sql::Session& session, std::string_view user_id, std::string_view read_hash,
                                 std::string_view new_hash);

// Moves the account's revision date (clients sync when it moves) to `now`, or one millisecond
// past the stored one if the clock has not moved on, so that a change is never missed.
Status TouchAccountRevision(sql::Session& session, std::string_view user_id, TimeMs now);

// Deletes the account and everything it owns (devices, sessions, vault, two-step data).
Status DeleteUser(sql::Session& session, std::string_view user_id);

// The number of accounts (metrics).
Result<std::int64_t> CountUsers(sql::Session& session);

}  // namespace keywarden::server::store

#endif  // KEYWARDEN_SERVER_STORE_USERS_H_
