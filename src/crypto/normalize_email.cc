// NormalizeEmail: the KDF salt is email.trim().toLowerCase() as Bitwarden's clients compute it,
// with Unicode rules (White_Space trimming, full lower-case mapping including the Greek final
// sigma), so a user whose address has non-ASCII letters derives the same master key everywhere.
#include <unicode/ucasemap.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "keywarden/crypto/kdf.h"

namespace keywarden {
namespace {

bool IsAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

std::string NormalizeAscii(std::string_view email) {
  constexpr std::string_view kWhitespace = " \t\n\v\f\r\x1c\x1d\x1e\x1f\x85";
  const std::size_t first = email.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) return "";
  const std::size_t last = email.find_last_not_of(kWhitespace);
  std::string out(email.substr(first, last - first + 1));
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The byte range of `s` without leading and trailing Unicode White_Space; nullopt if `s` is
// not valid UTF-8.
std::optional<std::string_view> TrimUnicodeWhitespace(std::string_view s) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(s.data());
  const auto length = static_cast<std::int32_t>(s.size());
  std::int32_t begin = -1;
  std::int32_t end = 0;
  for (std::int32_t i = 0; i < length;) {
    const std::int32_t start = i;
    UChar32 c = 0;
    U8_NEXT(bytes, i, length, c);
    if (c < 0) return std::nullopt;
    if (!u_isUWhiteSpace(c)) {
      if (begin < 0) begin = start;
      end = i;
    }
  }
  if (begin < 0) return std::string_view();
  return s.substr(static_cast<std::size_t>(begin), static_cast<std::size_t>(end - begin));
}

}  // namespace

std::string NormalizeEmail(std::string_view email) {
  if (IsAscii(email) || email.size() > INT32_MAX / 4) return NormalizeAscii(email);
  const std::optional<std::string_view> trimmed = TrimUnicodeWhitespace(email);
  if (!trimmed) return NormalizeAscii(email);  // not UTF-8: no client can produce it; keep it stable

  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UCaseMap, decltype(&ucasemap_close)> map(ucasemap_open("", U_FOLD_CASE_DEFAULT, &status),
                                                           &ucasemap_close);
  if (U_FAILURE(status)) return NormalizeAscii(email);
  // Lower-casing can grow a string (at most 3x in UTF-8); size generously, then shrink.
  std::string out(trimmed->size() * 3 + 4, '\0');
  const std::int32_t n = ucasemap_utf8ToLower(map.get(), out.data(), static_cast<std::int32_t>(out.size()),
                                              trimmed->data(), static_cast<std::int32_t>(trimmed->size()), &status);
  if (U_FAILURE(status) || n < 0) return NormalizeAscii(email);
  out.resize(static_cast<std::size_t>(n));
  return out;
}

}  // namespace keywarden
