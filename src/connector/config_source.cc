#include "connector/config_source.h"

#include <openssl/crypto.h>

#include "connector/config.h"

namespace keywarden::connector::config_internal {

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

}  // namespace keywarden::connector::config_internal
