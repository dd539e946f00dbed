#include "server/events/continuation_token.h"

#include <cstdint>
#include <limits>

#include "server/api/field_error.h"

namespace keywarden::server::events {
namespace {

constexpr std::string_view kHex = "0123456789abcdef";
constexpr std::size_t kDateDigits = 16;
constexpr std::size_t kIdDigits = 32;
// The dashes of a canonical GUID, by the index of the hex digit they precede.
constexpr std::size_t kDashBefore[] = {8, 12, 16, 20};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

Status Invalid() { return api::FieldErrorStatus("ContinuationToken", "is not valid."); }

}  // namespace

std::string EncodeContinuationToken(const PagePosition& position) {
  std::string token;
  token.reserve(kDateDigits + kIdDigits);
  const auto date = static_cast<std::uint64_t>(position.date);
  for (int shift = 60; shift >= 0; shift -= 4) token += kHex[(date >> shift) & 0xF];
  for (char c : position.id) {
    if (c != '-') token += c;
  }
  return token;
}

Result<PagePosition> ParseContinuationToken(std::string_view token) {
  if (token.size() != kDateDigits + kIdDigits) return Invalid();
  std::uint64_t date = 0;
  for (std::size_t i = 0; i < kDateDigits; ++i) {
    const int digit = HexValue(token[i]);
    if (digit < 0) return Invalid();
    date = (date << 4) | static_cast<std::uint64_t>(digit);
  }
  // Dates are milliseconds since 1970 and fit in a signed 64-bit number.
  if (date > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return Invalid();
  PagePosition position;
  position.date = static_cast<TimeMs>(date);
  position.id.reserve(kIdDigits + 4);
  std::size_t dash = 0;
  for (std::size_t i = 0; i < kIdDigits; ++i) {
    const char c = token[kDateDigits + i];
    if (HexValue(c) < 0) return Invalid();
    if (dash < std::size(kDashBefore) && kDashBefore[dash] == i) {
      position.id += '-';
      ++dash;
    }
    position.id += c;
  }
  return position;
}

}  // namespace keywarden::server::events
