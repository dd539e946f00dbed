#include "server/two_factor/totp.h"

#include <liboath/oath.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "keywarden/crypto/random.h"
#include "net/percent_encoding.h"

namespace keywarden::server::two_factor {
namespace {

constexpr unsigned kDigits = 6;
constexpr unsigned kStepSeconds = 30;
constexpr std::size_t kSecretSize = 20;
constexpr std::size_t kMinSecretSize = 10;

// liboath asks to be initialised once before use; a function-local static does that exactly once,
// whichever thread comes first.
bool OathReady() {
  static const bool ready = oath_init() == OATH_OK;
  return ready;
}

// liboath hands back text it allocated with malloc; this one holds key material.
struct OathText {
  char* data = nullptr;
  std::size_t size = 0;
  ~OathText() {
    if (data != nullptr) OPENSSL_cleanse(data, size);
    std::free(data);
  }
};

// liboath's comparison hook: 0 for a match, as strcmp. Constant time over the 6 digits, so the
// time taken does not say how many leading digits of a guess were right.
int SameCode(void* typed, const char* generated) { return CRYPTO_memcmp(typed, generated, kDigits) == 0 ? 0 : 1; }

}  // namespace

Result<TotpSecret> NewTotpSecret() {
  if (!OathReady()) return InternalError("liboath could not be initialised");
  KW_ASSIGN_OR_RETURN(SecureBuffer bytes, RandomSecret(kSecretSize));
  OathText text;
  if (oath_base32_encode(reinterpret_cast<const char*>(bytes.data()), bytes.size(), &text.data, &text.size) !=
      OATH_OK) {
    return InternalError("Base32 encoding failed");
  }
  // 20 bytes are exactly 32 Base32 characters, so there is no padding to drop; this stays
  // right if the size ever changes.
  const std::string_view encoded(text.data, text.size);
  SecureBuffer base32 = SecureBuffer::CopyOf(encoded.substr(0, encoded.find('=')));
  return TotpSecret{std::move(bytes), std::move(base32)};
}

Result<SecureBuffer> DecodeTotpSecret(std::string_view base32) {
  if (!OathReady()) return InternalError("liboath could not be initialised");
  OathText bytes;
  if (oath_base32_decode(base32.data(), base32.size(), &bytes.data, &bytes.size) != OATH_OK) {
    return InvalidArgumentError("the authenticator key is not Base32");
  }
  if (bytes.size < kMinSecretSize) return InvalidArgumentError("the authenticator key is shorter than 80 bits");
  return SecureBuffer::CopyOf(std::string_view(bytes.data, bytes.size));
}

std::string OtpauthUri(std::string_view secret_base32, std::string_view account_email, std::string_view issuer) {
  const std::string encoded_issuer = net::PercentEncode(issuer);
  return "otpauth://totp/" + encoded_issuer + ":" + net::PercentEncode(account_email) +
         "?secret=" + net::PercentEncode(secret_base32) + "&issuer=" + encoded_issuer +
         "&algorithm=SHA1&digits=6&period=30";
}

std::optional<std::int64_t> MatchTotp(std::span<const std::uint8_t> secret, std::string_view code_text, TimePoint now,
                                      int window) {
  if (secret.empty() || !OathReady()) return std::nullopt;
  std::array<char, kDigits + 1> code{};
  std::size_t digits = 0;
  for (const char c : code_text) {
    if (c == ' ') continue;
    if (digits == kDigits || c < '0' || c > '9') return std::nullopt;
    code[digits++] = c;
  }
  if (digits != kDigits) return std::nullopt;
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (seconds < 0) return std::nullopt;
  int position = 0;
  std::uint64_t step = 0;
  const int rc = oath_totp_validate4_callback(reinterpret_cast<const char*>(secret.data()), secret.size(),
                                              static_cast<time_t>(seconds), kStepSeconds, OATH_TOTP_DEFAULT_START_TIME,
                                              kDigits, static_cast<std::size_t>(std::max(window, 0)), &position, &step,
                                              /*flags: HMAC-SHA-1*/ 0, SameCode, code.data());
  OPENSSL_cleanse(code.data(), code.size());
  if (rc < 0) return std::nullopt;
  return static_cast<std::int64_t>(step);
}

}  // namespace keywarden::server::two_factor
