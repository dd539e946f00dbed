// The PKCS#11 settings taken together: what the pkcs11 RSA key provider needs before it can start
// (internal to connector/config*).
#include "connector/config/connector_config.h"
#include "connector/config/internal/settings.h"
#include "connector/config/internal/source.h"

namespace keywarden::connector {

namespace config_internal {
namespace {

constexpr std::string_view kPrefix = "rsa_key.pkcs11_";

Status Missing(std::string_view what, std::string_view settings) {
  return InvalidArgumentError("the pkcs11 RSA key provider needs " + std::string(what) + ": set " +
                              std::string(settings));
}

}  // namespace

Status CheckPkcs11(const RawSettings& settings, ConnectorConfig& config) {
  if (config.rsa_key.provider != custody::RsaKeySettings::Provider::kPkcs11) {
    // Ignoring them would leave an operator who forgot the provider on a key file unawares.
    for (const auto& [key, raw] : settings.values) {
      if (std::string_view(key).starts_with(kPrefix)) {
        return InvalidArgumentError(raw.origin + " is set but the RSA key provider is '" +
                                    std::string(custody::RsaKeyProviderName(config.rsa_key.provider)) + "': set " +
                                    OriginOf(settings, "rsa_key.provider") + " to pkcs11, or remove the setting");
      }
    }
    return OkStatus();
  }
  custody::Pkcs11Settings& pkcs11 = config.rsa_key.pkcs11;
  if (pkcs11.library.empty() && pkcs11.provider_name.empty()) {
    return Missing("its module",
                   "rsa_key.pkcs11_library (keyConnectorSettings__rsaKey__pkcs11LibraryPath) or "
                   "rsa_key.pkcs11_provider (keyConnectorSettings__rsaKey__pkcs11Provider)");
  }
  if (pkcs11.token_serial.empty() && pkcs11.token_label.empty()) {
    return Missing("the token",
                   "rsa_key.pkcs11_token_serial (keyConnectorSettings__rsaKey__pkcs11SlotTokenSerialNumber) "
                   "or rsa_key.pkcs11_token_label");
  }
  if (!pkcs11.key_id.has_value() && pkcs11.key_label.empty()) {
    return Missing("the private key",
                   "rsa_key.pkcs11_key_label (keyConnectorSettings__rsaKey__pkcs11PrivateKeyLabel) "
                   "or rsa_key.pkcs11_key_id (keyConnectorSettings__rsaKey__pkcs11PrivateKeyId)");
  }
  if (!pkcs11.pin_file.empty()) {
    const std::string origin = OriginOf(settings, "rsa_key.pkcs11_pin_file");
    if (pkcs11.pin.has_value()) {
      return InvalidArgumentError(OriginOf(settings, "rsa_key.pkcs11_pin") + " and " + origin +
                                  " are both set: set one");
    }
    KW_ASSIGN_OR_RETURN(pkcs11.pin, ReadSecretFile(pkcs11.pin_file, origin));
    pkcs11.pin_setting = origin + " (" + pkcs11.pin_file + ")";
  }
  if (!pkcs11.pin.has_value()) {
    return Missing("a PIN",
                   "rsa_key.pkcs11_pin (keyConnectorSettings__rsaKey__pkcs11LoginPin) or rsa_key.pkcs11_pin_file");
  }
  if (pkcs11.pin->empty()) return InvalidArgumentError("the PIN in " + pkcs11.pin_setting + " is empty");
  return OkStatus();
}

}  // namespace config_internal
}  // namespace keywarden::connector
