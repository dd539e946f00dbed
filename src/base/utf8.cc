#include "base/utf8.h"

#include <cstddef>

namespace keywarden {

bool IsValidUtf8(std::string_view text) {
  const auto* at = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = at + text.size();
  while (at < end) {
    const unsigned char lead = *at;
    if (lead < 0x80) {
      ++at;
      continue;
    }
    // RFC 3629's table: the lead byte fixes the length and the range of the second byte, which
    // is what excludes overlong forms, surrogates and code points above U+10FFFF.
    std::size_t length = 0;
    unsigned char second_min = 0x80;
    unsigned char second_max = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
      length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead == 0xe0) second_min = 0xa0;
      if (lead == 0xed) second_max = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead == 0xf0) second_min = 0x90;
      if (lead == 0xf4) second_max = 0x8f;
    } else {
      return false;  // a continuation byte, an overlong lead (C0, C1) or F5 to FF
    }
    if (static_cast<std::size_t>(end - at) < length) return false;
    if (at[1] < second_min || at[1] > second_max) return false;
    for (std::size_t i = 2; i < length; ++i) {
      if (at[i] < 0x80 || at[i] > 0xbf) return false;
    }
    at += length;
  }
  return true;
}

}  // namespace keywarden
