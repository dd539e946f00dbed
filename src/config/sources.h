// The sources of a service's configuration, and the raw settings they gather before a setting
// table (config/settings.h) types and checks them.
//
// Each reader turns its source's names into canonical keys ("auth.audience", "listen.port") and
// records the value with the name the user wrote, so that every later message can name it. A
// later source simply replaces an earlier one's value under the same key, which is the whole of
// the precedence rule: defaults < TOML file < KEYWARDEN_* variables < an alias source.
//
// An alias source (the Key Connector's reference names) is any function that reads its own
// variables and calls Assign with canonical keys; settings it recognises but this build lacks go
// to RawSettings::unsupported.
#ifndef KEYWARDEN_CONFIG_SOURCES_H_
#define KEYWARDEN_CONFIG_SOURCES_H_

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "keywarden/crypto/secure_buffer.h"
#include "keywarden/status.h"

namespace keywarden::config {

using Environment = std::vector<std::pair<std::string, std::string>>;

// This process's environment variables, as the loaders take them.
Environment ProcessEnvironment();

// A TOML value of a type no setting takes (float, array, table, date): kept only to say so.
struct OtherType {};

struct RawValue {
  std::variant<std::string, std::int64_t, bool, OtherType> value;
  std::string origin;    // "limits.threads (connector.toml line 7)", "KEYWARDEN_LIMITS_THREADS"
  bool is_text = false;  // from the environment: a string still to be parsed as the setting's type
};

struct RawSettings {
  RawSettings() = default;
  RawSettings(const RawSettings&) = delete;
  RawSettings& operator=(const RawSettings&) = delete;
  ~RawSettings();  // wipes every string: some are passwords

  std::map<std::string, RawValue, std::less<>> values;  // by canonical key
  // Recognised alias settings for features this build lacks, as the user named them.
  std::vector<std::string> unsupported;
};

// The canonical keys a table takes from the TOML file and KEYWARDEN_* variables
// (SettingTable::Keys). "listen" is accepted as well when "listen.host" is one of them.
using SettingKeys = std::span<const std::string_view>;

// Records `value` under `key`. "listen" ("HOST:PORT") becomes listen.host and listen.port, so
// that it and those two override each other in source order.
Status Assign(RawSettings& settings, std::string_view key, RawValue value);

// The name the user gave `key` ("KEYWARDEN_AUTH_AUDIENCE", "auth.audience (c.toml line 3)"), or
// the key itself when it kept its default.
std::string OriginOf(const RawSettings& settings, std::string_view key);

// "auth.audience" -> "KEYWARDEN_AUTH_AUDIENCE".
std::string KeywardenEnvName(std::string_view key);

// A secret (password, PIN) read from the file `path`, without one trailing newline: files written
// by `echo` or secret managers usually end with one. `setting` names the file's setting in errors.
Result<SecureBuffer> ReadSecretFile(const std::string& path, std::string_view setting);

// `[section] key = value`, top-level `key = value` for keys without a dot. Unknown keys and
// sections are errors; syntax errors on a line that may hold a password are not quoted.
Status ReadTomlFile(const std::string& path, SettingKeys keys, RawSettings& settings);

// KEYWARDEN_<SECTION>_<KEY>. Any other KEYWARDEN_* variable is an error, except the `ignored`
// ones (KEYWARDEN_CONFIG, which names the file); variables without the prefix are not ours.
Status ReadKeywardenEnvironment(const Environment& environment, SettingKeys keys,
                                std::span<const std::string_view> ignored, RawSettings& settings);

}  // namespace keywarden::config

#endif  // KEYWARDEN_CONFIG_SOURCES_H_
