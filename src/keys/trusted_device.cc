#include "keywarden/keys/trusted_device.h"

#include <utility>
#include <vector>

#include "keys/internal/key_checks.h"
#include "keywarden/crypto/rsa.h"
#include "keywarden/keys/account.h"

namespace keywarden {

using keys_internal::FullKeyFromBytes;
using keys_internal::RequireFullKey;

namespace {

// The two values bound to the user key, for a device whose public key is `device_public_key`.
Result<TrustedDeviceKeys> WrapForDevice(const SymmetricKey& user_key, const RsaPublicKey& device_public_key,
                                        EncString encrypted_private_key) {
  KW_ASSIGN_OR_RETURN(AsymmetricEncString encrypted_user_key,
                      AsymmetricEncString::Encapsulate(device_public_key, user_key));
  std::vector<std::uint8_t> spki = device_public_key.ToSpkiDer();
  KW_ASSIGN_OR_RETURN(EncString encrypted_public_key, EncString::Encrypt(user_key, spki));
  return TrustedDeviceKeys{
      .encrypted_user_key = std::move(encrypted_user_key),
      .encrypted_public_key = std::move(encrypted_public_key),
      .encrypted_private_key = std::move(encrypted_private_key),
  };
}

}  // namespace

Result<NewTrustedDevice> TrustDevice(const SymmetricKey& user_key) {
  KW_RETURN_IF_ERROR(RequireFullKey(user_key, "user key"));
  KW_ASSIGN_OR_RETURN(SymmetricKey device_key, SymmetricKey::Generate());
  KW_ASSIGN_OR_RETURN(RsaPrivateKey device_private_key, RsaPrivateKey::Generate());
  KW_ASSIGN_OR_RETURN(EncString encrypted_private_key, EncryptPrivateKey(device_key, device_private_key));
  KW_ASSIGN_OR_RETURN(TrustedDeviceKeys stored,
                      WrapForDevice(user_key, device_private_key.PublicKey(), std::move(encrypted_private_key)));
  return NewTrustedDevice{.device_key = std::move(device_key), .stored = std::move(stored)};
}

Result<SymmetricKey> UnlockTrustedDevice(const SymmetricKey& device_key, const EncString& encrypted_private_key,
                                         const AsymmetricEncString& encrypted_user_key) {
  KW_ASSIGN_OR_RETURN(RsaPrivateKey device_private_key, DecryptPrivateKey(device_key, encrypted_private_key));
  KW_ASSIGN_OR_RETURN(SecureBuffer user_key_bytes, encrypted_user_key.Decapsulate(device_private_key));
  return FullKeyFromBytes(std::move(user_key_bytes), "user key");
}

Result<TrustedDeviceKeys> RewrapTrustedDevice(const SymmetricKey& old_user_key, const SymmetricKey& new_user_key,
                                              const TrustedDeviceKeys& device) {
  KW_RETURN_IF_ERROR(RequireFullKey(new_user_key, "new user key"));
  // The device public key is not secret, but it is authenticated under the old user key:
  // opening it proves the value belongs to this account before the new key is sent to it.
  KW_ASSIGN_OR_RETURN(SecureBuffer spki, device.encrypted_public_key.Decrypt(old_user_key));
  KW_ASSIGN_OR_RETURN(RsaPublicKey device_public_key, RsaPublicKey::FromSpkiDer(spki.span()));
  return WrapForDevice(new_user_key, device_public_key, device.encrypted_private_key);
}

}  // namespace keywarden
