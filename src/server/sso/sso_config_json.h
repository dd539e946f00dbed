// GET and POST /api/organizations/{id}/sso answer the reference's OrganizationSsoResponseModel:
//
//   {"enabled": bool, "identifier": "acme" | null,
//    "data": {...every SsoConfigurationData member, camelCase...} | null (never saved),
//    "urls": {"callbackPath", "signedOutCallbackPath", "spEntityId", "spEntityIdStatic",
//             "spMetadataUrl", "spAcsUrl"},
//    "object": "organizationSso"}
//
// `data` carries the client secret, as the reference's does: the admin console shows it back to
// the administrators who may edit it, and only they may read this. The SAML members carry the
// reference's defaults, since only OpenID Connect is stored. `urls` are where this server's
// single sign-on lives: the callback is the redirect URI to register at the provider.
//
// Thread-safe; no state.
#ifndef KEYWARDEN_SERVER_SSO_SSO_CONFIG_JSON_H_
#define KEYWARDEN_SERVER_SSO_SSO_CONFIG_JSON_H_

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "server/organizations/organization_store.h"
#include "server/sso/sso_config.h"

namespace keywarden::server::sso {

// Where the login flow receives the provider's answer, under the server's public URL
// (https://host): "{public_url}/sso/oidc-signin"; the sign-out one ends in "/oidc-signedout".
std::string OidcCallbackUrl(std::string_view public_url);
std::string OidcSignedOutCallbackUrl(std::string_view public_url);

nlohmann::json OrganizationSsoJson(const organizations::Organization& organization,
                                   const std::optional<SsoConfig>& config, std::string_view public_url);

}  // namespace keywarden::server::sso

#endif  // KEYWARDEN_SERVER_SSO_SSO_CONFIG_JSON_H_
