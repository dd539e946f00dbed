#include "jose/base64url.h"

#include "base/base64_table.h"
#include "keywarden/crypto/encoding.h"

namespace keywarden::jose {

std::string Base64UrlEncode(std::span<const std::uint8_t> bytes) {
  std::string text = Base64Encode(bytes);
  while (!text.empty() && text.back() == '=') text.pop_back();
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return text;
}

std::string Base64UrlEncode(std::string_view bytes) { return Base64UrlEncode(AsBytes(bytes)); }

Result<std::vector<std::uint8_t>> Base64UrlDecode(std::string_view text) {
  // The standard alphabet's '+', '/' and '=' are not in it, so they are refused like any other byte.
  static constexpr auto kValues = internal::Base64DecodeTable(internal::kBase64UrlAlphabet);
  // A final group of one character carries fewer than 8 bits: no byte string encodes to it.
  const std::size_t tail = text.size() % 4;
  if (tail == 1) return InvalidArgumentError("invalid base64url");
  std::vector<std::uint8_t> out(text.size() / 4 * 3 + (tail == 0 ? 0 : tail - 1));
  std::size_t written = 0;
  std::uint32_t bits = 0;
  std::size_t pending = 0;  // characters in `bits`
  for (char c : text) {
    const std::uint8_t value = kValues[static_cast<unsigned char>(c)];
    if (value == internal::kNotInAlphabet) return InvalidArgumentError("invalid base64url");
    bits = bits << 6 | value;
    if (++pending == 4) {
      out[written++] = static_cast<std::uint8_t>(bits >> 16);
      out[written++] = static_cast<std::uint8_t>(bits >> 8);
      out[written++] = static_cast<std::uint8_t>(bits);
      bits = 0;
      pending = 0;
    }
  }
  // 2 characters give one byte and 4 unused bits, 3 give two bytes and 2 unused bits; the unused
  // bits must be zero, or two strings would decode to the same bytes.
  if (pending == 2) {
    if ((bits & 0x0f) != 0) return InvalidArgumentError("invalid base64url");
    out[written++] = static_cast<std::uint8_t>(bits >> 4);
  } else if (pending == 3) {
    if ((bits & 0x03) != 0) return InvalidArgumentError("invalid base64url");
    out[written++] = static_cast<std::uint8_t>(bits >> 10);
    out[written++] = static_cast<std::uint8_t>(bits >> 2);
  }
  return out;
}

}  // namespace keywarden::jose
