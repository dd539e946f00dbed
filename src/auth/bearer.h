// Bearer authentication as a route's wrapper: the handler runs only for a verified caller.
//
//   router.Add("GET", "/user-keys", auth::Bearer(verifier, [](const HttpRequest& r, const Principal& p) {...}));
//
// A refused token is answered here, never by the handler: 401 with
// `WWW-Authenticate: Bearer error="invalid_token"` for a missing, malformed, expired or forged
// token; 403 with error="insufficient_scope" when the claims break the service's policy (scope,
// amr); 503 when the identity server's keys cannot be had. The body is the usual
// {"message": ...}; it names the reason, never the token.
#ifndef KEYWARDEN_AUTH_BEARER_H_
#define KEYWARDEN_AUTH_BEARER_H_

#include <functional>
#include <string>

#include "auth/principal.h"
#include "auth/token_verifier.h"
#include "base/clock.h"
#include "http/http_types.h"
#include "http/router.h"
#include "jose/jws.h"
#include "telemetry/metrics.h"

namespace keywarden::auth {

using AuthenticatedHandler = std::function<http::HttpResponse(const http::HttpRequest&, const Principal&)>;

struct BearerOptions {
  // Refusals counted by reason (label "reason", jose::TokenFailureName); may be null.
  telemetry::Counter* failures = nullptr;
  // The scope named in a 403's WWW-Authenticate header (the policy's required scope).
  std::string scope = "api";
  // The time tokens are checked at; must outlive the handler.
  const Clock* clock = &Clock::System();
};

// 401 for authentication failures, 403 for kInsufficientScope and kWrongAmr, 503 for
// kKeysUnavailable.
int HttpStatusForTokenFailure(jose::TokenFailure failure);

// The answer to a refused token, as described above.
http::HttpResponse TokenRefusal(const jose::TokenError& error, const BearerOptions& options);

// `handler`, run only after `verifier` accepts the request's Authorization header (at
// options.clock's now). `verifier` must outlive the returned handler.
http::Handler Bearer(TokenVerifier& verifier, AuthenticatedHandler handler, BearerOptions options = {});

// A body gate (http/router.h) that refuses, before the body is read, a request whose token
// `verifier` refuses, with the answer Bearer would give (and counts it the same way). Put it on
// routes that take a body: an unauthenticated upload is then never buffered. Bearer still checks
// the whole request (a second verification of the same token is a cache hit).
http::BodyGate BearerBodyGate(TokenVerifier& verifier, BearerOptions options = {});

}  // namespace keywarden::auth

#endif  // KEYWARDEN_AUTH_BEARER_H_
