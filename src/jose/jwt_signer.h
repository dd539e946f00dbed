// JwtSigner: mints signed access tokens, standing in for the identity server.
//
// Used by the connector's `--dev` mode (no identity server needed) and by tests, which also use
// it to forge bad tokens: header_extra may override any header parameter, alg and kid included,
// while the signature is always made with this signer's own key and algorithm.
// Never use it as an identity server in production: it has no notion of users or login.
#ifndef KEYWARDEN_JOSE_JWT_SIGNER_H_
#define KEYWARDEN_JOSE_JWT_SIGNER_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/time.h"
#include "jose/jws.h"
#include "keywarden/crypto/rsa.h"
#include "keywarden/status.h"

namespace keywarden::jose {

class JwtSigner {
 public:
  // RS256 and PS256 use an RSA-2048 key; ES256 a P-256 key.
  static Result<JwtSigner> Generate(JwsAlgorithm alg, std::string kid);
  // An existing RSA key (e.g. the dev-mode key kept on disk), signing RS256.
  static Result<JwtSigner> FromRsaKey(RsaPrivateKey key, std::string kid);

  JwtSigner(JwtSigner&&) noexcept = default;
  JwtSigner& operator=(JwtSigner&&) noexcept = default;

  // A compact JWS. The header is {"alg", "typ": "JWT", "kid"} updated with `header_extra` (an
  // object, or null for none); `claims` is the payload, serialised as given.
  Result<std::string> Mint(const nlohmann::json& header_extra, const nlohmann::json& claims) const;

  // {"keys": [this public key, with kid, use "sig" and alg]}.
  std::string JwksJson() const;
  // The public key alone, as one JWK object.
  nlohmann::json PublicJwk() const;
  // The public key as SPKI DER (tests use it to stage algorithm-confusion attacks).
  std::vector<std::uint8_t> PublicKeySpkiDer() const;

  const std::string& kid() const { return kid_; }
  JwsAlgorithm alg() const { return alg_; }

  // iss, sub, iat = nbf = now, exp = now + lifetime, scope ["api"], amr ["Application"]: the
  // claims of a token the reference Key Connector accepts.
  static nlohmann::json StandardClaims(std::string_view issuer, std::string_view sub, TimePoint now,
                                       std::chrono::seconds lifetime);

 private:
  JwtSigner(JwsAlgorithm alg, std::string kid, internal::EvpPkeyPtr key)
      : alg_(alg), kid_(std::move(kid)), key_(std::move(key)) {}

  JwsAlgorithm alg_;
  std::string kid_;
  internal::EvpPkeyPtr key_;
};

}  // namespace keywarden::jose

#endif  // KEYWARDEN_JOSE_JWT_SIGNER_H_
