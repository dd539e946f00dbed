#include "http/json.h"

#include <algorithm>

namespace keywarden::http {
namespace {

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Locale-independent: only A-Z fold, so a non-ASCII byte never matches anything but itself.
bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](char x, char y) { return AsciiLower(x) == AsciiLower(y); });
}

// Whether valid JSON `text` holds the escape \u0000: the only way a NUL gets into a JSON string
// (a raw control character is not valid JSON). An escape is a 'u' after an odd run of
// backslashes; after an even run the backslashes escape each other.
bool HoldsNulEscape(std::string_view text) {
  for (std::size_t at = text.find("u0000"); at != std::string_view::npos; at = text.find("u0000", at + 1)) {
    std::size_t backslashes = 0;
    while (backslashes < at && text[at - 1 - backslashes] == '\\') ++backslashes;
    if (backslashes % 2 == 1) return true;
  }
  return false;
}

}  // namespace

Result<nlohmann::json> ParseJsonObject(std::string_view body) {
  if (body.empty()) return InvalidArgumentError("the request body is empty; expected a JSON object");
  nlohmann::json parsed = nlohmann::json::parse(body, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return InvalidArgumentError("the request body is not valid JSON");
  if (!parsed.is_object()) return InvalidArgumentError("the request body must be a JSON object");
  if (HoldsNulEscape(body)) return InvalidArgumentError("the request body holds a NUL character (\\u0000)");
  return parsed;
}

const nlohmann::json* FindField(const nlohmann::json& object, std::string_view name) {
  if (!object.is_object()) return nullptr;
  auto exact = object.find(name);
  if (exact != object.end()) return &*exact;
  for (auto member = object.begin(); member != object.end(); ++member) {
    if (EqualsIgnoringAsciiCase(member.key(), name)) return &member.value();
  }
  return nullptr;
}

}  // namespace keywarden::http
