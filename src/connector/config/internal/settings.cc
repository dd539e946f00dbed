#include "connector/config/internal/settings.h"

#include <array>
#include <cstdint>
#include <limits>
#include <string_view>
#include <utility>
#include <vector>

#include "config/sections.h"
#include "config/values.h"

namespace keywarden::connector::config_internal {
namespace {

using C = ConnectorConfig;
using R = config::RawValue;
using Row = config::SettingRow<ConnectorConfig>;

constexpr std::uint64_t kDay = 86400;

Status ApplyCertificateProvider(const R& raw, C&) {
  KW_ASSIGN_OR_RETURN(std::string name, config::AsName(raw));
  if (name == "filesystem") return OkStatus();
  if (config::OneOf(name, {"store", "azurestorage", "azurekv", "vault"})) {
    return UnsupportedError("certificate provider '" + name + "' is not supported by this build (" + raw.origin + ")");
  }
  return InvalidArgumentError("unknown certificate provider '" + name + "' in " + raw.origin +
                              " (this build supports: filesystem)");
}

// The reference's pkcs11PrivateKeyId: a number, which it (through Pkcs11Interop) puts in CKA_ID
// as a CK_ULONG: 8 bytes, little-endian on the 64-bit Linux it runs on.
Status ApplyPkcs11KeyIdNumber(const R& raw, C& config) {
  std::uint64_t number = 0;
  KW_RETURN_IF_ERROR(config::SetUnsigned(raw, 0, std::numeric_limits<std::uint64_t>::max(), number));
  std::vector<std::uint8_t> id(8);
  for (std::size_t i = 0; i < id.size(); ++i) id[i] = static_cast<std::uint8_t>(number >> (8 * i));
  config.rsa_key.pkcs11.key_id = std::move(id);
  return OkStatus();
}

constexpr std::array<Row, 2> kTop = {{
    {"identity_server_uri", [](const R& r, C& c) { return config::SetString(r, c.identity_server_uri); },
     "the identity server whose tokens are accepted (required)"},
    {"web_vault_uri", [](const R& r, C& c) { return config::SetString(r, c.web_vault_uri); },
     "the web vault, whose origin CORS allows"},
}};

// The reference's key settings without a name of ours. After the [rsa_key] rows: a reference
// variable overrides, as everywhere else.
constexpr std::array<Row, 2> kReferenceKey = {{
    {"rsa_key.certificate_provider", ApplyCertificateProvider, "the reference's certificate provider (filesystem)",
     false, true, true},
    {"rsa_key.pkcs11_key_id_number", ApplyPkcs11KeyIdNumber, "the reference's numeric CKA_ID", false, true},
}};

constexpr std::array<Row, 1> kLast = {{
    {"last_access_flush_seconds",
     [](const R& r, C& c) { return config::SetInteger(r, 1, kDay, c.last_access_flush_seconds); },
     "how often batched last-access times are written"},
}};

constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kReferenceNames = {{
    {"rsa_key.pkcs11_library", "keyConnectorSettings__rsaKey__pkcs11LibraryPath"},
    {"rsa_key.pkcs11_provider", "keyConnectorSettings__rsaKey__pkcs11Provider"},
    {"rsa_key.pkcs11_token_serial", "keyConnectorSettings__rsaKey__pkcs11SlotTokenSerialNumber"},
    {"rsa_key.pkcs11_key_label", "keyConnectorSettings__rsaKey__pkcs11PrivateKeyLabel"},
    {"rsa_key.pkcs11_key_id", "keyConnectorSettings__rsaKey__pkcs11PrivateKeyId"},
    {"rsa_key.pkcs11_pin", "keyConnectorSettings__rsaKey__pkcs11LoginPin"},
}};

// Table order is the order of application after the providers, as before the sections moved.
config::SettingTable<C> BuildTable() {
  config::SettingTable<C> table;
  table.Add(config::ListenRows(), &C::listen)
      .Add(kTop)
      .Add(config::IdentityRows(), &C::auth)
      .Add(config::DatabaseRows(), &C::database)
      .Add(config::RsaKeyRows(), &C::rsa_key)
      .Add(kReferenceKey)
      .Add(config::TlsRows(), &C::tls)
      .Add(config::LimitsRows(), &C::limits)
      .Add(config::LogRows(), &C::log)
      .Add(config::MetricsRows(), &C::metrics)
      .Add(kLast);
  return table;
}

}  // namespace

const config::SettingTable<ConnectorConfig>& ConnectorSettings() {
  static const config::SettingTable<ConnectorConfig> table = BuildTable();
  return table;
}

config::AliasNames ReferenceNames() { return kReferenceNames; }

}  // namespace keywarden::connector::config_internal
