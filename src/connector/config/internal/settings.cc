#include "connector/config/internal/settings.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <limits>

#include "base/ascii.h"
#include "connector/config/internal/url.h"
#include "custody/pkcs11/pkcs11_module.h"

namespace keywarden::connector::config_internal {
namespace {

Result<std::string> AsString(const RawValue& raw) {
  if (const auto* text = std::get_if<std::string>(&raw.value)) return *text;
  return InvalidArgumentError(raw.origin + " must be a string");
}

Status SetString(const RawValue& raw, std::string& out) {
  KW_ASSIGN_OR_RETURN(out, AsString(raw));
  return OkStatus();
}

Status SetPath(const RawValue& raw, std::string& out) {
  KW_ASSIGN_OR_RETURN(out, AsString(raw));
  if (out.empty()) return InvalidArgumentError(raw.origin + " must not be empty");
  return OkStatus();
}

template <typename T>
Status SetInteger(const RawValue& raw, std::uint64_t min, std::uint64_t max, T& out) {
  static_assert(std::is_unsigned_v<T>);
  std::uint64_t number = 0;
  bool ok = false;
  if (const auto* integer = std::get_if<std::int64_t>(&raw.value); integer != nullptr && !raw.is_text) {
    ok = *integer >= 0;
    number = static_cast<std::uint64_t>(*integer);
  } else if (const auto* text = std::get_if<std::string>(&raw.value); text != nullptr && raw.is_text) {
    // Digits only: no sign, no spaces, no hex.
    const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), number);
    ok = !text->empty() && error == std::errc() && end == text->data() + text->size();
  }
  if (!ok || number < min || number > max) {
    return InvalidArgumentError(raw.origin + " must be an integer from " + std::to_string(min) + " to " +
                                std::to_string(max));
  }
  out = static_cast<T>(number);
  return OkStatus();
}

Status SetBool(const RawValue& raw, bool& out) {
  if (const auto* flag = std::get_if<bool>(&raw.value)) {
    out = *flag;
    return OkStatus();
  }
  if (const auto* text = std::get_if<std::string>(&raw.value); text != nullptr && raw.is_text) {
    const std::string word = AsciiLower(*text);
    if (word == "true" || word == "false") {
      out = word == "true";
      return OkStatus();
    }
  }
  return InvalidArgumentError(raw.origin + " must be true or false");
}

// Lower-cases an enumerated value; its names are not secrets, so messages may quote it.
Result<std::string> AsName(const RawValue& raw) {
  KW_ASSIGN_OR_RETURN(std::string text, AsString(raw));
  return AsciiLower(text);
}

bool OneOf(std::string_view name, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

Status ApplyDatabaseProvider(const RawValue& raw, ConnectorConfig& config) {
  KW_ASSIGN_OR_RETURN(std::string name, AsName(raw));
  if (OneOf(name, {"sqlite", "postgresql", "mysql"})) {
    config.database.provider = name;
    return OkStatus();
  }
  if (OneOf(name, {"json", "sqlserver", "mongo"})) {
    return UnsupportedError("database provider '" + name + "' is not supported by this build yet (" + raw.origin + ")");
  }
  return InvalidArgumentError("unknown database provider '" + name + "' in " + raw.origin +
                              " (this build supports: sqlite, postgresql, mysql)");
}

Status ApplyRsaKeyProvider(const RawValue& raw, ConnectorConfig& config) {
  KW_ASSIGN_OR_RETURN(std::string name, AsName(raw));
  // The reference's "certificate" provider reads a key file when its certificate provider is
  // "filesystem", the only one rsa_key.certificate_provider lets through.
  if (name == "file" || name == "certificate") {
    config.rsa_key.provider = custody::RsaKeySettings::Provider::kFile;
    return OkStatus();
  }
  if (name == "pkcs11") {
    config.rsa_key.provider = custody::RsaKeySettings::Provider::kPkcs11;
    return OkStatus();
  }
  if (OneOf(name, {"azurekv", "awskms", "gcpkms"})) {
    return UnsupportedError("RSA key provider '" + name + "' is not supported by this build (" + raw.origin + ")");
  }
  return InvalidArgumentError("unknown RSA key provider '" + name + "' in " + raw.origin +
                              " (this build supports: file, certificate, pkcs11)");
}

Status ApplyCertificateProvider(const RawValue& raw, ConnectorConfig&) {
  KW_ASSIGN_OR_RETURN(std::string name, AsName(raw));
  if (name == "filesystem") return OkStatus();
  if (OneOf(name, {"store", "azurestorage", "azurekv", "vault"})) {
    return UnsupportedError("certificate provider '" + name + "' is not supported by this build (" + raw.origin + ")");
  }
  return InvalidArgumentError("unknown certificate provider '" + name + "' in " + raw.origin +
                              " (this build supports: filesystem)");
}

Status ApplyKeyPassword(const RawValue& raw, ConnectorConfig& config) {
  const auto* text = std::get_if<std::string>(&raw.value);
  if (text == nullptr) return InvalidArgumentError(raw.origin + " must be a string");
  config.rsa_key.key_password = SecureBuffer::CopyOf(std::string_view(*text));
  return OkStatus();
}

Status ApplyPkcs11Provider(const RawValue& raw, ConnectorConfig& config) {
  KW_ASSIGN_OR_RETURN(std::string name, AsName(raw));
  if (auto known = custody::Pkcs11ProviderModuleFor(name); !known.ok()) {
    return InvalidArgumentError(raw.origin + ": " + known.status().message());
  }
  config.rsa_key.pkcs11.provider_name = std::move(name);
  return OkStatus();
}

Status ApplyPkcs11UserType(const RawValue& raw, ConnectorConfig& config) {
  KW_ASSIGN_OR_RETURN(std::string name, AsName(raw));
  using UserType = custody::Pkcs11Settings::UserType;
  for (UserType type : {UserType::kUser, UserType::kSo, UserType::kContextSpecific}) {
    if (name == custody::Pkcs11UserTypeName(type)) {
      config.rsa_key.pkcs11.user_type = type;
      return OkStatus();
    }
  }
  return InvalidArgumentError(raw.origin + " must be \"user\", \"so\" or \"context_specific\"");
}

Status ApplyPkcs11Pin(const RawValue& raw, ConnectorConfig& config) {
  const auto* text = std::get_if<std::string>(&raw.value);
  if (text == nullptr) return InvalidArgumentError(raw.origin + " must be a string");
  config.rsa_key.pkcs11.pin = SecureBuffer::CopyOf(std::string_view(*text));
  config.rsa_key.pkcs11.pin_setting = raw.origin;
  return OkStatus();
}

// Ours: the CKA_ID as hex ("01a2").
Status ApplyPkcs11KeyId(const RawValue& raw, ConnectorConfig& config) {
  KW_ASSIGN_OR_RETURN(std::string hex, AsString(raw));
  constexpr std::size_t kMaxIdBytes = 128;
  const auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
  };
  std::vector<std::uint8_t> id;
  bool ok = !hex.empty() && hex.size() % 2 == 0 && hex.size() <= 2 * kMaxIdBytes;
  for (std::size_t i = 0; ok && i < hex.size(); i += 2) {
    const int high = digit(hex[i]);
    const int low = digit(hex[i + 1]);
    ok = high >= 0 && low >= 0;
    id.push_back(static_cast<std::uint8_t>(high * 16 + low));
  }
  if (!ok) return InvalidArgumentError(raw.origin + " must be the key's CKA_ID in hex, e.g. \"01a2\" (1 to 128 bytes)");
  config.rsa_key.pkcs11.key_id = std::move(id);
  return OkStatus();
}

// The reference's pkcs11PrivateKeyId: a number, which it (through Pkcs11Interop) puts in CKA_ID
// as a CK_ULONG: 8 bytes, little-endian on the 64-bit Linux it runs on.
Status ApplyPkcs11KeyIdNumber(const RawValue& raw, ConnectorConfig& config) {
  std::uint64_t number = 0;
  KW_RETURN_IF_ERROR(SetInteger(raw, 0, std::numeric_limits<std::uint64_t>::max(), number));
  std::vector<std::uint8_t> id(8);
  for (std::size_t i = 0; i < id.size(); ++i) id[i] = static_cast<std::uint8_t>(number >> (8 * i));
  config.rsa_key.pkcs11.key_id = std::move(id);
  return OkStatus();
}

Status ApplyListenHost(const RawValue& raw, ConnectorConfig& config) {
  KW_ASSIGN_OR_RETURN(std::string host, AsString(raw));
  if (!IsValidHost(host)) return InvalidArgumentError(raw.origin + " must be a host name or IP address");
  config.listen.host = std::move(host);
  return OkStatus();
}

Status ApplyLogFormat(const RawValue& raw, ConnectorConfig& config) {
  KW_ASSIGN_OR_RETURN(std::string name, AsName(raw));
  using Format = ConnectorConfig::Log::Format;
  for (Format format : {Format::kPlain, Format::kJson}) {
    if (name == LogFormatName(format)) {
      config.log.format = format;
      return OkStatus();
    }
  }
  return InvalidArgumentError(raw.origin + " must be \"plain\" or \"json\"");
}

Status ApplyLogLevel(const RawValue& raw, ConnectorConfig& config) {
  KW_ASSIGN_OR_RETURN(std::string name, AsName(raw));
  using Level = ConnectorConfig::Log::Level;
  for (Level level : {Level::kTrace, Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    if (name == LogLevelName(level)) {
      config.log.level = level;
      return OkStatus();
    }
  }
  return InvalidArgumentError(raw.origin + " must be one of trace, debug, info, warn, error");
}

constexpr std::uint64_t kDay = 86400;
constexpr std::uint64_t kHourMs = 3600 * 1000;

using C = ConnectorConfig;
using R = RawValue;

// Table order is application order: providers come early so that an unsupported one is the
// first thing reported.
constexpr std::array kSettings = {
    SettingSpec{"database.provider", false, ApplyDatabaseProvider},
    SettingSpec{"rsa_key.provider", false, ApplyRsaKeyProvider},
    SettingSpec{"rsa_key.certificate_provider", true, ApplyCertificateProvider},
    SettingSpec{"listen.host", false, ApplyListenHost},
    SettingSpec{"listen.port", false, [](const R& r, C& c) { return SetInteger(r, 0, 65535, c.listen.port); }},
    SettingSpec{"identity_server_uri", false, [](const R& r, C& c) { return SetString(r, c.identity_server_uri); }},
    SettingSpec{"web_vault_uri", false, [](const R& r, C& c) { return SetString(r, c.web_vault_uri); }},
    SettingSpec{"auth.clock_skew_seconds", false,
                [](const R& r, C& c) { return SetInteger(r, 0, 600, c.auth.clock_skew_seconds); }},
    SettingSpec{"auth.audience", false, [](const R& r, C& c) { return SetString(r, c.auth.audience); }},
    SettingSpec{"auth.jwks_refresh_seconds", false,
                [](const R& r, C& c) { return SetInteger(r, 1, kDay, c.auth.jwks_refresh_seconds); }},
    SettingSpec{"auth.max_token_bytes", false,
                [](const R& r, C& c) { return SetInteger(r, 1024, 1 << 20, c.auth.max_token_bytes); }},
    SettingSpec{"auth.allow_insecure_identity_server", false,
                [](const R& r, C& c) { return SetBool(r, c.auth.allow_insecure_identity_server); }},
    SettingSpec{"database.sqlite_path", false, [](const R& r, C& c) { return SetPath(r, c.database.sqlite_path); }},
    SettingSpec{"database.postgresql", false, [](const R& r, C& c) { return SetString(r, c.database.postgresql); }},
    SettingSpec{"database.mysql", false, [](const R& r, C& c) { return SetString(r, c.database.mysql); }},
    SettingSpec{"database.connections", false,
                [](const R& r, C& c) { return SetInteger(r, 1, 1000, c.database.connections); }},
    SettingSpec{"rsa_key.key_file", false, [](const R& r, C& c) { return SetPath(r, c.rsa_key.key_file); }},
    SettingSpec{"rsa_key.key_password", false, ApplyKeyPassword},
    SettingSpec{"rsa_key.key_password_file", false,
                [](const R& r, C& c) { return SetString(r, c.rsa_key.key_password_file); }},
    SettingSpec{"rsa_key.pkcs11_provider", false, ApplyPkcs11Provider},
    SettingSpec{"rsa_key.pkcs11_library", false,
                [](const R& r, C& c) { return SetString(r, c.rsa_key.pkcs11.library); }},
    SettingSpec{"rsa_key.pkcs11_token_serial", false,
                [](const R& r, C& c) { return SetString(r, c.rsa_key.pkcs11.token_serial); }},
    SettingSpec{"rsa_key.pkcs11_token_label", false,
                [](const R& r, C& c) { return SetString(r, c.rsa_key.pkcs11.token_label); }},
    SettingSpec{"rsa_key.pkcs11_user_type", false, ApplyPkcs11UserType},
    SettingSpec{"rsa_key.pkcs11_pin", false, ApplyPkcs11Pin},
    SettingSpec{"rsa_key.pkcs11_pin_file", false,
                [](const R& r, C& c) { return SetPath(r, c.rsa_key.pkcs11.pin_file); }},
    SettingSpec{"rsa_key.pkcs11_key_label", false,
                [](const R& r, C& c) { return SetString(r, c.rsa_key.pkcs11.key_label); }},
    SettingSpec{"rsa_key.pkcs11_key_id", false, ApplyPkcs11KeyId},
    // After ours: a reference variable overrides, as everywhere else.
    SettingSpec{"rsa_key.pkcs11_key_id_number", true, ApplyPkcs11KeyIdNumber},
    SettingSpec{"rsa_key.pkcs11_sessions", false,
                [](const R& r, C& c) { return SetInteger(r, 1, 64, c.rsa_key.pkcs11.sessions); }},
    SettingSpec{"tls.cert_file", false, [](const R& r, C& c) { return SetString(r, c.tls.cert_file); }},
    SettingSpec{"tls.key_file", false, [](const R& r, C& c) { return SetString(r, c.tls.key_file); }},
    SettingSpec{"limits.max_body_bytes", false,
                [](const R& r, C& c) { return SetInteger(r, 1024, 16 << 20, c.limits.max_body_bytes); }},
    SettingSpec{"limits.request_timeout_ms", false,
                [](const R& r, C& c) { return SetInteger(r, 1, kHourMs, c.limits.request_timeout_ms); }},
    SettingSpec{"limits.idle_timeout_ms", false,
                [](const R& r, C& c) { return SetInteger(r, 1, kHourMs, c.limits.idle_timeout_ms); }},
    SettingSpec{"limits.max_connections", false,
                [](const R& r, C& c) { return SetInteger(r, 1, 1000000, c.limits.max_connections); }},
    SettingSpec{"limits.threads", false, [](const R& r, C& c) { return SetInteger(r, 0, 1024, c.limits.threads); }},
    SettingSpec{"log.format", false, ApplyLogFormat},
    SettingSpec{"log.level", false, ApplyLogLevel},
    SettingSpec{"log.audit", false, [](const R& r, C& c) { return SetBool(r, c.log.audit); }},
    SettingSpec{"last_access_flush_seconds", false,
                [](const R& r, C& c) { return SetInteger(r, 1, kDay, c.last_access_flush_seconds); }},
};

}  // namespace

std::span<const SettingSpec> AllSettings() { return kSettings; }

bool IsOurSetting(std::string_view key) {
  if (key == "listen") return true;
  return std::any_of(kSettings.begin(), kSettings.end(),
                     [&](const SettingSpec& spec) { return spec.key == key && !spec.reference_only; });
}

std::string KeywardenEnvName(std::string_view key) {
  std::string name = "KEYWARDEN_";
  for (char c : key) name += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

Status ApplySettings(const RawSettings& settings, ConnectorConfig& config) {
  for (const SettingSpec& spec : kSettings) {
    auto found = settings.values.find(spec.key);
    if (found != settings.values.end()) KW_RETURN_IF_ERROR(spec.apply(found->second, config));
  }
  return OkStatus();
}

}  // namespace keywarden::connector::config_internal
