// The bodies of the user-key rotation routes (member-decryption.md 6), parsed and checked before
// anything is looked up, as the reference's model binding does:
//
//   POST /api/accounts/key-management/rotate-user-account-keys   a password change with the
//        rotation: {oldMasterKeyAuthenticationHash, accountUnlockData{masterPasswordUnlockData{
//        kdfType, kdfIterations, kdfMemory?, kdfParallelism?, email, masterKeyAuthenticationHash,
//        masterKeyEncryptedUserKey, masterPasswordHint?, masterPasswordSalt?}, emergencyAccessUnlockData,
//        organizationAccountRecoveryUnlockData, passkeyUnlockData, deviceKeyUnlockData},
//        accountKeys{userKeyEncryptedAccountPrivateKey, accountPublicKey, publicKeyEncryptionKeyPair?,
//        signatureKeyPair?, securityState?}, accountData{ciphers, folders, sends}}
//   POST /api/accounts/key-management/rotate-user-keys   the rotation alone, for any unlock method:
//        {wrappedAccountCryptographicState{publicKeyEncryptionKeyPair{wrappedPrivateKey, publicKey},
//        signatureKeyPair?, securityState?}, unlockData{...the lists above}, accountData,
//        unlockMethodData{unlockMethod 0|1|2, masterPasswordUnlockData?{kdf, masterKeyWrappedUserKey,
//        salt}, keyConnectorKeyWrappedUserKey?}}
//
// Field names are matched in any case. Errors are api::FieldErrorStatus sentences naming the field
// from the top ("AccountData.Ciphers[2].Name is required."), or plain kInvalidArgument with the
// reference's message for the unlock-method rules; api::RequestErrorResponse answers either as 400.
// Each cipher and folder is checked as the vault routes check it (vault/cipher_request.h), each
// device and recovery key is of the kind the clients make (device_requests.h), and an id listed
// twice is refused. This server has no signature key pairs (V2 accounts), sends, emergency
// access or passkey login: a non-null signatureKeyPair or securityState is refused, and the
// other lists must be arrays whose entries are ignored, as the reference ignores entries it has
// nothing stored for. What the body asks of the account (the KDF, the salt, the public key and
// every stored item being listed) is checked against the stored state by rotation_apply.h.
//
// Thread-safe; no state. Fuzzed by fuzz/rotation_body_fuzz.cc.
#ifndef KEYWARDEN_SERVER_KEY_MANAGEMENT_ROTATION_REQUEST_H_
#define KEYWARDEN_SERVER_KEY_MANAGEMENT_ROTATION_REQUEST_H_

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "keywarden/crypto/secure_buffer.h"
#include "keywarden/status.h"
#include "server/store/users.h"
#include "server/vault/cipher_request.h"
#include "server/vault/folder_request.h"

namespace keywarden::server::key_management {

// How the account unlocks after the rotation (the reference's UnlockMethod numbers).
enum class UnlockMethod { kTrustedDevices = 0, kMasterPassword = 1, kKeyConnector = 2 };

struct RotatedCipher {
  std::string id;  // canonical GUID
  vault::CipherWrite write;
};

struct RotatedFolder {
  std::string id;  // canonical GUID
  vault::FolderWrite write;
};

struct RotatedDeviceKeys {
  std::string device_id;             // canonical GUID
  std::string encrypted_public_key;  // the device's public key wrapped by the new user key
  std::string encrypted_user_key;    // the new user key encapsulated to the device's public key
};

struct RotatedRecoveryKey {
  std::string organization_id;     // canonical GUID
  std::string reset_password_key;  // the new user key encapsulated to the organisation; "" when null
};

// The user key wrapped by the master key, with what the client derived that key from.
struct MasterPasswordUnlock {
  store::Kdf kdf;
  std::string salt;
  std::string wrapped_user_key;
  // The password change of rotate-user-account-keys: the new password's hash and hint.
  std::optional<SecureBuffer> new_password_hash;
  std::optional<std::string> hint;
};

struct UserKeyRotation {
  UnlockMethod unlock_method = UnlockMethod::kMasterPassword;
  // rotate-user-account-keys: the current password's hash, which must match.
  std::optional<SecureBuffer> old_password_hash;
  std::optional<MasterPasswordUnlock> master_password;
  std::string key_connector_wrapped_user_key;  // kKeyConnector only
  std::string public_key;                      // must be the account's own
  std::string wrapped_private_key;             // the account's private key under the new user key
  std::vector<RotatedCipher> ciphers;
  std::vector<RotatedFolder> folders;
  std::vector<RotatedDeviceKeys> devices;
  std::vector<RotatedRecoveryKey> recovery_keys;
};

// rotate-user-account-keys: unlock_method kMasterPassword, old_password_hash and master_password
// (with new_password_hash) set.
Result<UserKeyRotation> ParsePasswordChangeRotation(const nlohmann::json& body);

// rotate-user-keys: master_password set iff kMasterPassword (without new_password_hash),
// key_connector_wrapped_user_key iff kKeyConnector.
Result<UserKeyRotation> ParseUserKeyRotation(const nlohmann::json& body);

}  // namespace keywarden::server::key_management

#endif  // KEYWARDEN_SERVER_KEY_MANAGEMENT_ROTATION_REQUEST_H_
