// Trusted devices: unlock without a master password on a device the user trusted.
//
// The device keeps a 64-byte device key; the server keeps three values:
//   encrypted_user_key     type 4: the user key encapsulated to the device public key
//   encrypted_public_key   type 2: the device SPKI under the user key (for rotation)
//   encrypted_private_key  type 2: the device PKCS#8 under the device key
#ifndef KEYWARDEN_KEYS_TRUSTED_DEVICE_H_
#define KEYWARDEN_KEYS_TRUSTED_DEVICE_H_

#include "keywarden/crypto/asymmetric_enc_string.h"
#include "keywarden/crypto/enc_string.h"
#include "keywarden/crypto/symmetric_key.h"
#include "keywarden/status.h"

namespace keywarden {

struct TrustedDeviceKeys {
  AsymmetricEncString encrypted_user_key;
  EncString encrypted_public_key;
  EncString encrypted_private_key;
};

struct NewTrustedDevice {
  SymmetricKey device_key;  // stays on the device
  TrustedDeviceKeys stored;
};

Result<NewTrustedDevice> TrustDevice(const SymmetricKey& user_key);

// On the device: device key -> device private key -> user key.
Result<SymmetricKey> UnlockTrustedDevice(const SymmetricKey& device_key, const EncString& encrypted_private_key,
                                         const AsymmetricEncString& encrypted_user_key);

// When the user key rotates: re-wraps the two user-key-bound values (encrypted_public_key
// under the new user key, encrypted_user_key to the device public key). The device key and
// encrypted_private_key are unchanged.
Result<TrustedDeviceKeys> RewrapTrustedDevice(const SymmetricKey& old_user_key, const SymmetricKey& new_user_key,
                                              const TrustedDeviceKeys& device);

}  // namespace keywarden

#endif  // KEYWARDEN_KEYS_TRUSTED_DEVICE_H_
