// JSON Web Key Sets (RFC 7517) and OIDC discovery documents, as an identity server publishes them.
//
// Only signature-verification public keys are kept: RSA (2048..8192-bit modulus) and EC P-256.
// Keys meant for something else (`use` other than "sig") are skipped silently: a JWKS may
// legitimately carry keys this service never uses. A signing key this service cannot use (no
// `kid`, another type or curve, an `alg` outside jose/jws.h's list or not fitting its type, bad
// base64url, a point off the curve, a short modulus) is skipped too, with a reason the caller
// can log: one broken key must not take the identity server's other keys down with it. A `kid`
// that appears twice is dropped with all its keys, since guessing which one was meant is unsafe.
// Only a document that is not a JWKS at all is an error; whether an empty set will do is the
// caller's decision.
#ifndef KEYWARDEN_JOSE_JWKS_H_
#define KEYWARDEN_JOSE_JWKS_H_

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "keywarden/crypto/rsa.h"  // internal::EvpPkeyPtr
#include "keywarden/status.h"

namespace keywarden::jose {

enum class JwkType { kRsa, kEcP256 };

// Verification contexts prepared once per key and algorithm (jwt.h, PrepareJwkVerifiers). Setting
// up a fresh OpenSSL context looks the algorithms up in the provider store on every call; copying
// a prepared one does not.
struct JwkVerifiers;

struct JwkKey {
  JwkType type;
  // The JWK's optional `alg`; when non-empty, tokens naming this key must use exactly that alg.
  std::string alg;
  // A public key; EVP_PKEY is reference-counted and safe to verify with from several threads.
  internal::EvpPkeyPtr key;
  // Set by ParseJwks; when null, VerifyJwsSignature sets up a context per call (same outcome).
  std::shared_ptr<const JwkVerifiers> verifiers = nullptr;
};

// kid -> key. Immutable once parsed; auth::TokenVerifier shares it between threads via shared_ptr.
using JwkSet = std::map<std::string, JwkKey, std::less<>>;

// Larger documents are refused before parsing.
inline constexpr std::size_t kMaxJwksBytes = std::size_t{1024} * 1024;

// kInvalidArgument (with a one-line reason) for a document that is not a JWKS. When `skipped` is
// set, it receives one line per signing key skipped (at most 8: the first ones), for the log; kids
// in them are cut short and limited to printable ASCII.
Result<JwkSet> ParseJwks(std::string_view json, std::vector<std::string>* skipped = nullptr);

// The two fields of `<identity URL>/.well-known/openid-configuration` the connector uses.
struct OidcDiscovery {
  std::string issuer;    // tokens' `iss` must equal this exactly
  std::string jwks_uri;  // where the signing keys are
};

// kInvalidArgument unless `issuer` and `jwks_uri` are non-empty strings and jwks_uri is http(s).
Result<OidcDiscovery> ParseDiscovery(std::string_view json);

}  // namespace keywarden::jose

#endif  // KEYWARDEN_JOSE_JWKS_H_
