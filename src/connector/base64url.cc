#include "connector/base64url.h"

#include "keywarden/crypto/encoding.h"

namespace keywarden::connector {

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
  // A group of one character carries fewer than 8 bits: no byte string encodes to it.
  if (text.size() % 4 == 1) return InvalidArgumentError("invalid base64url");
  std::string standard;
  standard.reserve(text.size() + 3);
  for (char c : text) {
    // The standard alphabet's own '+', '/' and '=' are not base64url.
    if (c == '+' || c == '/' || c == '=') return InvalidArgumentError("invalid base64url");
    standard.push_back(c == '-' ? '+' : c == '_' ? '/' : c);
  }
  standard.append((4 - text.size() % 4) % 4, '=');
  auto decoded = Base64Decode(standard);
  if (!decoded.ok()) return InvalidArgumentError("invalid base64url");
  return decoded;
}

}  // namespace keywarden::connector
