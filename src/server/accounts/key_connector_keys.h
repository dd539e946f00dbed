// The body of POST /api/accounts/set-key-connector-key (docs member-decryption.md 5), in either
// of the reference's forms:
//   2026: {keyConnectorKeyWrappedUserKey, accountKeys{...}, orgIdentifier}; the KDF stored is
//         the reference's Argon2id default, since Key Connector derives no key from a password;
//   older: {key, keys{publicKey, encryptedPrivateKey}, kdf, kdfIterations, kdfMemory?,
//          kdfParallelism?, orgIdentifier}.
// The 2026 form is taken iff both its members are present (the reference's IsV2Request). Each
// key is checked as registration checks it; refusals are field errors (api/field_error.h).
//
// Thread-safe; no state. Fuzzed (fuzz/account_key_body_fuzz.cc).
#ifndef KEYWARDEN_SERVER_ACCOUNTS_KEY_CONNECTOR_KEYS_H_
#define KEYWARDEN_SERVER_ACCOUNTS_KEY_CONNECTOR_KEYS_H_

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "keywarden/status.h"
#include "server/accounts/account_key_pair.h"
#include "server/store/users.h"

namespace keywarden::server {

// What set-key-connector-key stores.
struct KeyConnectorKeys {
  std::string user_key;  // wrapped by the Key Connector key
  std::optional<AccountKeyPair> key_pair;
  store::Kdf kdf;
  std::string organization_identifier;
};

Result<KeyConnectorKeys> ParseKeyConnectorKeys(const nlohmann::json& body);

}  // namespace keywarden::server

#endif  // KEYWARDEN_SERVER_ACCOUNTS_KEY_CONNECTOR_KEYS_H_
