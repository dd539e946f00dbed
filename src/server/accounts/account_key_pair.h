// The account key pair a body may carry when an account without one is set up after single
// sign-on (set-key-connector-key, set-password): the older form keys {publicKey,
// encryptedPrivateKey} or the 2026 form accountKeys {accountPublicKey,
// userKeyEncryptedAccountPrivateKey}, each key checked as registration checks it. The
// signature key pair and security state of the 2026 form are not kept (nor are they at
// registration).
#ifndef KEYWARDEN_SERVER_ACCOUNTS_ACCOUNT_KEY_PAIR_H_
#define KEYWARDEN_SERVER_ACCOUNTS_ACCOUNT_KEY_PAIR_H_

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "keywarden/status.h"
#include "server/store/users.h"

namespace keywarden::server {

struct AccountKeyPair {
  std::string public_key;   // base64 SPKI
  std::string private_key;  // EncString under the user key
};

// nullopt when the body holds neither form (or holds one as null); field errors for a
// malformed one.
Result<std::optional<AccountKeyPair>> ParseAccountKeyPair(const nlohmann::json& body);

// Gives `account` the key pair if it has none; the same pair again is fine. Any other is refused
// as the reference refuses it (400 "Cannot replace existing key(s) with new key(s).").
Status ApplyAccountKeyPair(store::User& account, const AccountKeyPair& pair);

}  // namespace keywarden::server

#endif  // KEYWARDEN_SERVER_ACCOUNTS_ACCOUNT_KEY_PAIR_H_
