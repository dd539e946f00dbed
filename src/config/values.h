// Value parsers for setting rows: each checks a raw value's type and range and stores it.
//
// Errors name raw.origin, never the value: a value may be a secret. Values from the environment
// arrive as text (RawValue::is_text) and are parsed here; TOML values must already have the type.
#ifndef KEYWARDEN_CONFIG_VALUES_H_
#define KEYWARDEN_CONFIG_VALUES_H_

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "config/sources.h"
#include "keywarden/crypto/secure_buffer.h"
#include "keywarden/status.h"
#include "net/url.h"

namespace keywarden::config {

Result<std::string> AsString(const RawValue& raw);
// An enumerated value, lower-cased; its names are not secrets, so messages may quote it.
Result<std::string> AsName(const RawValue& raw);
bool OneOf(std::string_view name, std::initializer_list<std::string_view> names);

Status SetString(const RawValue& raw, std::string& out);
Status SetPath(const RawValue& raw, std::string& out);  // a string that must not be empty
Status SetBool(const RawValue& raw, bool& out);         // true/false, any case from the environment
Status SetSecret(const RawValue& raw, std::optional<SecureBuffer>& out);
// Digits only from the environment: no sign, no spaces, no hex.
Status SetUnsigned(const RawValue& raw, std::uint64_t min, std::uint64_t max, std::uint64_t& out);

template <typename T>
Status SetInteger(const RawValue& raw, std::uint64_t min, std::uint64_t max, T& out) {
  static_assert(std::is_unsigned_v<T>);
  std::uint64_t number = 0;
  KW_RETURN_IF_ERROR(SetUnsigned(raw, min, std::min<std::uint64_t>(max, std::numeric_limits<T>::max()), number));
  out = static_cast<T>(number);
  return OkStatus();
}

// An absolute http(s) URL setting (net::ParseHttpUrl's rules), checked after loading; `origin`
// names the setting in the error ("KEYWARDEN_WEB_VAULT_URI must be an absolute http(s) URL: ...").
Result<net::HttpUrl> ParseUrlSetting(std::string_view text, std::string_view origin);

}  // namespace keywarden::config

#endif  // KEYWARDEN_CONFIG_VALUES_H_
