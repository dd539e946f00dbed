#include "auth/user_id.h"

#include <array>
#include <cstdint>

#include "keywarden/crypto/random.h"

namespace keywarden::auth {

Result<std::string> CanonicalUserId(std::string_view sub) {
  constexpr std::size_t kLength = 36;
  if (sub.size() != kLength) return InvalidArgumentError("the user id is not a GUID");
  std::string out(sub);
  for (std::size_t i = 0; i < kLength; ++i) {
    char& c = out[i];
    const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_position) {
      if (c != '-') return InvalidArgumentError("the user id is not a GUID");
      continue;
    }
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return InvalidArgumentError("the user id is not a GUID");
  }
  return out;
}

Result<std::string> NewGuid() {
  std::array<std::uint8_t, 16> bytes{};
  KW_RETURN_IF_ERROR(RandomBytes(bytes));
  bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string guid;
  guid.reserve(36);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) guid.push_back('-');
    guid.push_back(kHex[bytes[i] >> 4]);
    guid.push_back(kHex[bytes[i] & 0x0f]);
  }
  return guid;
}

}  // namespace keywarden::auth
