// POST /identity/connect/token: the grants the official clients use (core.md 3).
//
//  - password: username (e-mail) and the client's master password hash, checked with Argon2id;
//    issues an access token and a refresh token;
//    With authRequest=<id> (login with device, member-decryption.md 2.4), the password is the
//    access code of that auth request instead: an approved authenticate-and-unlock request of the
//    account, at most 15 minutes old, used once (marked when the login completes, after two-step
//    login); anything else is the wrong-password answer. From a device the account has never
//    used it is refused with the reference's "device_error" ("auth request flow unsupported on
//    unknown device"), and the request stays unused;
//  - client_credentials: the personal API key (client_id "user.<id>", client_secret); an access
//    token only, as the reference (the CLI repeats the grant when it expires);
//  - refresh_token: rotates the refresh token and issues a new access token; refused once the
//    account's security stamp has changed. A token used again after refresh_reuse_grace revokes
//    its family (a copy is in someone else's hands); within it, the same client is refreshing
//    twice at once (the official CLI does, when two requests find the access token near its end),
//    and gets an access token without a second successor.
//  - authorization_code: a single sign-on login (sso/sso_login_routes.h): the code the server
//    issued, for the same client and redirect URI, with the PKCE verifier of its challenge;
//    issues tokens like a password login, with the organisation's UserDecryptionOptions
//    (sso/sso_decryption.h). Require-SSO does not apply to it; two-step login does, and the
//    code stays valid until the login completes so that the client can present it again with
//    the second factor.
// Every grant registers the device it names (type, identifier, name).
//
// Errors are the reference's, which the CLI recognises: 400 {"error": "invalid_grant",
// "ErrorModel": {"Message": ...}} for a wrong password (the exact message the CLI turns into
// its friendlier text), {"error": "invalid_client"} for a wrong API key, the two-step answer
// with TwoFactorProviders2, 429 with Retry-After while logins are paused. Log-ins (1000), wrong
// passwords of existing accounts (1005), wrong two-step codes (1006) and recovery codes used
// (1004) are user events, as the reference logs them; refreshes are not log-ins. Response times do not
// tell whether an account exists (a missing account costs one Argon2id like a real one).
#ifndef KEYWARDEN_SERVER_IDENTITY_TOKEN_ENDPOINT_H_
#define KEYWARDEN_SERVER_IDENTITY_TOKEN_ENDPOINT_H_

#include <chrono>
#include <functional>
#include <string_view>

#include "base/clock.h"
#include "http/http_types.h"
#include "server/events/event_log.h"
#include "server/identity/hashing_gate.h"
#include "server/identity/issuer.h"
#include "server/identity/login_throttle.h"
#include "server/identity/password_hasher.h"
#include "server/sso/sso_login_store.h"
#include "server/store/devices.h"
#include "server/store/users.h"
#include "server/two_factor/two_factor_login.h"
#include "sql/database.h"

namespace keywarden::server {

struct TokenEndpointOptions {
  std::chrono::days refresh_token_lifetime{30};
  // How long after its first use a refresh token still gets an access token instead of ending
  // its family. The official CLI reuses one within milliseconds; a replay later than this is
  // treated as theft.
  std::chrono::seconds refresh_reuse_grace{30};
  // How long a login waits for an Argon2id slot before answering 503 (try again).
  std::chrono::milliseconds hashing_wait{10'000};
  // Called after a login from a device the account has not used before (a mail notice).
  std::function<void(const store::User&, const store::Device&, std::string_view client_address)> on_new_device;
  // Where log-ins, failed log-ins and two-step recoveries are logged (events/user_events.h), as
  // the reference's identity server logs them; none when null.
  events::EventLog* events = nullptr;
  // The codes single sign-on logins issue; the authorization_code grant is refused without.
  sso::SsoLoginStore* sso_logins = nullptr;
};

class TokenEndpoint {
 public:
  TokenEndpoint(sql::Database& database, Issuer& issuer, const identity::PasswordHasher& hasher,
                identity::HashingGate& gate, const LoginThrottle& throttle, const TwoFactorLogin& two_factor,
                const Clock& clock, TokenEndpointOptions options)
      : database_(database),
        issuer_(issuer),
        hasher_(hasher),
        gate_(gate),
        throttle_(throttle),
        two_factor_(two_factor),
        clock_(clock),
        options_(std::move(options)) {}

  // Runs on the blocking pool: a password grant waits for Argon2id and a commit.
  http::HttpResponse Handle(const http::HttpRequest& request) const;

  // Whether `request` is a password grant, the one grant that runs Argon2id: the token route's
  // requests that count against the hashing limit (http/concurrency_limit.h), so that refreshes
  // never queue behind a flood of logins. Quick enough for an I/O thread.
  static bool IsPasswordGrant(const http::HttpRequest& request);

 private:
  struct DeviceFields;
  http::HttpResponse PasswordGrant(const class Form& form, const http::HttpRequest& request) const;
  http::HttpResponse ClientCredentialsGrant(const class Form& form, const http::HttpRequest& request) const;
  http::HttpResponse RefreshGrant(const class Form& form, const http::HttpRequest& request) const;
  http::HttpResponse AuthorizationCodeGrant(const class Form& form, const http::HttpRequest& request) const;
  // Logs a user event about `user_id` (options_.events), from the request's device and address.
  void LogUserEvent(const std::string& user_id, events::EventType type, const class Form& form,
                    const http::HttpRequest& request) const;
  // Registers the device, stores a refresh token when `refresh`, and answers with the tokens;
  // a login through the single sign-on of `sso_organization_id` (non-empty) gets its
  // decryption options.
  http::HttpResponse Issue(const store::User& user, const class Form& form, const http::HttpRequest& request,
                           std::string client_id, std::vector<std::string> scope, bool refresh,
                           const std::string& two_factor_remember_token,
                           std::string_view sso_organization_id = {}) const;

  sql::Database& database_;
  Issuer& issuer_;
  const identity::PasswordHasher& hasher_;
  identity::HashingGate& gate_;
  const LoginThrottle& throttle_;
  const TwoFactorLogin& two_factor_;
  const Clock& clock_;
  const TokenEndpointOptions options_;
};

}  // namespace keywarden::server

#endif  // KEYWARDEN_SERVER_IDENTITY_TOKEN_ENDPOINT_H_
