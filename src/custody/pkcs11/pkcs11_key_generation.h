// CreatePkcs11KeyPair: a new RSA key pair on an HSM, for `keywarden connector init --pkcs11`.
//
// The private key is generated on the token and can never leave it: CKA_SENSITIVE true,
// CKA_EXTRACTABLE false (both read back after generation; a token that does not honour them gets
// its new key pair deleted and an error). It may decrypt and nothing else; the public key may
// encrypt. Both are token objects under the configured label and id.
#ifndef KEYWARDEN_CUSTODY_PKCS11_PKCS11_KEY_GENERATION_H_
#define KEYWARDEN_CUSTODY_PKCS11_PKCS11_KEY_GENERATION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "custody/pkcs11/pkcs11_settings.h"
#include "keywarden/status.h"

namespace keywarden::custody {

struct Pkcs11KeyPairInfo {
  std::string token_label;
  std::string token_serial;
  std::string key_label;             // empty when only an id was configured
  std::vector<std::uint8_t> key_id;  // the configured id, or 16 random bytes when none was
  std::string fingerprint;           // SHA-256 of the public key's SPKI DER, lower-case hex
};

// Generates an RSA-2048 key pair (e = 65537) on the token `settings` name, logged in as its user
// (kInvalidArgument for the "so" user type). Never replaces anything: kAlreadyExists when the
// token holds any object with the configured label or id.
Result<Pkcs11KeyPairInfo> CreatePkcs11KeyPair(const Pkcs11Settings& settings);

}  // namespace keywarden::custody

#endif  // KEYWARDEN_CUSTODY_PKCS11_PKCS11_KEY_GENERATION_H_
