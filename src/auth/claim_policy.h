// ClaimPolicy: what a service requires of a token's claims, as a value.
//
// The verifier (auth/token_verifier.h) checks the signature; the policy decides whether the
// claims admit the caller. Each service passes its own: the Key Connector's
// (connector/claim_policy.h) wants scope "api" and amr "Application" or "external"; the server's
// API and its admin routes will want others. Checked, in this order:
//  - `iss` equals `issuer` exactly;
//  - `exp` is required, `nbf` (if present) honoured, and an `iat` in the future refused, each
//    with `clock_skew`;
//  - when `max_lifetime` is set, `exp - iat` (or, without `iat`, `exp - now` less `clock_skew`)
//    must not exceed it: a stolen token must not stay useful for longer than the service allows,
//    whatever the identity server was configured (or tricked) into issuing;
//  - when `audience` is set, `aud` (string or array) contains it; otherwise `aud` is ignored, as
//    the reference Key Connector does;
//  - `sub` is a GUID (the user id);
//  - every one of `required_scopes` is in `scope`, which must then be a JSON array (the
//    space-separated string form is refused, as the reference does);
//  - when `allowed_amr` is not empty, `amr` holds at least one of them.
#ifndef KEYWARDEN_AUTH_CLAIM_POLICY_H_
#define KEYWARDEN_AUTH_CLAIM_POLICY_H_

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "auth/principal.h"
#include "base/time.h"
#include "jose/jws.h"

namespace keywarden::auth {

struct ClaimPolicy {
  std::string issuer;                   // the identity server's, from its discovery document
  std::optional<std::string> audience;  // unset: `aud` is not checked
  std::chrono::seconds clock_skew{60};
  std::optional<std::chrono::seconds> max_lifetime;  // unset: any lifetime
  std::vector<std::string> required_scopes;
  std::vector<std::string> allowed_amr;  // empty: `amr` is not checked

  // The caller the claims stand for, or the first rule they break (kWrongIssuer, kExpired,
  // kNotYetValid, kMalformed, kWrongAudience, kInvalidSubject, kInsufficientScope, kWrongAmr).
  // A lifetime beyond max_lifetime is kExpired: a time-validity failure, answered 401 like one.
  jose::TokenResult<Principal> Check(const jose::TokenClaims& claims, std::string kid, TimePoint now) const;
};

}  // namespace keywarden::auth

#endif  // KEYWARDEN_AUTH_CLAIM_POLICY_H_
