#include "connector/user_keys/key_body.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <string>

#include "base/ascii.h"
#include "connector/user_keys/user_key_service.h"
#include "keywarden/crypto/encoding.h"

namespace keywarden::connector {
namespace {

// "application/json", optionally with parameters ("; charset=utf-8").
bool IsJsonContentType(std::string_view content_type) {
  const std::size_t semicolon = content_type.find(';');
  std::string_view media = content_type.substr(0, semicolon);
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
  while (!media.empty() && (media.front() == ' ' || media.front() == '\t')) media.remove_prefix(1);
  return EqualsIgnoreAsciiCase(media, "application/json");
}

}  // namespace

Result<SecureBuffer> ParseKeyBody(std::string_view content_type, std::string_view body) {
  if (!IsJsonContentType(content_type)) return UnsupportedError("the body must be application/json");
  if (body.empty()) return InvalidArgumentError("a JSON body with a key is required");
  const nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return InvalidArgumentError("the body is not valid JSON");
  if (!json.is_object()) return InvalidArgumentError("the body must be a JSON object");

  const nlohmann::json* key = nullptr;
  for (const auto& [name, value] : json.items()) {
    if (!EqualsIgnoreAsciiCase(name, "key")) continue;
    if (key != nullptr) return InvalidArgumentError("the body names the key more than once");
    key = &value;
  }
  if (key == nullptr) return InvalidArgumentError("the body has no key");
  if (!key->is_string()) return InvalidArgumentError("the key must be a base64 string");
  auto bytes = Base64DecodeSecret(key->get_ref<const std::string&>());
  if (!bytes.ok()) return InvalidArgumentError("the key is not valid base64");
  KW_RETURN_IF_ERROR(UserKeyService::CheckKeySize(bytes->span()));
  return std::move(bytes).value();
}

}  // namespace keywarden::connector
