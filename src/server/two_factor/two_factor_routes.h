// Two-step login management for the account's owner, and the e-mail code sent at login:
//   GET  /api/two-factor                                  the providers and whether each is on
//   POST /api/two-factor/get-authenticator                a new secret to scan (or the current one)
//   PUT|POST /api/two-factor/authenticator                turns it on after a code from the app
//   POST /api/two-factor/get-email, /send-email           the address, and a code to prove it
//   PUT|POST /api/two-factor/email                        turns e-mail codes on
//   POST /api/two-factor/get-recover                      a new recovery code (shown once)
//   PUT|POST /api/two-factor/disable                      turns one provider off
//   POST /api/two-factor/send-email-login                 unauthenticated: mails a login code
// Each change needs the master password hash, and is audited.
#ifndef KEYWARDEN_SERVER_TWO_FACTOR_TWO_FACTOR_ROUTES_H_
#define KEYWARDEN_SERVER_TWO_FACTOR_TWO_FACTOR_ROUTES_H_

#include <string>

#include "http/router.h"
#include "server/accounts/account_routes.h"
#include "server/two_factor/two_factor_login.h"

namespace keywarden::server {

struct TwoFactorRoutesContext {
  AccountRoutesContext& accounts;
  const TwoFactorLogin& login;
  std::string issuer_name;  // shown by authenticator apps
};

void AddTwoFactorRoutes(http::Router& router, TwoFactorRoutesContext& context);

}  // namespace keywarden::server

#endif  // KEYWARDEN_SERVER_TWO_FACTOR_TWO_FACTOR_ROUTES_H_
