// Internal: the length checks every key-hierarchy operation shares.
//
// Every key this module wraps or unwraps (user key, org key, device key) is a full 64-byte
// key; a 32-byte value in its place is a legacy master key, and using it would either fail
// later with a confusing error or, worse, silently produce something no client can open.
#ifndef KEYWARDEN_KEYS_INTERNAL_KEY_CHECKS_H_
#define KEYWARDEN_KEYS_INTERNAL_KEY_CHECKS_H_

#include <string>
#include <string_view>
#include <utility>

#include "keywarden/crypto/secure_buffer.h"
#include "keywarden/crypto/symmetric_key.h"
#include "keywarden/status.h"

namespace keywarden::keys_internal {

// kWrongKey unless `key` is a 64-byte key. `what` names the key ("user key") for the message.
inline Status RequireFullKey(const SymmetricKey& key, std::string_view what) {
  if (key.is_legacy()) return WrongKeyError("the " + std::string(what) + " must be a 64-byte key");
  return OkStatus();
}

// Unwrapped key bytes that must form a 64-byte key; any other length is kInvalidArgument.
inline Result<SymmetricKey> FullKeyFromBytes(SecureBuffer bytes, std::string_view what) {
  if (bytes.size() != SymmetricKey::kSize) {
    return InvalidArgumentError("the " + std::string(what) + " is not 64 bytes");
  }
  return SymmetricKey::FromBytes(std::move(bytes));
}

// The same status with `context` in front of its message ("device abc: ...").
inline Status WithContext(const Status& status, std::string_view context) {
  return Status(status.code(), std::string(context) + ": " + status.message());
}

}  // namespace keywarden::keys_internal

#endif  // KEYWARDEN_KEYS_INTERNAL_KEY_CHECKS_H_
