// The single sign-on login as the official clients run it (docs member-decryption.md 7),
// anonymous routes:
//
//   GET  /identity/sso/prevalidate?domainHint=X  {"token": ...} when organisation X (its SSO
//        identifier) has single sign-on enabled; 400 "Invalid SSO identifier" otherwise.
//   GET  /identity/connect/authorize?...          checks the client's request (a known client
//        id and one of its redirect URIs, response_type=code, PKCE with S256, a state, the
//        domain hint and its prevalidation token), then redirects to the organisation's
//        identity provider with its own state, nonce and PKCE.
//   GET|POST /sso/oidc-signin?code=&state=        the provider's answer: redeems the code,
//        checks the ID token (id_token.h), signs the account in (sso_account.h) and redirects
//        to the client's redirect URI with an authorization code and the client's state. The
//        client redeems it at /identity/connect/token (grant authorization_code, with its PKCE
//        verifier: identity/token_endpoint.h).
//
// These routes answer a browser: refusals are 400 pages with one readable line, never
// redirects carrying an error to a URI that was not checked.
#ifndef KEYWARDEN_SERVER_SSO_SSO_LOGIN_ROUTES_H_
#define KEYWARDEN_SERVER_SSO_SSO_LOGIN_ROUTES_H_

#include <string>

#include "http/router.h"
#include "server/api/api_context.h"
#include "server/sso/identity_provider.h"
#include "server/sso/sso_login_store.h"

namespace keywarden::server::sso {

struct SsoLoginContext {
  api::ApiContext& api;
  SsoLoginStore& logins;
  IdentityProviders& providers;
  std::string public_url;  // https://host, where the web vault and the identity paths are
};

void AddSsoLoginRoutes(http::Router& router, SsoLoginContext& context);

// Whether `redirect_uri` is one the reference allows for `client_id` (its ApiClient): the web
// vault's and browser extensions' sso-connector.html under `public_url`, the CLI's, desktop's
// and Directory Connector's http://localhost:8065 to 8070, and the apps' own schemes.
bool IsAllowedRedirect(std::string_view client_id, std::string_view redirect_uri, std::string_view public_url);

}  // namespace keywarden::server::sso

#endif  // KEYWARDEN_SERVER_SSO_SSO_LOGIN_ROUTES_H_
