// A personal vault's data moved from the old user key to a new one, as a user-key rotation sends
// it to the server (docs member-decryption.md 6): every value bound to the user key is decrypted
// with the old key and encrypted again with the new one; nothing else changes.
//
//  - A cipher with its own key (`key`, the cipher key wrapped under the user key) needs only that
//    key re-wrapped: its fields and attachments are under the cipher key.
//  - A cipher without one has every EncString of its fields under the user key (name, notes,
//    login, card, identity, SSH key, custom fields, password history, passkeys, attachment keys
//    and file names): each is re-encrypted, wherever it sits in the JSON.
//  - A folder's name is under the user key.
//  - A Send's `key` (the seed of its own key) is under the user key; the rest is under the Send's
//    key and stays.
// A value that does not open under the old key fails the whole call (kInvalidArgument naming
// the item and the field), so a rotation never sends data the new key cannot open. Organisation
// items (with an organizationId) are not the user key's and are refused.
//
// Thread-safe; no state.
#ifndef KEYWARDEN_CLI_ADMIN_VAULT_REWRAP_H_
#define KEYWARDEN_CLI_ADMIN_VAULT_REWRAP_H_

#include <cstddef>

#include <nlohmann/json.hpp>

#include "keywarden/crypto/symmetric_key.h"
#include "keywarden/status.h"

namespace keywarden::cli::admin {

// The keys of a rotation: `from` opens what is there, `to` encrypts what is sent.
struct RewrapKeys {
  const SymmetricKey& from;
  const SymmetricKey& to;
};

// Each returns the item with its user-key-bound values re-encrypted; `rewrapped`, when given, is
// increased by the number of values re-encrypted.
Result<nlohmann::json> RewrapCipher(const nlohmann::json& cipher, const RewrapKeys& keys, std::size_t* rewrapped);
Result<nlohmann::json> RewrapFolder(const nlohmann::json& folder, const RewrapKeys& keys, std::size_t* rewrapped);
Result<nlohmann::json> RewrapSend(const nlohmann::json& send, const RewrapKeys& keys, std::size_t* rewrapped);

}  // namespace keywarden::cli::admin

#endif  // KEYWARDEN_CLI_ADMIN_VAULT_REWRAP_H_
