#include "keywarden/keys/rotation.h"

#include <utility>

#include "keys/internal/key_checks.h"
#include "keywarden/keys/account.h"
#include "keywarden/keys/account_recovery.h"

namespace keywarden {

using keys_internal::RequireFullKey;
using keys_internal::WithContext;

// Every new value is computed into a local RotationResult, which is returned only when all
// of them succeeded: the caller never sees (or sends) a partly rotated set.
Result<RotationResult> RotateUserKey(const SymmetricKey& old_user_key, const SymmetricKey& new_user_key,
                                     const RotationInput& input) {
  KW_RETURN_IF_ERROR(RequireFullKey(new_user_key, "new user key"));
  if (old_user_key.Equals(new_user_key)) return InvalidArgumentError("the new user key equals the old one");

  Result<RsaPrivateKey> private_key = DecryptPrivateKey(old_user_key, input.encrypted_private_key);
  if (!private_key.ok()) return WithContext(private_key.status(), "private_key");
  Result<EncString> encrypted_private_key = EncryptPrivateKey(new_user_key, *private_key);
  if (!encrypted_private_key.ok()) return WithContext(encrypted_private_key.status(), "private_key");

  RotationResult result{.encrypted_private_key = std::move(encrypted_private_key).value(),
                        .encrypted_user_key = std::nullopt,
                        .devices = {},
                        .reset_password_keys = {},
                        .rewrapped = {"private_key"}};

  result.devices.reserve(input.devices.size());
  for (const TrustedDeviceEntry& device : input.devices) {
    const std::string line = "device:" + device.device_id;
    Result<TrustedDeviceKeys> keys = RewrapTrustedDevice(old_user_key, new_user_key, device.keys);
    if (!keys.ok()) return WithContext(keys.status(), line);
    result.devices.push_back({.device_id = device.device_id, .keys = std::move(keys).value()});
    result.rewrapped.push_back(line);
  }

  result.reset_password_keys.reserve(input.recovery_enrollments.size());
  for (const RecoveryEnrollment& enrollment : input.recovery_enrollments) {
    const std::string line = "account_recovery:" + enrollment.organization_id;
    Result<AsymmetricEncString> reset_password_key = EnrollAccountRecovery(new_user_key, enrollment.org_public_key);
    if (!reset_password_key.ok()) return WithContext(reset_password_key.status(), line);
    result.reset_password_keys.push_back(
        {.organization_id = enrollment.organization_id, .reset_password_key = std::move(reset_password_key).value()});
    result.rewrapped.push_back(line);
  }

  if (input.master_key != nullptr) {
    Result<EncString> encrypted_user_key = input.master_key->EncryptUserKey(new_user_key);
    if (!encrypted_user_key.ok()) return WithContext(encrypted_user_key.status(), "user_key");
    result.encrypted_user_key = std::move(encrypted_user_key).value();
    result.rewrapped.push_back("user_key");
  }

  return result;
}

}  // namespace keywarden
