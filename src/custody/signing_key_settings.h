// Which key signs an identity provider's tokens, and where it is held: a plain value that a
// service's configuration fills once, at load, and custody/open_signing_key.h opens.
//
// Separate from RsaKeySettings on purpose, though the providers are the same: the key that signs
// tokens must not be the key that wraps the data keys, so it has a file of its own and no default
// path that could fall back on theirs.
#ifndef KEYWARDEN_CUSTODY_SIGNING_KEY_SETTINGS_H_
#define KEYWARDEN_CUSTODY_SIGNING_KEY_SETTINGS_H_

#include <optional>
#include <string>

#include "custody/pkcs11/pkcs11_settings.h"
#include "custody/rsa_key_settings.h"
#include "keywarden/crypto/secure_buffer.h"

namespace keywarden::custody {

struct SigningKeySettings {
  // kFile: a PKCS#12 or PEM key file (custody/file/file_signing_key.h); kPkcs11: a key on an HSM
  // (custody/pkcs11/pkcs11_signing_key.h). Named as RsaKeyProviderName names them.
  using Provider = RsaKeySettings::Provider;

  Provider provider = Provider::kFile;
  std::string key_file;  // required for kFile
  // The key file's password, if any; read from key_password_file when that is set.
  std::optional<SecureBuffer> key_password;
  std::string key_password_file;  // where key_password came from; empty if not from a file
  // kPkcs11 only. Errors name the settings as signing_key.pkcs11_* (the PIN's as pkcs11.pin_setting
  // when that is set).
  Pkcs11Settings pkcs11;
  // The key's id in tokens and the JWKS; when empty, derived from the public key
  // (DefaultSigningKeyId in custody/file/file_rsa_key_provider.h).
  std::string kid;
};

}  // namespace keywarden::custody

#endif  // KEYWARDEN_CUSTODY_SIGNING_KEY_SETTINGS_H_
