// The TOML file source. toml++ reports syntax errors by exception; they stop here.
#include <openssl/crypto.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "config/sources.h"

namespace keywarden::config {
namespace {

void Wipe(std::string& text) {
  if (!text.empty()) OPENSSL_cleanse(text.data(), text.size());
}

std::string Where(const std::string& path, const toml::source_region& region) {
  return "(" + path + " line " + std::to_string(region.begin.line) + ")";
}

bool IsKey(SettingKeys keys, std::string_view key) {
  if (key == "listen") key = "listen.host";  // the shorthand "HOST:PORT"
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

Status ReadValue(const std::string& key, toml::node& node, const std::string& path, SettingKeys keys,
                 RawSettings& settings) {
  const std::string origin = key + " " + Where(path, node.source());
  if (!IsKey(keys, key)) return InvalidArgumentError("unknown setting " + origin);
  RawValue raw{OtherType{}, origin, false};
  if (auto* text = node.as_string()) {
    raw.value = text->get();
    Wipe(text->get());  // the file may hold the key password; keep one copy only
  } else if (auto* integer = node.as_integer()) {
    raw.value = integer->get();
  } else if (auto* flag = node.as_boolean()) {
    raw.value = flag->get();
  }
  return Assign(settings, key, std::move(raw));
}

bool IsSection(SettingKeys keys, std::string_view name) {
  for (std::string_view key : keys) {
    if (key.size() > name.size() && key.starts_with(name) && key[name.size()] == '.') {
      return true;
    }
  }
  return false;
}

Status ReadTable(toml::table& root, const std::string& path, SettingKeys keys, RawSettings& settings) {
  for (auto&& [name, node] : root) {
    const std::string key(name.str());
    auto* section = node.as_table();
    if (section == nullptr) {
      KW_RETURN_IF_ERROR(ReadValue(key, node, path, keys, settings));
      continue;
    }
    if (!IsSection(keys, key))
      return InvalidArgumentError("unknown section [" + key + "] " + Where(path, node.source()));
    for (auto&& [inner_name, inner] : *section) {
      KW_RETURN_IF_ERROR(ReadValue(key + "." + std::string(inner_name.str()), inner, path, keys, settings));
    }
  }
  return OkStatus();
}

// toml++ may quote a character of the offending text; say nothing of a line that may hold a password.
bool LineMentionsPassword(std::string_view text, std::size_t line) {
  std::size_t start = 0;
  for (std::size_t n = 1; n < line && start != std::string_view::npos; ++n) {
    start = text.find('\n', start);
    if (start != std::string_view::npos) ++start;
  }
  if (start == std::string_view::npos) return false;
  std::string content(text.substr(start, text.find('\n', start) - start));
  std::transform(content.begin(), content.end(), content.begin(), [](unsigned char c) { return std::tolower(c); });
  // Database connection strings hold passwords too, also in URL form (user:password@host).
  return content.find("password") != std::string::npos || content.find("postgresql") != std::string::npos ||
         content.find("mysql") != std::string::npos;
}

}  // namespace

Status ReadTomlFile(const std::string& path, SettingKeys keys, RawSettings& settings) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return InvalidArgumentError("cannot read config file " + path + ": " + std::strerror(errno));
  std::ostringstream buffer;
  buffer << file.rdbuf();
  std::string text = std::move(buffer).str();
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& error) {
    const std::size_t line = error.source().begin.line;
    const std::string detail = LineMentionsPassword(text, line)
                                   ? "syntax error (details withheld: the line holds a password)"
                                   : std::string(error.description());
    Wipe(text);
    return InvalidArgumentError("config file " + path + " line " + std::to_string(line) + ": " + detail);
  }
  Wipe(text);
  return ReadTable(root, path, keys, settings);
}

}  // namespace keywarden::config
