#include "jose/jwt_signer.h"

#include <openssl/x509.h>

#include <utility>

#include "jose/in_memory_signing_key.h"
#include "jose/jwks.h"

namespace keywarden::jose {

Result<JwtSigner> JwtSigner::Generate(JwsAlgorithm alg, std::string kid) {
  KW_ASSIGN_OR_RETURN(std::unique_ptr<InMemorySigningKey> key, InMemorySigningKey::Generate(alg, std::move(kid)));
  return JwtSigner(std::move(key));
}

Result<JwtSigner> JwtSigner::FromRsaKey(RsaPrivateKey key, std::string kid) {
  KW_ASSIGN_OR_RETURN(std::unique_ptr<InMemorySigningKey> signing_key,
                      InMemorySigningKey::FromRsaKey(std::move(key), std::move(kid), JwsAlgorithm::kRs256));
  return JwtSigner(std::move(signing_key));
}

Result<std::string> JwtSigner::Mint(const nlohmann::json& header_extra, const nlohmann::json& claims) const {
  return SignCompactJws(*key_, header_extra, claims);
}

std::string JwtSigner::JwksJson() const { return JwksJsonOf({key_.get()}); }

std::vector<std::uint8_t> JwtSigner::PublicKeySpkiDer() const {
  // Through the published JWK, so that it works the same for a key held anywhere.
  auto keys = ParseJwks(JwksJson());
  if (!keys.ok() || keys->size() != 1) return {};
  EVP_PKEY* key = keys->begin()->second.key.get();
  const int length = i2d_PUBKEY(key, nullptr);
  if (length <= 0) return {};
  std::vector<std::uint8_t> der(static_cast<std::size_t>(length));
  unsigned char* out = der.data();
  if (i2d_PUBKEY(key, &out) != length) return {};
  return der;
}

nlohmann::json JwtSigner::StandardClaims(std::string_view issuer, std::string_view sub, TimePoint now,
                                         std::chrono::seconds lifetime) {
  const std::int64_t iat = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  return {{"iss", issuer},
          {"sub", sub},
          {"iat", iat},
          {"nbf", iat},
          {"exp", iat + lifetime.count()},
          {"scope", nlohmann::json::array({"api"})},
          {"amr", nlohmann::json::array({"Application"})}};
}

}  // namespace keywarden::jose
