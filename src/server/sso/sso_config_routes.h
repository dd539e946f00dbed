// The single sign-on configuration routes (docs member-decryption.md 5 and 7), for owners,
// admins and custom members with manageSso; anyone else gets 404, as for an organisation that
// does not exist:
//
//   GET  /api/organizations/{id}/sso   the configuration (sso_config_json.h)
//   POST /api/organizations/{id}/sso   save it (sso_config_request.h, sso_config_save.h); answers
//                                      as GET
#ifndef KEYWARDEN_SERVER_SSO_SSO_CONFIG_ROUTES_H_
#define KEYWARDEN_SERVER_SSO_SSO_CONFIG_ROUTES_H_

#include "http/router.h"
#include "server/organizations/organization_routes.h"

namespace keywarden::server::sso {

void AddSsoConfigRoutes(http::Router& router, OrganizationRoutesContext& context);

}  // namespace keywarden::server::sso

#endif  // KEYWARDEN_SERVER_SSO_SSO_CONFIG_ROUTES_H_
