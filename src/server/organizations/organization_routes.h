// The organisation routes (docs core.md 7 and 8), every one for a signed-in caller and every
// decision on the server, by the caller's confirmed membership (member_role.h):
//
//   POST /api/organizations                               create (who may: [organizations] creators)
//   GET  /api/organizations                               the caller's organisations
//   GET|PUT|POST /api/organizations/{id}                  details and update (owners)
//   DELETE /api/organizations/{id}, POST .../{id}/delete  delete, after the owner's password
//   GET|POST /api/organizations/{id}/keys                 the organisation's key pair (members; set once)
//   GET  /api/organizations/{id}/public-key               its public key (members, invited included)
//   POST /api/organizations/{id}/leave                    leave (not the last owner)
//
// Members (member_routes.cc), policies (policy_routes.cc) and account recovery
// (recovery_enrollment_routes.cc, recovery_routes.cc) are added with them. Anything the
// caller may not see is 404 and anything they may not do a 400 with the reference's message:
// never 401 or 403, on which the official CLI logs out.
#ifndef KEYWARDEN_SERVER_ORGANIZATIONS_ORGANIZATION_ROUTES_H_
#define KEYWARDEN_SERVER_ORGANIZATIONS_ORGANIZATION_ROUTES_H_

#include <functional>
#include <string>
#include <vector>

#include "http/router.h"
#include "mail/message.h"
#include "server/accounts/account_routes.h"
#include "server/config/server_config.h"

namespace keywarden::server {

struct OrganizationRoutesContext {
  AccountRoutesContext& accounts;  // the API context, and the password check for deletion
  // Who may create an organisation.
  ServerConfig::Organizations creation;
  // Queues a message (invitations, account recovery); empty without mail, when an existing
  // account's invitation is accepted at once (there is no way to deliver its token).
  std::function<Status(const ::keywarden::mail::Message&)> send_mail;
};

void AddOrganizationRoutes(http::Router& router, OrganizationRoutesContext& context);

}  // namespace keywarden::server

#endif  // KEYWARDEN_SERVER_ORGANIZATIONS_ORGANIZATION_ROUTES_H_
