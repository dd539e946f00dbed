// The reference Key Connector's environment source: keyConnectorSettings__<section>__<key>.
//
// As in .NET configuration, names are case-insensitive and "__" separates sections. Settings for
// features this build lacks are recognised, so that an existing deployment using them is told so
// by name instead of starting with them silently ignored.
#include <algorithm>
#include <array>
#include <cctype>
#include <set>

#include "base/ascii.h"
#include "connector/config/internal/settings.h"
#include "sql/sqlite/sqlite_path.h"

namespace keywarden::connector::config_internal {
namespace {

constexpr std::string_view kPrefix = "keyconnectorsettings__";
constexpr std::string_view kSqliteConnectionString = "database__sqliteconnectionstring";

struct Mapped {
  std::string_view name;  // lower case, after the prefix
  std::string_view key;   // canonical key
};

constexpr std::array kMapped = {
    Mapped{"webvaulturi", "web_vault_uri"},
    Mapped{"identityserveruri", "identity_server_uri"},
    Mapped{"database__provider", "database.provider"},
    Mapped{kSqliteConnectionString, "database.sqlite_path"},
    Mapped{"database__postgresqlconnectionstring", "database.postgresql"},
    Mapped{"database__mysqlconnectionstring", "database.mysql"},
    Mapped{"rsakey__provider", "rsa_key.provider"},
    Mapped{"certificate__provider", "rsa_key.certificate_provider"},
    Mapped{"certificate__filesystempath", "rsa_key.key_file"},
    Mapped{"certificate__filesystempassword", "rsa_key.key_password"},
    Mapped{"rsakey__pkcs11provider", "rsa_key.pkcs11_provider"},
    Mapped{"rsakey__pkcs11librarypath", "rsa_key.pkcs11_library"},
    Mapped{"rsakey__pkcs11slottokenserialnumber", "rsa_key.pkcs11_token_serial"},
    Mapped{"rsakey__pkcs11loginusertype", "rsa_key.pkcs11_user_type"},
    Mapped{"rsakey__pkcs11loginpin", "rsa_key.pkcs11_pin"},
    Mapped{"rsakey__pkcs11privatekeylabel", "rsa_key.pkcs11_key_label"},
    Mapped{"rsakey__pkcs11privatekeyid", "rsa_key.pkcs11_key_id_number"},
};

// The reference's other settings, by section (names from its KeyConnectorSettings class).
// clang-format off
constexpr std::array<std::string_view, 4> kOtherDatabase = {
    "jsonfilepath", "sqlserverconnectionstring", "mongoconnectionstring", "mongodatabasename"};
constexpr std::array<std::string_view, 15> kOtherRsaKey = {
    "azurekeyvaulturi", "azurekeyvaultkeyname", "azurekeyvaultadtenantid", "azurekeyvaultadappid",
    "azurekeyvaultadsecret",
    "googlecloudprojectid", "googlecloudlocationid", "googlecloudkeyringid", "googlecloudkeyid",
    "googlecloudkeyversionid",
    "awsaccesskeyid", "awsaccesskeysecret", "awsregion", "awskeyid", "awsusesymmetricencryption"};
constexpr std::array<std::string_view, 16> kOtherCertificate = {
    "storethumbprint",
    "azurestorageconnectionstring", "azurestoragecontainer", "azurestoragefilename", "azurestoragefilepassword",
    "azurekeyvaulturi", "azurekeyvaultcertificatename", "azurekeyvaultadtenantid", "azurekeyvaultadappid",
    "azurekeyvaultadsecret",
    "vaultserveruri", "vaulttoken", "vaultsecretmountpoint", "vaultsecretpath", "vaultsecretdatakey",
    "vaultsecretfilepassword"};
// clang-format on

template <std::size_t N>
bool Contains(const std::array<std::string_view, N>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

const Mapped* FindMapped(std::string_view name) {
  auto found = std::find_if(kMapped.begin(), kMapped.end(), [&](const Mapped& m) { return m.name == name; });
  return found == kMapped.end() ? nullptr : &*found;
}

// A reference setting we recognise but do not implement: other providers' settings, and the
// one-shot "transferTo" migration (ours is a CLI command).
bool IsUnsupported(std::string_view name) {
  const std::size_t split = name.find("__");
  if (split == std::string_view::npos) return false;
  const std::string_view section = name.substr(0, split);
  const std::string_view key = name.substr(split + 2);
  if (section == "database") return Contains(kOtherDatabase, key);
  if (section == "rsakey") return Contains(kOtherRsaKey, key);
  if (section == "certificate") return Contains(kOtherCertificate, key);
  if (section == "transferto") {
    return key == "lockfilepath" || (key.find("__") != std::string_view::npos && !key.starts_with("transferto__") &&
                                     (FindMapped(key) || IsUnsupported(key)));
  }
  return false;
}

}  // namespace

Status ReadReferenceEnvironment(const config::Environment& environment, config::RawSettings& settings) {
  std::set<std::string> seen;
  for (const auto& [variable, value] : environment) {
    const std::string lower = AsciiLower(variable);
    if (!lower.starts_with(kPrefix)) continue;
    const std::string_view name = std::string_view(lower).substr(kPrefix.size());
    if (!seen.insert(lower).second) return InvalidArgumentError(variable + " is set twice (names ignore case)");
    if (IsUnsupported(name)) {
      settings.unsupported.push_back(variable);
      continue;
    }
    const Mapped* mapped = FindMapped(name);
    if (mapped == nullptr) return InvalidArgumentError("unknown setting " + variable);
    config::RawValue raw{value, variable, true};
    if (name == kSqliteConnectionString) {
      auto path = sql::ParseSqliteConnectionString(value);
      if (!path.ok()) return InvalidArgumentError(variable + ": " + path.status().message());
      raw.value = std::move(path).value();
    }
    KW_RETURN_IF_ERROR(config::Assign(settings, mapped->key, std::move(raw)));
  }
  return OkStatus();
}

}  // namespace keywarden::connector::config_internal
