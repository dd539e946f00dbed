// Per-character decode tables for the base64 alphabets (RFC 4648 §4 and §5), shared by the
// library's canonical base64 and the connector's base64url.
#ifndef KEYWARDEN_BASE_BASE64_TABLE_H_
#define KEYWARDEN_BASE_BASE64_TABLE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace keywarden::internal {

inline constexpr std::uint8_t kNotInAlphabet = 0xff;
inline constexpr std::string_view kBase64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
inline constexpr std::string_view kBase64UrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Each character's 6-bit value in `alphabet`, kNotInAlphabet for every other byte.
constexpr std::array<std::uint8_t, 256> Base64DecodeTable(std::string_view alphabet) {
  std::array<std::uint8_t, 256> values{};
  values.fill(kNotInAlphabet);
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    values[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
  }
  return values;
}

}  // namespace keywarden::internal

#endif  // KEYWARDEN_BASE_BASE64_TABLE_H_
