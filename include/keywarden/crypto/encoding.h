// Standard base64 (RFC 4648 with padding), strict: whitespace, missing padding and
// non-alphabet characters are errors, so one string has one meaning.
#ifndef KEYWARDEN_CRYPTO_ENCODING_H_
#define KEYWARDEN_CRYPTO_ENCODING_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "keywarden/crypto/secure_buffer.h"
#include "keywarden/status.h"

namespace keywarden {

std::string Base64Encode(std::span<const std::uint8_t> bytes);
Result<std::vector<std::uint8_t>> Base64Decode(std::string_view text);
// For secrets: the decoded bytes never touch an ordinary heap buffer.
Result<SecureBuffer> Base64DecodeSecret(std::string_view text);
// Base64 of a secret: the returned string is itself secret; callers wipe it (see WipeString).
std::string Base64EncodeSecret(const SecureBuffer& secret);

// Overwrites a std::string's characters before it is dropped.
void WipeString(std::string& s);

inline std::span<const std::uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace keywarden

#endif  // KEYWARDEN_CRYPTO_ENCODING_H_
