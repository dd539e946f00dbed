// JwtSigner: mints signed access tokens with one SigningKey, standing in for the identity server.
//
// Used by the connector's `--dev` mode (no identity server needed) and by tests, which also use
// it to forge bad tokens: header_extra may override any header parameter, alg and kid included,
// while the signature is always made with this signer's own key and algorithm.
// Never use it as an identity server in production: it has no notion of users or login. An
// identity provider signs with a key from custody (custody/open_signing_key.h) and rolls its keys
// over with jose/signing_key_set.h.
//
// Thread-safe once made: Mint and the accessors may be called from several threads at once.
#ifndef KEYWARDEN_JOSE_JWT_SIGNER_H_
#define KEYWARDEN_JOSE_JWT_SIGNER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/time.h"
#include "jose/jws.h"
#include "jose/signing_key.h"
#include "keywarden/crypto/rsa.h"
#include "keywarden/status.h"

namespace keywarden::jose {

class JwtSigner {
 public:
  // A new in-memory key (jose/in_memory_signing_key.h): RSA-2048 for RS256, RS384, RS512 and
  // PS256; P-256 for ES256.
  static Result<JwtSigner> Generate(JwsAlgorithm alg, std::string kid);
  // An existing RSA key (e.g. the dev-mode key kept on disk), signing RS256.
  static Result<JwtSigner> FromRsaKey(RsaPrivateKey key, std::string kid);
  // Signs with `key`, wherever it is held. `key` must not be null.
  explicit JwtSigner(std::shared_ptr<const SigningKey> key) : key_(std::move(key)) {}

  JwtSigner(JwtSigner&&) noexcept = default;
  JwtSigner& operator=(JwtSigner&&) noexcept = default;

  // A compact JWS. The header is {"alg", "typ": "JWT", "kid"} updated with `header_extra` (an
  // object, or null for none); `claims` is the payload, serialised as given. Errors are the key's
  // (SigningKey::Sign).
  Result<std::string> Mint(const nlohmann::json& header_extra, const nlohmann::json& claims) const;

  // {"keys": [this public key, with kid, use "sig" and alg]}.
  std::string JwksJson() const;
  // The public key alone, as one JWK object.
  nlohmann::json PublicJwk() const { return key_->PublicJwk(); }
  // The public key as SPKI DER (tests use it to stage algorithm-confusion attacks); empty if the
  // key's JWK does not parse.
  std::vector<std::uint8_t> PublicKeySpkiDer() const;

  const std::string& kid() const { return key_->kid(); }
  JwsAlgorithm alg() const { return key_->alg(); }
  const std::shared_ptr<const SigningKey>& key() const { return key_; }

  // iss, sub, iat = nbf = now, exp = now + lifetime, scope ["api"], amr ["Application"]: the
  // claims of a token the reference Key Connector accepts.
  static nlohmann::json StandardClaims(std::string_view issuer, std::string_view sub, TimePoint now,
                                       std::chrono::seconds lifetime);

 private:
  std::shared_ptr<const SigningKey> key_;
};

}  // namespace keywarden::jose

#endif  // KEYWARDEN_JOSE_JWT_SIGNER_H_
