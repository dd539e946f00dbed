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

}  // namespace

Result<nlohmann::json> ParseJsonObject(std::string_view body) {
  if (body.empty()) return InvalidArgumentError("the request body is empty; expected a JSON object");
  nlohmann::json parsed = nlohmann::json::parse(body, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return InvalidArgumentError("the request body is not valid JSON");
  if (!parsed.is_object()) return InvalidArgumentError("the request body must be a JSON object");
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
