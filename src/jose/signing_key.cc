#include "jose/signing_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "crypto/openssl_ptr.h"
#include "jose/base64url.h"
#include "jose/jwks.h"

namespace keywarden::jose {
namespace {

// Big-endian bytes of an RSA public parameter, shortest form; empty when it cannot be read.
std::vector<std::uint8_t> RsaParam(const EVP_PKEY* key, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) {
    ERR_clear_error();
    return {};
  }
  BignumPtr bn(raw);
  std::vector<std::uint8_t> out(static_cast<std::size_t>(BN_num_bytes(bn.get())));
  if (out.empty() || BN_bn2bin(bn.get(), out.data()) != static_cast<int>(out.size())) return {};
  return out;
}

// What CheckSigningKey signs: any bytes would do; these look like a JWS signing input.
constexpr std::string_view kProbe = "eyJhbGciOiJwcm9iZSJ9.a2V5d2FyZGVuIHNpZ25pbmcta2V5IHByb2Jl";

}  // namespace

Result<std::string> SignCompactJws(const SigningKey& key, const nlohmann::json& header_extra,
                                   const nlohmann::json& claims) {
  nlohmann::json header = {{"alg", JwsAlgorithmName(key.alg())}, {"typ", "JWT"}, {"kid", key.kid()}};
  if (header_extra.is_object()) header.update(header_extra);
  std::string token = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(claims.dump());
  KW_ASSIGN_OR_RETURN(std::vector<std::uint8_t> signature, key.Sign(token));
  token += "." + Base64UrlEncode(signature);
  return token;
}

std::string JwksJsonOf(const std::vector<const SigningKey*>& keys) {
  nlohmann::json jwks = nlohmann::json::array();
  for (const SigningKey* key : keys) jwks.push_back(key->PublicJwk());
  return nlohmann::json{{"keys", std::move(jwks)}}.dump();
}

Result<nlohmann::json> RsaPublicJwk(const RsaPublicKey& key, std::string_view kid, JwsAlgorithm alg) {
  if (alg == JwsAlgorithm::kEs256) return InvalidArgumentError("an RSA key cannot sign ES256");
  if (kid.empty()) return InvalidArgumentError("a signing key needs a kid");
  const std::vector<std::uint8_t> n = RsaParam(key.evp(), OSSL_PKEY_PARAM_RSA_N);
  const std::vector<std::uint8_t> e = RsaParam(key.evp(), OSSL_PKEY_PARAM_RSA_E);
  if (n.empty() || e.empty()) return InternalError("cannot read the RSA public key");
  return nlohmann::json{{"kty", "RSA"}, {"n", Base64UrlEncode(n)},     {"e", Base64UrlEncode(e)}, {"kid", kid},
                        {"use", "sig"}, {"alg", JwsAlgorithmName(alg)}};
}

Status CheckSigningKey(const SigningKey& key) {
  const std::string& kid = key.kid();
  const std::string what = "signing key '" + kid + "'";
  KW_ASSIGN_OR_RETURN(std::vector<std::uint8_t> signature, key.Sign(kProbe));

  const nlohmann::json jwk = key.PublicJwk();
  std::vector<std::string> skipped;  // ParseJwks skips a broken key: its reason is the error
  auto keys = ParseJwks(nlohmann::json{{"keys", nlohmann::json::array({jwk})}}.dump(), &skipped);
  if (!keys.ok() || !skipped.empty()) {
    return InvalidArgumentError("the public key of " + what +
                                " is unusable: " + (keys.ok() ? skipped.front() : keys.status().message()));
  }
  const auto found = keys->find(kid);
  if (kid.empty() || found == keys->end()) {
    return InvalidArgumentError("the public key of " + what + " does not publish as a signing key with that kid");
  }
  const auto alg = jwk.find("alg");
  if (alg == jwk.end() || *alg != JwsAlgorithmName(key.alg())) {
    return InvalidArgumentError("the public key of " + what + " is not published for " +
                                std::string(JwsAlgorithmName(key.alg())));
  }

  ParsedJws probe;
  probe.alg = key.alg();
  probe.kid = kid;
  probe.signing_input = kProbe;
  probe.signature = std::move(signature);
  if (std::optional<TokenError> failure = VerifyJwsSignature(probe, found->second); failure.has_value()) {
    return WrongKeyError("the signatures of " + what + " do not verify with its public key (" + failure->message + ")");
  }
  return OkStatus();
}

}  // namespace keywarden::jose
