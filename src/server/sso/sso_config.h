// An organisation's single sign-on configuration (docs member-decryption.md 5 and 7; the
// reference's SsoConfig and SsoConfigurationData): OpenID Connect settings toward the
// organisation's identity provider and how its members decrypt their vaults.
//
// The settings are stored as one JSON object (StoredDataJson/ParseStoredData) so that a setting
// added later needs no schema change. Only OpenID Connect is supported; SAML 2.0 is refused
// when a configuration is saved (sso_config_request.h).
//
// Thread-safe; no state.
#ifndef KEYWARDEN_SERVER_SSO_SSO_CONFIG_H_
#define KEYWARDEN_SERVER_SSO_SSO_CONFIG_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/time.h"
#include "keywarden/status.h"

namespace keywarden::server::sso {

// The reference's numbers (SsoType, MemberDecryptionType, OpenIdConnectRedirectBehavior).
enum class SsoType { kOpenIdConnect = 1, kSaml2 = 2 };
enum class MemberDecryptionType { kMasterPassword = 0, kKeyConnector = 1, kTrustedDeviceEncryption = 2 };
enum class RedirectBehavior { kRedirectGet = 0, kFormPost = 1 };

std::optional<MemberDecryptionType> MemberDecryptionTypeFromInt(long long value);

// The OpenID Connect settings and member decryption, as the admin console edits them. The
// claim types and scopes are comma-separated lists, as the reference keeps them; the login flow
// reads them with SplitList. PKCE toward the provider is always used (as the reference's
// OpenID Connect handler does by default), so it is no setting.
struct SsoConfigData {
  MemberDecryptionType member_decryption_type = MemberDecryptionType::kMasterPassword;
  std::string key_connector_url;  // set for kKeyConnector
  std::string authority;          // the provider's issuer URL; discovery is {authority}/.well-known/...
  std::string client_id;
  std::string client_secret;     // never logged
  std::string metadata_address;  // the discovery document's URL when it is not under the authority
  RedirectBehavior redirect_behavior = RedirectBehavior::kRedirectGet;
  bool get_claims_from_user_info_endpoint = false;
  std::string additional_scopes;  // beyond openid, email and profile
  std::string additional_user_id_claim_types;
  std::string additional_email_claim_types;
  std::string additional_name_claim_types;
  std::string acr_values;
  std::string expected_return_acr_value;

  bool operator==(const SsoConfigData&) const = default;
  // Key Connector is on: the type is Key Connector and a URL is set (the clients'
  // keyConnectorEnabled).
  bool KeyConnectorEnabled() const {
    return member_decryption_type == MemberDecryptionType::kKeyConnector && !key_connector_url.empty();
  }
};

struct SsoConfig {
  std::string organization_id;
  bool enabled = false;
  SsoConfigData data;
  TimeMs creation_date = 0;
  TimeMs revision_date = 0;
};

// The stored form of `data`: a JSON object with camelCase members.
std::string StoredDataJson(const SsoConfigData& data);
// The stored form read back; unknown members are ignored and missing ones take their defaults,
// so that rows written by an older version still read. kInternal when it is not a JSON object.
Result<SsoConfigData> ParseStoredData(std::string_view stored);

// "a, b,,c" -> {"a", "b", "c"}: the entries of a comma-separated setting, trimmed, empty ones
// dropped (the reference's GetAdditionalScopes and friends).
std::vector<std::string> SplitList(std::string_view list);

}  // namespace keywarden::server::sso

#endif  // KEYWARDEN_SERVER_SSO_SSO_CONFIG_H_
