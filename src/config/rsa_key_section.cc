#include "config/rsa_key_section.h"

#include <array>
#include <cctype>
#include <cstdint>
#include <string>
#include <vector>

#include "config/values.h"
#include "custody/pkcs11/pkcs11_module.h"

namespace keywarden::config {
namespace {

using S = custody::RsaKeySettings;
using R = RawValue;

Status ApplyProvider(const RawValue& raw, S& rsa_key) {
  KW_ASSIGN_OR_RETURN(std::string name, AsName(raw));
  // The reference's "certificate" provider reads a key file when its certificate provider is
  // "filesystem", the only one rsa_key.certificate_provider lets through.
  if (name == "file" || name == "certificate") {
    rsa_key.provider = S::Provider::kFile;
    return OkStatus();
  }
  if (name == "pkcs11") {
    rsa_key.provider = S::Provider::kPkcs11;
    return OkStatus();
  }
  if (OneOf(name, {"azurekv", "awskms", "gcpkms"})) {
    return UnsupportedError("RSA key provider '" + name + "' is not supported by this build (" + raw.origin + ")");
  }
  return InvalidArgumentError("unknown RSA key provider '" + name + "' in " + raw.origin +
                              " (this build supports: file, certificate, pkcs11)");
}

Status ApplyPkcs11Provider(const RawValue& raw, S& rsa_key) {
  KW_ASSIGN_OR_RETURN(std::string name, AsName(raw));
  if (auto known = custody::Pkcs11ProviderModuleFor(name); !known.ok()) {
    return InvalidArgumentError(raw.origin + ": " + known.status().message());
  }
  rsa_key.pkcs11.provider_name = std::move(name);
  return OkStatus();
}

Status ApplyPkcs11UserType(const RawValue& raw, S& rsa_key) {
  KW_ASSIGN_OR_RETURN(std::string name, AsName(raw));
  using UserType = custody::Pkcs11Settings::UserType;
  for (UserType type : {UserType::kUser, UserType::kSo, UserType::kContextSpecific}) {
    if (name == custody::Pkcs11UserTypeName(type)) {
      rsa_key.pkcs11.user_type = type;
      return OkStatus();
    }
  }
  return InvalidArgumentError(raw.origin + " must be \"user\", \"so\" or \"context_specific\"");
}

Status ApplyPkcs11Pin(const RawValue& raw, S& rsa_key) {
  KW_RETURN_IF_ERROR(SetSecret(raw, rsa_key.pkcs11.pin));
  rsa_key.pkcs11.pin_setting = raw.origin;
  return OkStatus();
}

// The CKA_ID as hex ("01a2").
Status ApplyPkcs11KeyId(const RawValue& raw, S& rsa_key) {
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
  rsa_key.pkcs11.key_id = std::move(id);
  return OkStatus();
}

constexpr std::array<SettingRow<S>, 14> kRows = {{
    {"rsa_key.provider", ApplyProvider, "file or pkcs11", false, false, true},
    {"rsa_key.key_file", [](const R& r, S& s) { return SetPath(r, s.key_file); }, "PKCS#12 or PEM key file"},
    {"rsa_key.key_password", [](const R& r, S& s) { return SetSecret(r, s.key_password); }, "the key file's password",
     true},
    {"rsa_key.key_password_file", [](const R& r, S& s) { return SetString(r, s.key_password_file); },
     "file holding the key file's password"},
    {"rsa_key.pkcs11_provider", ApplyPkcs11Provider, "known PKCS#11 module by name (softhsm, yubihsm, opensc)"},
    {"rsa_key.pkcs11_library", [](const R& r, S& s) { return SetString(r, s.pkcs11.library); }, "PKCS#11 module path"},
    {"rsa_key.pkcs11_token_serial", [](const R& r, S& s) { return SetString(r, s.pkcs11.token_serial); },
     "token serial number"},
    {"rsa_key.pkcs11_token_label", [](const R& r, S& s) { return SetString(r, s.pkcs11.token_label); },
     "token label, when no serial is given"},
    {"rsa_key.pkcs11_user_type", ApplyPkcs11UserType, "user, so or context_specific"},
    {"rsa_key.pkcs11_pin", ApplyPkcs11Pin, "token PIN", true},
    {"rsa_key.pkcs11_pin_file", [](const R& r, S& s) { return SetPath(r, s.pkcs11.pin_file); },
     "file holding the token PIN"},
    {"rsa_key.pkcs11_key_label", [](const R& r, S& s) { return SetString(r, s.pkcs11.key_label); },
     "private key CKA_LABEL"},
    {"rsa_key.pkcs11_key_id", ApplyPkcs11KeyId, "private key CKA_ID in hex"},
    {"rsa_key.pkcs11_sessions", [](const R& r, S& s) { return SetInteger(r, 1, 64, s.pkcs11.sessions); },
     "logged-in sessions kept open"},
}};

// "key (alias)", or the key alone when the alias source has no name for it.
std::string Named(AliasNames aliases, std::string_view key) {
  for (const auto& [canonical, alias] : aliases) {
    if (canonical == key) return std::string(key) + " (" + std::string(alias) + ")";
  }
  return std::string(key);
}

Status Missing(std::string_view what, const std::string& settings) {
  return InvalidArgumentError("the pkcs11 RSA key provider needs " + std::string(what) + ": set " + settings);
}

Status LoadKeyPassword(const RawSettings& settings, std::string_view prefix, S& rsa_key) {
  const std::string& path = rsa_key.key_password_file;
  if (path.empty()) return OkStatus();
  const std::string p(prefix);
  if (rsa_key.key_password.has_value()) {
    return InvalidArgumentError(OriginOf(settings, p + "key_password") + " and " +
                                OriginOf(settings, p + "key_password_file") + " are both set: set one");
  }
  KW_ASSIGN_OR_RETURN(rsa_key.key_password, ReadSecretFile(path, p + "key_password_file"));
  return OkStatus();
}

// `prefix` is the section's ("rsa_key.", "signing_key."): the rows are the same.
Status CheckPkcs11(const RawSettings& settings, AliasNames aliases, std::string_view prefix, S& rsa_key) {
  const std::string p(prefix);
  const std::string pkcs11_prefix = p + "pkcs11_";
  if (rsa_key.provider != S::Provider::kPkcs11) {
    // Ignoring them would leave an operator who forgot the provider on a key file unawares.
    for (const auto& [key, raw] : settings.values) {
      if (std::string_view(key).starts_with(pkcs11_prefix)) {
        return InvalidArgumentError(raw.origin + " is set but the RSA key provider is '" +
                                    std::string(custody::RsaKeyProviderName(rsa_key.provider)) + "': set " +
                                    OriginOf(settings, p + "provider") + " to pkcs11, or remove the setting");
      }
    }
    return OkStatus();
  }
  custody::Pkcs11Settings& pkcs11 = rsa_key.pkcs11;
  const auto named = [&](std::string_view name) { return Named(aliases, p + std::string(name)); };
  if (pkcs11.library.empty() && pkcs11.provider_name.empty()) {
    return Missing("its module", named("pkcs11_library") + " or " + named("pkcs11_provider"));
  }
  if (pkcs11.token_serial.empty() && pkcs11.token_label.empty()) {
    return Missing("the token", named("pkcs11_token_serial") + " or " + named("pkcs11_token_label"));
  }
  if (!pkcs11.key_id.has_value() && pkcs11.key_label.empty()) {
    return Missing("the private key", named("pkcs11_key_label") + " or " + named("pkcs11_key_id"));
  }
  if (!pkcs11.pin_file.empty()) {
    const std::string origin = OriginOf(settings, p + "pkcs11_pin_file");
    if (pkcs11.pin.has_value()) {
      return InvalidArgumentError(OriginOf(settings, p + "pkcs11_pin") + " and " + origin + " are both set: set one");
    }
    KW_ASSIGN_OR_RETURN(pkcs11.pin, ReadSecretFile(pkcs11.pin_file, origin));
    pkcs11.pin_setting = origin + " (" + pkcs11.pin_file + ")";
  }
  if (!pkcs11.pin.has_value()) {
    return Missing("a PIN", named("pkcs11_pin") + " or " + named("pkcs11_pin_file"));
  }
  if (pkcs11.pin->empty()) return InvalidArgumentError("the PIN in " + pkcs11.pin_setting + " is empty");
  return OkStatus();
}

}  // namespace

std::span<const SettingRow<S>> RsaKeyRows() { return kRows; }

std::span<const SettingRow<S>> SigningKeyRows() {
  // The same rows under signing_key.*: the keys' text must outlive the table, so it is kept here.
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> out;
    out.reserve(kRows.size());
    for (const auto& row : kRows) out.push_back("signing_key." + std::string(row.key.substr(row.key.find('.') + 1)));
    return out;
  }();
  static const std::vector<SettingRow<S>> rows = [] {
    std::vector<SettingRow<S>> out(kRows.begin(), kRows.end());
    for (std::size_t i = 0; i < out.size(); ++i) out[i].key = keys[i];
    return out;
  }();
  return rows;
}

Status CheckRsaKey(const RawSettings& settings, AliasNames aliases, custody::RsaKeySettings& rsa_key) {
  KW_RETURN_IF_ERROR(LoadKeyPassword(settings, "rsa_key.", rsa_key));
  return CheckPkcs11(settings, aliases, "rsa_key.", rsa_key);
}

Status CheckSigningKey(const RawSettings& settings, custody::RsaKeySettings& signing_key) {
  KW_RETURN_IF_ERROR(LoadKeyPassword(settings, "signing_key.", signing_key));
  return CheckPkcs11(settings, AliasNames{}, "signing_key.", signing_key);
}

}  // namespace keywarden::config
