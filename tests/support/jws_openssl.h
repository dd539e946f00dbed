// Checks a signed token with OpenSSL alone, against a published JWK, independently of jose's own
// verifier: the RSA public key is rebuilt from the JWK's n and e and the signature checked with
// EVP_DigestVerify (RSASSA-PKCS1-v1_5, SHA-256), as any RS256 verifier does. Header-only, for the
// jose and custody tests.
#ifndef KEYWARDEN_TESTS_SUPPORT_JWS_OPENSSL_H_
#define KEYWARDEN_TESTS_SUPPORT_JWS_OPENSSL_H_

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "jose/base64url.h"

namespace keywarden::testing {

// The JSON of a base64url token part (null when it does not decode).
inline nlohmann::json DecodeJwsPart(std::string_view part) {
  auto bytes = jose::Base64UrlDecode(part);
  if (!bytes.ok()) return nullptr;
  return nlohmann::json::parse(bytes->begin(), bytes->end(), nullptr, /*allow_exceptions=*/false);
}

// Success when `token` is a compact JWS whose header says {"alg": "RS256", "kid": jwk.kid} and
// whose signature OpenSSL verifies with the RSA key (n, e) of `jwk`.
inline ::testing::AssertionResult OpenSslVerifiesRs256(std::string_view token, const nlohmann::json& jwk) {
  const std::size_t first = token.find('.');
  const std::size_t last = token.rfind('.');
  if (first == std::string_view::npos || first == last) return ::testing::AssertionFailure() << "not a compact JWS";
  const nlohmann::json header = DecodeJwsPart(token.substr(0, first));
  if (!header.is_object() || header.value("alg", "") != "RS256" || !jwk.contains("kid") ||
      header.value("kid", "") != jwk["kid"]) {
    return ::testing::AssertionFailure() << "header " << header.dump() << " does not name RS256 and kid " << jwk.dump();
  }
  if (jwk.value("kty", "") != "RSA" || jwk.value("alg", "") != "RS256" || jwk.value("use", "") != "sig") {
    return ::testing::AssertionFailure() << "not an RS256 signing JWK: " << jwk.dump();
  }
  auto n = jose::Base64UrlDecode(jwk.value("n", ""));
  auto e = jose::Base64UrlDecode(jwk.value("e", ""));
  auto signature = jose::Base64UrlDecode(token.substr(last + 1));
  if (!n.ok() || !e.ok() || !signature.ok()) return ::testing::AssertionFailure() << "bad base64url";

  BIGNUM* bn_n = BN_bin2bn(n->data(), static_cast<int>(n->size()), nullptr);
  BIGNUM* bn_e = BN_bin2bn(e->data(), static_cast<int>(e->size()), nullptr);
  OSSL_PARAM_BLD* build = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_RSA_N, bn_n);
  OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_RSA_E, bn_e);
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(build);
  EVP_PKEY_CTX* from = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
  EVP_PKEY* key = nullptr;
  const bool built = params != nullptr && from != nullptr && EVP_PKEY_fromdata_init(from) == 1 &&
                     EVP_PKEY_fromdata(from, &key, EVP_PKEY_PUBLIC_KEY, params) == 1;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const std::string_view input = token.substr(0, last);
  const bool verified = built && ctx != nullptr &&
                        EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
                        EVP_DigestVerify(ctx, signature->data(), signature->size(),
                                         reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  EVP_PKEY_CTX_free(from);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(build);
  BN_free(bn_n);
  BN_free(bn_e);
  if (!built) return ::testing::AssertionFailure() << "OpenSSL cannot build the JWK's RSA key";
  if (!verified) return ::testing::AssertionFailure() << "OpenSSL does not verify the signature";
  return ::testing::AssertionSuccess();
}

}  // namespace keywarden::testing

#endif  // KEYWARDEN_TESTS_SUPPORT_JWS_OPENSSL_H_
