#include "server/vault/internal/json_text.h"

#include <charconv>

namespace keywarden::server::vault::internal {

void AppendJsonString(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t copied = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.substr(copied, i - copied));
    copied = i + 1;
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default: {
        const char escape[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0x0f]};
        out.append(escape, sizeof(escape));
      }
    }
  }
  out.append(text.substr(copied));
  out.push_back('"');
}

void AppendJsonStringOrNull(const std::optional<std::string>& text, std::string& out) {
  if (text) {
    AppendJsonString(*text, out);
  } else {
    out.append("null");
  }
}

void AppendJsonInteger(std::int64_t value, std::string& out) {
  char digits[24];
  const auto [end, error] = std::to_chars(digits, digits + sizeof(digits), value);
  (void)error;  // 24 characters hold any 64-bit integer
  out.append(digits, end);
}

}  // namespace keywarden::server::vault::internal
