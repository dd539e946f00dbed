// Fingerprint phrase: five words a person compares on two devices.
// HKDF-Expand-SHA256(PRK = public key SPKI DER, info = material, 32 bytes), read as a big-endian
// integer, written in base 7776 (least significant digit first) with the EFF long word list, joined by "-".
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
