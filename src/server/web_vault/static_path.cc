#include "server/web_vault/static_path.h"

namespace keywarden::server::web_vault {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Status Refused(std::string_view why) {
  return InvalidArgumentError(std::string("web vault path: ") + std::string(why));
}

// One segment, percent-decoded and checked.
Result<std::string> DecodeSegment(std::string_view raw) {
  if (raw.empty()) return Refused("empty segment");
  std::string name;
  name.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '%') {
      const int high = i + 2 < raw.size() ? HexValue(raw[i + 1]) : -1;
      const int low = high >= 0 ? HexValue(raw[i + 2]) : -1;
      if (low < 0) return Refused("bad percent escape");
      c = static_cast<char>(high * 16 + low);
      i += 2;
    }
    const auto byte = static_cast<unsigned char>(c);
    if (c == '/' || c == '\\' || byte < 0x20 || byte == 0x7f) return Refused("forbidden character");
    name.push_back(c);
  }
  if (name.front() == '.') return Refused("hidden or relative name");
  return name;
}

}  // namespace

Result<std::vector<std::string>> ParseStaticPath(std::string_view target) {
  if (target.empty() || target.front() != '/') return Refused("not absolute");
  if (target.size() > kMaxPathBytes) return Refused("too long");
  target.remove_prefix(1);
  if (target.size() > 1 && target.back() == '/') target.remove_suffix(1);  // as the router: "//" stays two
  std::vector<std::string> names;
  if (target.empty()) return names;
  while (true) {
    if (names.size() == kMaxSegments) return Refused("too deep");
    const std::size_t slash = target.find('/');
    KW_ASSIGN_OR_RETURN(std::string name, DecodeSegment(target.substr(0, slash)));
    names.push_back(std::move(name));
    if (slash == std::string_view::npos) return names;
    target.remove_prefix(slash + 1);
  }
}

}  // namespace keywarden::server::web_vault
