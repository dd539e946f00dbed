#include "jose/in_memory_signing_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <memory>
#include <utility>

#include "crypto/openssl_ptr.h"
#include "jose/base64url.h"

namespace keywarden::jose {
namespace {

constexpr int kP256CoordinateBytes = 32;

using BnPtr = BignumPtr;

// Failed OpenSSL calls leave entries on the thread's error queue; our Status replaces them.
Status Fail(Status status) {
  ERR_clear_error();
  return status;
}

// Big-endian bytes of a public key parameter, left-padded to `width`; empty when the key has no
// such parameter.
std::vector<std::uint8_t> BnParam(const EVP_PKEY* key, const char* name, int width) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) {
    ERR_clear_error();
    return {};
  }
  BnPtr bn(raw);
  std::vector<std::uint8_t> out(static_cast<std::size_t>(width));
  if (BN_bn2binpad(bn.get(), out.data(), width) != width) return {};
  return out;
}

// ECDSA DER (what OpenSSL makes) -> r || s (what JWS carries).
Result<std::vector<std::uint8_t>> DerToRawEcdsa(const std::vector<std::uint8_t>& der) {
  const unsigned char* in = der.data();
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &in, static_cast<long>(der.size())));
  if (sig == nullptr) return Fail(InternalError("cannot encode an ECDSA signature"));
  std::vector<std::uint8_t> raw(std::size_t{2} * kP256CoordinateBytes);
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw.data(), kP256CoordinateBytes) != kP256CoordinateBytes ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw.data() + kP256CoordinateBytes, kP256CoordinateBytes) !=
          kP256CoordinateBytes) {
    return Fail(InternalError("cannot encode an ECDSA signature"));
  }
  return raw;
}

// The JWK of a P-256 key's public half; kInternal when a coordinate cannot be read.
Result<nlohmann::json> EcPublicJwk(const EVP_PKEY* key, std::string_view kid) {
  std::vector<std::uint8_t> x = BnParam(key, OSSL_PKEY_PARAM_EC_PUB_X, kP256CoordinateBytes);
  std::vector<std::uint8_t> y = BnParam(key, OSSL_PKEY_PARAM_EC_PUB_Y, kP256CoordinateBytes);
  if (x.empty() || y.empty()) return InternalError("cannot read the P-256 public key");
  return nlohmann::json{{"kty", "EC"},
                        {"crv", "P-256"},
                        {"x", Base64UrlEncode(x)},
                        {"y", Base64UrlEncode(y)},
                        {"kid", kid},
                        {"use", "sig"},
                        {"alg", JwsAlgorithmName(JwsAlgorithm::kEs256)}};
}

}  // namespace

InMemorySigningKey::InMemorySigningKey(JwsAlgorithm alg, std::string kid, internal::EvpPkeyPtr key, nlohmann::json jwk)
    : alg_(alg), kid_(std::move(kid)), key_(std::move(key)), jwk_(std::move(jwk)) {}

Result<std::unique_ptr<InMemorySigningKey>> InMemorySigningKey::Generate(JwsAlgorithm alg, std::string kid) {
  if (alg != JwsAlgorithm::kEs256) {
    KW_ASSIGN_OR_RETURN(RsaPrivateKey rsa, RsaPrivateKey::Generate());
    return FromRsaKey(std::move(rsa), std::move(kid), alg);
  }
  if (kid.empty()) return InvalidArgumentError("a signing key needs a kid");
  internal::EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (key == nullptr) return Fail(InternalError("cannot generate a P-256 key"));
  KW_ASSIGN_OR_RETURN(nlohmann::json jwk, EcPublicJwk(key.get(), kid));
  return std::unique_ptr<InMemorySigningKey>(
      new InMemorySigningKey(alg, std::move(kid), std::move(key), std::move(jwk)));
}

Result<std::unique_ptr<InMemorySigningKey>> InMemorySigningKey::FromRsaKey(RsaPrivateKey key, std::string kid,
                                                                           JwsAlgorithm alg) {
  KW_ASSIGN_OR_RETURN(nlohmann::json jwk, RsaPublicJwk(key.PublicKey(), kid, alg));
  // RsaPrivateKey owns its EVP_PKEY alone; this key takes a reference of its own, and `key` drops its.
  if (EVP_PKEY_up_ref(key.evp()) != 1) return Fail(InternalError("cannot take a reference to the RSA key"));
  return std::unique_ptr<InMemorySigningKey>(
      new InMemorySigningKey(alg, std::move(kid), internal::EvpPkeyPtr(key.evp()), std::move(jwk)));
}

Result<std::vector<std::uint8_t>> InMemorySigningKey::Sign(std::string_view signing_input) const {
  const EVP_MD* md = alg_ == JwsAlgorithm::kRs384   ? EVP_sha384()
                     : alg_ == JwsAlgorithm::kRs512 ? EVP_sha512()
                                                    : EVP_sha256();
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (ctx == nullptr || EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, key_.get()) != 1) {
    return Fail(InternalError("cannot start signing a token"));
  }
  if (alg_ == JwsAlgorithm::kPs256 && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
                                       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)) {
    return Fail(InternalError("cannot set up PSS"));
  }
  const auto* input = reinterpret_cast<const unsigned char*>(signing_input.data());
  std::size_t length = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &length, input, signing_input.size()) != 1) {
    return Fail(InternalError("cannot sign a token"));
  }
  std::vector<std::uint8_t> signature(length);
  if (EVP_DigestSign(ctx.get(), signature.data(), &length, input, signing_input.size()) != 1) {
    return Fail(InternalError("cannot sign a token"));
  }
  signature.resize(length);
  if (alg_ == JwsAlgorithm::kEs256) return DerToRawEcdsa(signature);
  return signature;
}

}  // namespace keywarden::jose
