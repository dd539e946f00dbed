// ASCII case helpers: the one set every module uses for protocol names (HTTP fields, schemes,
// setting names, connection-string keys), which are ASCII and compared without the locale.
//
// Only 'A'-'Z' and 'a'-'z' change case; every other byte, UTF-8 included, compares as itself.
#ifndef KEYWARDEN_BASE_ASCII_H_
#define KEYWARDEN_BASE_ASCII_H_

#include <algorithm>
#include <string>
#include <string_view>

namespace keywarden {

constexpr char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr char AsciiUpper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

inline std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

inline std::string AsciiUpper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = AsciiUpper(c);
  return out;
}

constexpr bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return AsciiLower(x) == AsciiLower(y); });
}

constexpr bool StartsWithIgnoreAsciiCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && EqualsIgnoreAsciiCase(text.substr(0, prefix.size()), prefix);
}

// Orders strings case-insensitively; transparent, so maps keyed by it take std::string_view.
struct AsciiCaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                        [](char x, char y) { return AsciiLower(x) < AsciiLower(y); });
  }
};

}  // namespace keywarden

#endif  // KEYWARDEN_BASE_ASCII_H_
