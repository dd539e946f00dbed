// The ID token an organisation's identity provider returns with a code (OpenID Connect Core
// 3.1.3.7): the only proof of who signed in, so every check the specification asks of a
// confidential client that received it from the token endpoint is made:
//  - a compact JWS signed by one of the provider's published keys, with the algorithms and
//    header rules of jose/jws.h (no `none`, no HMAC, the key named by `kid`);
//  - `iss` equals the provider's issuer exactly;
//  - `aud` contains our client id, and when it names others `azp` is our client id;
//  - `exp` not passed and `iat` not in the future, each with `clock_skew`;
//  - `nonce` equals the one this login sent (compared in constant time);
//  - `sub` is a non-empty string.
//
// Thread-safe; no state.
#ifndef KEYWARDEN_SERVER_SSO_ID_TOKEN_H_
#define KEYWARDEN_SERVER_SSO_ID_TOKEN_H_

#include <chrono>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "jose/jwks.h"
#include "keywarden/status.h"

namespace keywarden::server::sso {

struct IdTokenExpectations {
  std::string issuer;
  std::string client_id;
  std::string nonce;
  std::chrono::seconds clock_skew{120};
};

// The token's claims once every check passed. kNotFound when no key of `keys` has the token's
// `kid` (the caller fetches the provider's keys again, once); kAuthenticationFailed, with the
// rule broken, for any other failure.
Result<nlohmann::json> VerifyIdToken(std::string_view token, const jose::JwkSet& keys,
                                     const IdTokenExpectations& expected, TimePoint now);

}  // namespace keywarden::server::sso

#endif  // KEYWARDEN_SERVER_SSO_ID_TOKEN_H_
