#include "server/api/ids.h"

#include <array>
#include <cstdint>

#include "auth/user_id.h"
#include "keywarden/crypto/random.h"

namespace keywarden::server::api {

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

std::optional<std::string> ParseGuid(std::string_view text) {
  auto canonical = auth::CanonicalUserId(text);
  if (!canonical.ok()) return std::nullopt;
  return *std::move(canonical);
}

}  // namespace keywarden::server::api
