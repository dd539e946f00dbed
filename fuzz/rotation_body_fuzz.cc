// libFuzzer target for the user-key rotation bodies (server/key_management/rotation_request.h):
// ParsePasswordChangeRotation (rotate-user-account-keys) and ParseUserKeyRotation
// (rotate-user-keys).
//
// The first byte picks the parser (even: the password change, odd: the rotation alone); the rest
// is a JSON object, as the routes pass it. Beyond "does not crash, hang or leak" (an exception
// escaping is a crash too):
//   - a refusal is kInvalidArgument, which RequestErrorResponse answers with a 400;
//   - an accepted rotation has canonical, unique ids in each list, well-formed EncStrings where
//     keys are wrapped by a symmetric key, asymmetric ones where they are encapsulated, an RSA
//     public key, and the unlock data its method needs: the password change a 32-byte old and new
//     hash, the master password method its unlock data and nothing else, Key Connector its
//     wrapped key and nothing else, trusted devices neither.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz_require.h"
#include "http/json.h"
#include "keywarden/crypto/rsa.h"
#include "server/accounts/account_fields.h"
#include "server/api/field_error.h"
#include "server/api/ids.h"
#include "server/key_management/rotation_request.h"

namespace keywarden::server::key_management {
namespace {

using ::keywarden::fuzz::Require;

void RequireRefusal(const Status& status) {
  Require(status.code() == ErrorCode::kInvalidArgument, "a refused body must be an invalid argument");
  Require(api::RequestErrorResponse(status).status == 400, "a refusal must answer 400");
}

bool Canonical(const std::string& id) {
  const auto parsed = api::ParseGuid(id);
  return parsed.has_value() && *parsed == id;
}

template <typename Item>
void RequireUniqueIds(const std::vector<Item>& items, std::string Item::*id) {
  std::set<std::string> seen;
  for (const Item& item : items) {
    Require(Canonical(item.*id), "ids are canonical GUIDs");
    Require(seen.insert(item.*id).second, "an id is listed once");
  }
}

void RequireWellFormed(const UserKeyRotation& rotation) {
  Require(CheckEncString(rotation.wrapped_private_key, "PrivateKey").ok(), "the private key is an EncString");
  Require(RsaPublicKey::FromBase64(rotation.public_key).ok(), "the public key is an RSA key");
  RequireUniqueIds(rotation.ciphers, &RotatedCipher::id);
  RequireUniqueIds(rotation.folders, &RotatedFolder::id);
  RequireUniqueIds(rotation.devices, &RotatedDeviceKeys::device_id);
  RequireUniqueIds(rotation.recovery_keys, &RotatedRecoveryKey::organization_id);
  for (const RotatedDeviceKeys& device : rotation.devices) {
    Require(CheckEncString(device.encrypted_public_key, "Key").ok(), "a device's public key is wrapped");
    Require(CheckAsymmetricEncString(device.encrypted_user_key, "Key").ok(), "a device's user key is encapsulated");
  }
  for (const RotatedRecoveryKey& key : rotation.recovery_keys) {
    Require(key.reset_password_key.empty() || CheckAsymmetricEncString(key.reset_password_key, "Key").ok(),
            "a recovery key is encapsulated or null");
  }
  for (const RotatedCipher& cipher : rotation.ciphers) {
    Require(nlohmann::json::accept(cipher.write.data), "a cipher's data is JSON");
  }
  if (rotation.master_password) {
    const MasterPasswordUnlock& password = *rotation.master_password;
    Require(CheckEncString(password.wrapped_user_key, "Key").ok(), "the wrapped user key is an EncString");
    Require(!password.salt.empty() && password.salt.size() <= 256, "the salt has 1 to 256 characters");
    Require(password.kdf.type == 0 || password.kdf.type == 1, "the KDF is type 0 or 1");
    Require((password.kdf.type == 0) == (!password.kdf.memory && !password.kdf.parallelism),
            "only Argon2id has memory and parallelism");
    Require(!password.hint || password.hint->size() <= 50, "the hint has at most 50 bytes");
  }
}

void FuzzPasswordChange(const nlohmann::json& body) {
  auto rotation = ParsePasswordChangeRotation(body);
  if (!rotation.ok()) {
    RequireRefusal(rotation.status());
    return;
  }
  RequireWellFormed(*rotation);
  Require(rotation->unlock_method == UnlockMethod::kMasterPassword, "a password change unlocks by password");
  Require(rotation->old_password_hash && rotation->old_password_hash->size() == 32, "the old hash is 32 bytes");
  Require(rotation->master_password && rotation->master_password->new_password_hash &&
              rotation->master_password->new_password_hash->size() == 32,
          "the new hash is 32 bytes");
}

void FuzzUserKeyRotation(const nlohmann::json& body) {
  auto rotation = ParseUserKeyRotation(body);
  if (!rotation.ok()) {
    RequireRefusal(rotation.status());
    return;
  }
  RequireWellFormed(*rotation);
  Require(!rotation->old_password_hash, "no old password without a password change");
  Require(rotation->master_password.has_value() == (rotation->unlock_method == UnlockMethod::kMasterPassword),
          "master password unlock data iff that method");
  Require(!rotation->master_password || !rotation->master_password->new_password_hash,
          "no new password without a password change");
  Require(rotation->key_connector_wrapped_user_key.empty() == (rotation->unlock_method != UnlockMethod::kKeyConnector),
          "a Key Connector wrapped key iff that method");
}

}  // namespace
}  // namespace keywarden::server::key_management

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  auto body = keywarden::http::ParseJsonObject(rest);
  if (!body.ok()) return 0;
  if (data[0] % 2 == 0) {
    keywarden::server::key_management::FuzzPasswordChange(*body);
  } else {
    keywarden::server::key_management::FuzzUserKeyRotation(*body);
  }
  return 0;
}
