// Which RSA key wraps the data keys, and where it is held: a plain value that a service's
// configuration fills once, at load, and custody/open_rsa_key_provider.h opens.
#ifndef KEYWARDEN_CUSTODY_RSA_KEY_SETTINGS_H_
#define KEYWARDEN_CUSTODY_RSA_KEY_SETTINGS_H_

#include <optional>
#include <string>
#include <string_view>

#include "custody/pkcs11/pkcs11_settings.h"
#include "keywarden/crypto/secure_buffer.h"

namespace keywarden::custody {

struct RsaKeySettings {
  // kFile: a PKCS#12 or PEM key file (the reference's "certificate" provider with certificate
  // provider "filesystem" means the same); kPkcs11: a key on an HSM.
  enum class Provider { kFile, kPkcs11 };

  Provider provider = Provider::kFile;
  std::string key_file = "/etc/bitwarden/key.pfx";
  // The key file's password, if any; read from key_password_file when that is set.
  std::optional<SecureBuffer> key_password;
  std::string key_password_file;  // where key_password came from; empty if not from a file
  Pkcs11Settings pkcs11;          // Provider::kPkcs11 only
};

// "file", "pkcs11": the names the configuration uses.
std::string_view RsaKeyProviderName(RsaKeySettings::Provider provider);

}  // namespace keywarden::custody

#endif  // KEYWARDEN_CUSTODY_RSA_KEY_SETTINGS_H_
