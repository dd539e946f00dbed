// The parts of an account that the token response, the sync and the profile share, in the exact
// shapes the official clients read (core.md 3.4, 4.2, 4.6). Casing differs between them on
// purpose: the token response's top-level and UserDecryptionOptions names are PascalCase, the
// AccountKeys inner names camelCase everywhere.
#ifndef KEYWARDEN_SERVER_IDENTITY_ACCOUNT_JSON_H_
#define KEYWARDEN_SERVER_IDENTITY_ACCOUNT_JSON_H_

#include <nlohmann/json.hpp>

#include "server/sso/sso_decryption.h"
#include "server/store/users.h"

namespace keywarden::server {

// {"signatureKeyPair": null, "publicKeyEncryptionKeyPair": {...}, "securityState": null,
//  "object": "privateKeys"}, or null when the account has no key pair yet.
nlohmann::json AccountKeysJson(const store::User& user);

// {"kdfType"|"KdfType", "iterations", "memory", "parallelism"}: `pascal` for the token response.
nlohmann::json KdfJson(const store::Kdf& kdf, bool pascal);

// The token response's UserDecryptionOptions: HasMasterPassword and MasterPasswordUnlock
// (omitted for an account without a master password); for a single sign-on login, `sso`'s
// TrustedDeviceOption and KeyConnectorOption, each omitted when it does not apply. PascalCase
// throughout: the clients read these members with exact-case checks (docs member-decryption.md
// 1.4), so a camelCase name would silently drop the option.
nlohmann::json UserDecryptionOptionsJson(const store::User& user, const sso::SsoDecryptionOptions* sso = nullptr);

// The sync's userDecryption: masterPasswordUnlock (always, when the account has a password:
// without it the client forgets how to unlock) and userKeyId.
nlohmann::json SyncUserDecryptionJson(const store::User& user);

// The profile (sync's `profile`, GET /accounts/profile), without organisations yet.
// `two_factor_enabled`: whether a two-step provider is on (the store knows, the user row does not).
nlohmann::json ProfileJson(const store::User& user, bool two_factor_enabled);

}  // namespace keywarden::server

#endif  // KEYWARDEN_SERVER_IDENTITY_ACCOUNT_JSON_H_
