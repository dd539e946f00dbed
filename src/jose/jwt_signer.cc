#include "jose/jwt_signer.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <memory>

#include "jose/base64url.h"

namespace keywarden::jose {
namespace {

constexpr int kP256CoordinateBytes = 32;

struct BnDeleter {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnDeleter>;
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct EcdsaSigDeleter {
  void operator()(ECDSA_SIG* sig) const { ECDSA_SIG_free(sig); }
};

// Big-endian bytes of a key parameter, left-padded to `width` when width > 0.
std::vector<std::uint8_t> BnParam(const EVP_PKEY* key, const char* name, int width) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) return {};
  BnPtr bn(raw);
  const int size = width > 0 ? width : BN_num_bytes(bn.get());
  std::vector<std::uint8_t> out(static_cast<std::size_t>(size));
  if (BN_bn2binpad(bn.get(), out.data(), size) != size) return {};
  return out;
}

// ECDSA DER (what OpenSSL makes) -> r || s (what JWS carries).
Result<std::vector<std::uint8_t>> DerToRawEcdsa(const std::vector<std::uint8_t>& der) {
  const unsigned char* in = der.data();
  std::unique_ptr<ECDSA_SIG, EcdsaSigDeleter> sig(d2i_ECDSA_SIG(nullptr, &in, static_cast<long>(der.size())));
  if (sig == nullptr) return InternalError("cannot encode an ECDSA signature");
  std::vector<std::uint8_t> raw(std::size_t{2} * kP256CoordinateBytes);
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw.data(), kP256CoordinateBytes) != kP256CoordinateBytes ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw.data() + kP256CoordinateBytes, kP256CoordinateBytes) !=
          kP256CoordinateBytes) {
    return InternalError("cannot encode an ECDSA signature");
  }
  return raw;
}

}  // namespace

Result<JwtSigner> JwtSigner::Generate(JwsAlgorithm alg, std::string kid) {
  if (alg == JwsAlgorithm::kEs256) {
    EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    if (key == nullptr) return InternalError("cannot generate a P-256 key");
    return JwtSigner(alg, std::move(kid), internal::EvpPkeyPtr(key));
  }
  KW_ASSIGN_OR_RETURN(RsaPrivateKey rsa, RsaPrivateKey::Generate());
  KW_ASSIGN_OR_RETURN(JwtSigner signer, FromRsaKey(std::move(rsa), std::move(kid)));
  signer.alg_ = alg;
  return signer;
}

Result<JwtSigner> JwtSigner::FromRsaKey(RsaPrivateKey key, std::string kid) {
  if (EVP_PKEY_up_ref(key.evp()) != 1) return InternalError("cannot take a reference to the RSA key");
  return JwtSigner(JwsAlgorithm::kRs256, std::move(kid), internal::EvpPkeyPtr(key.evp()));
}

Result<std::string> JwtSigner::Mint(const nlohmann::json& header_extra, const nlohmann::json& claims) const {
  nlohmann::json header = {{"alg", JwsAlgorithmName(alg_)}, {"typ", "JWT"}, {"kid", kid_}};
  if (header_extra.is_object()) header.update(header_extra);
  std::string token = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(claims.dump());

  const EVP_MD* md = alg_ == JwsAlgorithm::kRs384   ? EVP_sha384()
                     : alg_ == JwsAlgorithm::kRs512 ? EVP_sha512()
                                                    : EVP_sha256();
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (ctx == nullptr || EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, key_.get()) != 1) {
    return InternalError("cannot start signing a token");
  }
  if (alg_ == JwsAlgorithm::kPs256 && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
                                       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)) {
    return InternalError("cannot set up PSS");
  }
  const auto* input = reinterpret_cast<const unsigned char*>(token.data());
  std::size_t length = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &length, input, token.size()) != 1)
    return InternalError("cannot sign a token");
  std::vector<std::uint8_t> signature(length);
  if (EVP_DigestSign(ctx.get(), signature.data(), &length, input, token.size()) != 1) {
    return InternalError("cannot sign a token");
  }
  signature.resize(length);
  if (alg_ == JwsAlgorithm::kEs256) {
    KW_ASSIGN_OR_RETURN(signature, DerToRawEcdsa(signature));
  }
  token += "." + Base64UrlEncode(signature);
  return token;
}

nlohmann::json JwtSigner::PublicJwk() const {
  nlohmann::json jwk = {{"kid", kid_}, {"use", "sig"}, {"alg", JwsAlgorithmName(alg_)}};
  if (alg_ == JwsAlgorithm::kEs256) {
    jwk["kty"] = "EC";
    jwk["crv"] = "P-256";
    jwk["x"] = Base64UrlEncode(BnParam(key_.get(), OSSL_PKEY_PARAM_EC_PUB_X, kP256CoordinateBytes));
    jwk["y"] = Base64UrlEncode(BnParam(key_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, kP256CoordinateBytes));
  } else {
    jwk["kty"] = "RSA";
    jwk["n"] = Base64UrlEncode(BnParam(key_.get(), OSSL_PKEY_PARAM_RSA_N, 0));
    jwk["e"] = Base64UrlEncode(BnParam(key_.get(), OSSL_PKEY_PARAM_RSA_E, 0));
  }
  return jwk;
}

std::string JwtSigner::JwksJson() const {
  return nlohmann::json{{"keys", nlohmann::json::array({PublicJwk()})}}.dump();
}

std::vector<std::uint8_t> JwtSigner::PublicKeySpkiDer() const {
  const int length = i2d_PUBKEY(key_.get(), nullptr);
  if (length <= 0) return {};
  std::vector<std::uint8_t> der(static_cast<std::size_t>(length));
  unsigned char* out = der.data();
  if (i2d_PUBKEY(key_.get(), &out) != length) return {};
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
