// Which PKCS#11 module, token, key and login the HSM-backed RSA key provider uses.
//
// A plain value filled by a service's configuration; the custody layer checks it when it opens the
// module (custody/pkcs11/pkcs11_session_pool.h), so a configuration never needs the module itself.
#ifndef KEYWARDEN_CUSTODY_PKCS11_PKCS11_SETTINGS_H_
#define KEYWARDEN_CUSTODY_PKCS11_PKCS11_SETTINGS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keywarden/crypto/secure_buffer.h"

namespace keywarden::custody {

// The RSA key on an HSM, through its PKCS#11 module (custody/pkcs11/pkcs11_rsa_key_provider.h).
// After a successful load with provider "pkcs11": a module, a token, a key and a PIN are set.
struct Pkcs11Settings {
  enum class UserType { kUser, kSo, kContextSpecific };

  std::string provider_name;  // the reference's short name (yubihsm, opensc) or softhsm, if given
  std::string library;        // the module's path; when empty, provider_name's module
  std::string token_serial;   // the token, by serial number (case-insensitive)...
  std::string token_label;    // ...or, when no serial is given, by label
  UserType user_type = UserType::kUser;
  std::optional<SecureBuffer> pin;  // read from pin_file when that is set
  std::string pin_setting;          // the setting or file the PIN came from, for error messages
  std::string pin_file;
  std::string key_label;  // the private key, by CKA_LABEL...
  // ...or by CKA_ID, which wins when both are set (as in the reference). The reference's
  // pkcs11PrivateKeyId is a number, which it matches as the 8 bytes of a little-endian CK_ULONG.
  std::optional<std::vector<std::uint8_t>> key_id;
  std::uint32_t sessions = 4;  // logged-in sessions kept open
};

// "user", "so", "context_specific".
std::string_view Pkcs11UserTypeName(Pkcs11Settings::UserType type);

}  // namespace keywarden::custody

#endif  // KEYWARDEN_CUSTODY_PKCS11_PKCS11_SETTINGS_H_
