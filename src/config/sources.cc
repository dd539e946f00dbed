#include "config/sources.h"

#include <openssl/crypto.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "config/listen.h"

extern char** environ;

namespace keywarden::config {

RawSettings::~RawSettings() {
  for (auto& [key, raw] : values) {
    if (auto* text = std::get_if<std::string>(&raw.value); text != nullptr && !text->empty()) {
      OPENSSL_cleanse(text->data(), text->size());
    }
  }
}

Status Assign(RawSettings& settings, std::string_view key, RawValue value) {
  if (key != "listen") {
    settings.values.insert_or_assign(std::string(key), std::move(value));
    return OkStatus();
  }
  const auto* text = std::get_if<std::string>(&value.value);
  if (text == nullptr) return InvalidArgumentError(value.origin + " must be a string \"HOST:PORT\" or a table");
  auto address = ParseListen(*text);
  if (!address.ok()) return InvalidArgumentError(value.origin + ": " + address.status().message());
  settings.values.insert_or_assign("listen.host", RawValue{address->host, value.origin, false});
  settings.values.insert_or_assign("listen.port", RawValue{std::int64_t{address->port}, value.origin, false});
  return OkStatus();
}

std::string KeywardenEnvName(std::string_view key) {
  std::string name = "KEYWARDEN_";
  for (char c : key) name += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

std::string OriginOf(const RawSettings& settings, std::string_view key) {
  auto found = settings.values.find(key);
  return found == settings.values.end() ? std::string(key) : found->second.origin;
}

Result<SecureBuffer> ReadSecretFile(const std::string& path, std::string_view setting) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    return InvalidArgumentError("cannot read " + std::string(setting) + " " + path + ": " + std::strerror(errno));
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  std::size_t size = text.size();
  if (size > 0 && text[size - 1] == '\n') --size;
  if (size > 0 && text[size - 1] == '\r') --size;
  SecureBuffer secret = SecureBuffer::CopyOf(std::string_view(text).substr(0, size));
  if (!text.empty()) OPENSSL_cleanse(text.data(), text.size());
  return secret;
}

Environment ProcessEnvironment() {
  Environment out;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const std::size_t equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    out.emplace_back(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  return out;
}

}  // namespace keywarden::config
