// User key rotation: everything bound to the old user key is re-wrapped under the new one.
#ifndef KEYWARDEN_KEYS_ROTATION_H_
#define KEYWARDEN_KEYS_ROTATION_H_

#include <optional>
#include <string>
#include <vector>

#include "keywarden/crypto/asymmetric_enc_string.h"
#include "keywarden/crypto/enc_string.h"
#include "keywarden/crypto/master_key.h"
#include "keywarden/crypto/rsa.h"
#include "keywarden/crypto/symmetric_key.h"
#include "keywarden/keys/trusted_device.h"
#include "keywarden/status.h"

namespace keywarden {

struct TrustedDeviceEntry {
  std::string device_id;
  TrustedDeviceKeys keys;
};

struct RecoveryEnrollment {
  std::string organization_id;
  RsaPublicKey org_public_key;  // the reset password key is re-made to this key
};

struct RotationInput {
  EncString encrypted_private_key;  // under the old user key
  std::vector<TrustedDeviceEntry> devices;
  std::vector<RecoveryEnrollment> recovery_enrollments;
  // When set, the new user key is also wrapped under this master key.
  const MasterKey* master_key = nullptr;
};

struct RecoveryKeyEntry {
  std::string organization_id;
  AsymmetricEncString reset_password_key;
};

struct RotationResult {
  EncString encrypted_private_key;              // under the new user key
  std::optional<EncString> encrypted_user_key;  // when a master key was given
  std::vector<TrustedDeviceEntry> devices;      // re-wrapped, same order
  std::vector<RecoveryKeyEntry> reset_password_keys;
  // One line per value re-wrapped ("private_key", "device:<id>", "account_recovery:<org id>",
  // "user_key"): what the caller must send to the server.
  std::vector<std::string> rewrapped;
};

// Fails without changing anything if any input does not open under `old_user_key`.
Result<RotationResult> RotateUserKey(const SymmetricKey& old_user_key, const SymmetricKey& new_user_key,
                                     const RotationInput& input);

}  // namespace keywarden

#endif  // KEYWARDEN_KEYS_ROTATION_H_
