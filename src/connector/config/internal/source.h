// The raw settings gathered from the configuration's sources, before they are typed and checked
// (internal to connector/config*).
//
// Each reader turns its source's names into canonical keys ("auth.audience", "listen.port") and
// records the value with the name the user wrote, so that every later message can name it.
// A later source simply replaces an earlier one's value under the same key.
#ifndef KEYWARDEN_CONNECTOR_CONFIG_INTERNAL_SOURCE_H_
#define KEYWARDEN_CONNECTOR_CONFIG_INTERNAL_SOURCE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "keywarden/crypto/secure_buffer.h"
#include "keywarden/status.h"

namespace keywarden::connector::config_internal {

using Environment = std::vector<std::pair<std::string, std::string>>;

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
  // Recognised reference settings for features this build lacks, as the user named them.
  std::vector<std::string> unsupported;
};

// Records `value` under `key`. "listen" ("HOST:PORT") becomes listen.host and listen.port, so
// that it and those two override each other in source order.
Status Assign(RawSettings& settings, std::string_view key, RawValue value);

// The name the user gave `key` ("KEYWARDEN_AUTH_AUDIENCE", "auth.audience (c.toml line 3)"), or
// the key itself when it kept its default.
std::string OriginOf(const RawSettings& settings, std::string_view key);

// A secret (password, PIN) read from the file `path`, without one trailing newline: files written
// by `echo` or secret managers usually end with one. `setting` names the file's setting in errors.
Result<SecureBuffer> ReadSecretFile(const std::string& path, std::string_view setting);

// Each reader adds its source's settings; unknown names are errors.
Status ReadTomlFile(const std::string& path, RawSettings& settings);
Status ReadKeywardenEnvironment(const Environment& environment, RawSettings& settings);
Status ReadReferenceEnvironment(const Environment& environment, RawSettings& settings);

}  // namespace keywarden::connector::config_internal

#endif  // KEYWARDEN_CONNECTOR_CONFIG_INTERNAL_SOURCE_H_
