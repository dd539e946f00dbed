#include "server/mail/escape.h"

#include <cstdint>

namespace keywarden::server::mail {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// The code point of the valid UTF-8 sequence at text[i] and its length, or length 0 when the
// bytes there are not one (overlong, a surrogate, beyond U+10FFFF, cut short).
struct CodePoint {
  std::uint32_t value = 0;
  std::size_t length = 0;
};

CodePoint DecodeAt(std::string_view text, std::size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  if (lead < 0x80) return {lead, 1};
  std::size_t length = 4;
  std::uint32_t value = lead & 0x07;
  std::uint32_t min = 0x10000;
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    value = lead & 0x1F;
    min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    value = lead & 0x0F;
    min = 0x800;
  } else if ((lead & 0xF8) != 0xF0) {
    return {};
  }
  if (i + length > text.size()) return {};
  for (std::size_t k = 1; k < length; ++k) {
    const auto next = static_cast<unsigned char>(text[i + k]);
    if ((next & 0xC0) != 0x80) return {};
    value = (value << 6) | (next & 0x3F);
  }
  if (value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return {};
  return {value, length};
}

// C0 and C1 controls, DEL, and the two Unicode separators that some readers show as a new line.
bool IsLineBreaking(std::uint32_t code) {
  return code < 0x20 || (code >= 0x7F && code <= 0x9F) || code == 0x2028 || code == 0x2029;
}

}  // namespace

std::string PlainValue(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const CodePoint point = DecodeAt(text, i);
    if (point.length == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    if (IsLineBreaking(point.value)) {
      out += ' ';
    } else {
      out.append(text.substr(i, point.length));
    }
    i += point.length;
  }
  return out;
}

std::string EscapeHtml(std::string_view text) {
  const std::string plain = PlainValue(text);
  std::string out;
  out.reserve(plain.size());
  for (char c : plain) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace keywarden::server::mail
