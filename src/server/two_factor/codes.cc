#include "server/two_factor/codes.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "base/ascii.h"
#include "jose/base64url.h"
#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/random.h"
#include "keywarden/crypto/secure_buffer.h"

namespace keywarden::server::two_factor {
namespace {

constexpr std::size_t kOneTimeCodeDigits = 6;
constexpr std::uint32_t kOneTimeCodeValues = 1'000'000;
constexpr std::size_t kRecoveryCodeSize = 32;
constexpr std::string_view kRecoveryAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
constexpr std::size_t kTokenSize = 32;

// A uniform value below kOneTimeCodeValues: 32-bit draws at or above the largest multiple of it
// are thrown away (about 1 in 4,600) instead of folded in, which would favour the low values.
Result<std::uint32_t> UniformCodeValue() {
  constexpr std::uint64_t kDraws = std::uint64_t{1} << 32;
  constexpr std::uint64_t kAcceptBelow = kDraws - kDraws % kOneTimeCodeValues;
  for (;;) {
    KW_ASSIGN_OR_RETURN(const SecureBuffer bytes, RandomSecret(4));
    const std::uint32_t draw = (std::uint32_t{bytes.data()[0]} << 24) | (std::uint32_t{bytes.data()[1]} << 16) |
                               (std::uint32_t{bytes.data()[2]} << 8) | std::uint32_t{bytes.data()[3]};
    if (draw < kAcceptBelow) return draw % kOneTimeCodeValues;
  }
}

}  // namespace

Result<std::string> NewOneTimeCode() {
  KW_ASSIGN_OR_RETURN(std::uint32_t value, UniformCodeValue());
  std::string code(kOneTimeCodeDigits, '0');
  for (std::size_t i = kOneTimeCodeDigits; i-- > 0; value /= 10) code[i] = static_cast<char>('0' + value % 10);
  return code;
}

Result<std::string> NewRecoveryCode() {
  // Bytes at or above 252 (7 * 36) are thrown away, so each of the 36 characters is equally likely.
  constexpr unsigned kAcceptBelow = 256 - 256 % kRecoveryAlphabet.size();
  std::string code;
  code.reserve(kRecoveryCodeSize);
  while (code.size() < kRecoveryCodeSize) {
    KW_ASSIGN_OR_RETURN(const SecureBuffer bytes, RandomSecret(kRecoveryCodeSize));
    for (const std::uint8_t byte : bytes.span()) {
      if (byte >= kAcceptBelow || code.size() == kRecoveryCodeSize) continue;
      code.push_back(kRecoveryAlphabet[byte % kRecoveryAlphabet.size()]);
    }
  }
  return code;
}

Result<std::string> NewOpaqueToken() {
  KW_ASSIGN_OR_RETURN(const SecureBuffer bytes, RandomSecret(kTokenSize));
  return jose::Base64UrlEncode(bytes.span());
}

Result<TokenDigest> TokenHash(std::string_view text) {
  TokenDigest digest{};
  unsigned int size = 0;
  const char* data = text.empty() ? "" : text.data();  // OpenSSL wants a pointer even for no bytes
  if (EVP_Digest(data, text.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1 || size != digest.size()) {
    return InternalError("SHA-256 failed");
  }
  return digest;
}

bool SameHash(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool SameSecretText(std::string_view a, std::string_view b) {
  auto x = TokenHash(a);
  auto y = TokenHash(b);
  return x.ok() && y.ok() && SameHash(*x, *y);
}

std::string NormalizeRecoveryCode(std::string_view typed) {
  std::string normalized;
  normalized.reserve(typed.size());
  for (const char c : typed) {
    if (c == '-' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') continue;
    normalized.push_back(AsciiUpper(c));
  }
  return normalized;
}

Result<TokenDigest> RecoveryCodeHash(std::string_view typed) {
  std::string normalized = NormalizeRecoveryCode(typed);
  auto digest = TokenHash(normalized);
  WipeString(normalized);
  return digest;
}

}  // namespace keywarden::server::two_factor
