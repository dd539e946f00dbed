// Fingerprint phrase: five words a person compares on two devices.
// HKDF-Expand-SHA256(PRK = SHA-256(public key SPKI DER), info = material, 32 bytes), read as a
// big-endian integer, written in base 7776 (least significant digit first) with the EFF long word
// list, joined by "-". (Hashing first is what Bitwarden's SDK does; it gives the same phrase as
// PRK = SPKI DER, because HMAC itself replaces a key longer than 64 bytes by its SHA-256.)
#ifndef KEYWARDEN_CRYPTO_FINGERPRINT_H_
#define KEYWARDEN_CRYPTO_FINGERPRINT_H_

#include <string>
#include <string_view>

#include "keywarden/crypto/rsa.h"
#include "keywarden/status.h"

namespace keywarden {

// `material` is the user's email (login with device) or user id (account fingerprint).
Result<std::string> FingerprintPhrase(std::string_view material, const RsaPublicKey& public_key);

// The EFF long word list, compiled in (7,776 words).
std::span<const std::string_view> EffLongWordList();

}  // namespace keywarden

#endif  // KEYWARDEN_CRYPTO_FINGERPRINT_H_
