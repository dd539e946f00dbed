// Manual linking of a signed-in account to its organisation's identity provider, as the web
// vault's "link SSO" and "unlink SSO" buttons ask for it (the reference's AccountsController):
//
//   GET    /api/accounts/sso/user-identifier   "<user id>,<link token>" (a JSON string). The web
//          vault sends it as `user_identifier` to /identity/connect/authorize; the token is good
//          once, for ten minutes (sso_login_store.h), and links the account the provider then
//          signs in without asking that it vouch for the e-mail address (sso_account.h).
//   DELETE /api/accounts/sso/{organizationId}  removes the caller's link to that organisation's
//          provider; event 1505 when the caller is a member. The next single sign-on login links
//          again as a first one.
#ifndef KEYWARDEN_SERVER_SSO_SSO_LINK_ROUTES_H_
#define KEYWARDEN_SERVER_SSO_SSO_LINK_ROUTES_H_

#include "http/router.h"
#include "server/api/api_context.h"
#include "server/sso/sso_login_store.h"

namespace keywarden::server::sso {

struct SsoLinkContext {
  api::ApiContext& api;
  SsoLoginStore& logins;
};

void AddSsoLinkRoutes(http::Router& router, SsoLinkContext& context);

}  // namespace keywarden::server::sso

#endif  // KEYWARDEN_SERVER_SSO_SSO_LINK_ROUTES_H_
