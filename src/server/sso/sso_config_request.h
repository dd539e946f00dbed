// The body of POST /api/organizations/{id}/sso as the admin console sends it (the reference's
// OrganizationSsoRequestModel with SsoConfigurationDataRequest), checked:
//
//   {"enabled": bool, "identifier": "acme" | null,
//    "data": {"configType": 1, "memberDecryptionType": 0 | 1 | 2, "keyConnectorUrl": ...,
//             "authority", "clientId", "clientSecret", "metadataAddress", "redirectBehavior": 0 | 1,
//             "getClaimsFromUserInfoEndpoint", "additionalScopes", "additionalUserIdClaimTypes",
//             "additionalEmailClaimTypes", "additionalNameClaimTypes", "acrValues",
//             "expectedReturnAcrValue", ...SAML members, ignored}}
//
// Member names match without regard to case; null is absent. Only OpenID Connect (configType
// 1): SAML 2.0 (2) is refused with a message that says so. The authority, the metadata address
// and the Key Connector URL must be https URLs (plain http only to a loopback host, for local
// tests); authority, client id and client secret are required, as the reference requires
// them; Key Connector (1) needs its URL. The older `keyConnectorEnabled` boolean stands for
// memberDecryptionType 1 when the type is absent. Errors are field errors (api/field_error.h).
//
// Thread-safe; no state. Fuzzed (fuzz/organization_body_fuzz.cc).
#ifndef KEYWARDEN_SERVER_SSO_SSO_CONFIG_REQUEST_H_
#define KEYWARDEN_SERVER_SSO_SSO_CONFIG_REQUEST_H_

#include <string>

#include <nlohmann/json.hpp>

#include "keywarden/status.h"
#include "server/sso/sso_config.h"

namespace keywarden::server::sso {

// The reference's limit on the identifier (StringLength(50)).
inline constexpr std::size_t kMaxIdentifierChars = 50;

struct SsoConfigRequest {
  bool enabled = false;
  std::string identifier;  // empty clears it
  SsoConfigData data;
};

Result<SsoConfigRequest> ParseSsoConfigRequest(const nlohmann::json& body);

}  // namespace keywarden::server::sso

#endif  // KEYWARDEN_SERVER_SSO_SSO_CONFIG_REQUEST_H_
