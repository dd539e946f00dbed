#include "jose/jwks.h"

#include "jose/jws.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <cstdint>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "crypto/openssl_ptr.h"
#include "jose/base64url.h"
#include "jose/strict_json.h"

namespace keywarden::jose {
namespace {

constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 8192;
constexpr std::size_t kP256CoordinateBytes = 32;

using BnPtr = BignumPtr;

using ParamBldPtr = OpenSslPtr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using ParamPtr = OpenSslPtr<OSSL_PARAM, OSSL_PARAM_free>;
using PkeyCtxPtr = EvpPkeyCtxPtr;

// Builds a public EVP_PKEY of `type` ("RSA" or "EC") from the parameters in `bld`.
Result<internal::EvpPkeyPtr> KeyFromParams(const char* type, OSSL_PARAM_BLD* bld) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (params == nullptr || ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) <= 0) {
    return InternalError("cannot build a public key");
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0 || raw == nullptr) {
    ERR_clear_error();
    return InvalidArgumentError("the JWKS holds an invalid public key");
  }
  return internal::EvpPkeyPtr(raw);
}

Result<std::vector<std::uint8_t>> Member(const nlohmann::json& jwk, const char* name) {
  auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) {
    return InvalidArgumentError(std::string("a JWKS key lacks its \"") + name + "\" member");
  }
  auto bytes = Base64UrlDecode(it->get_ref<const std::string&>());
  if (!bytes.ok() || bytes->empty()) {
    return InvalidArgumentError(std::string("a JWKS key's \"") + name + "\" is not base64url");
  }
  return bytes;
}

Result<internal::EvpPkeyPtr> RsaKey(const nlohmann::json& jwk) {
  KW_ASSIGN_OR_RETURN(auto n_bytes, Member(jwk, "n"));
  KW_ASSIGN_OR_RETURN(auto e_bytes, Member(jwk, "e"));
  // Refuse absurd sizes before any big-number work; the exact bound is checked below.
  if (n_bytes.size() > kMaxRsaBits / 8 + 1 || e_bytes.size() > 8) {
    return InvalidArgumentError("a JWKS RSA key has an unsupported size");
  }
  BnPtr n(BN_bin2bn(n_bytes.data(), static_cast<int>(n_bytes.size()), nullptr));
  BnPtr e(BN_bin2bn(e_bytes.data(), static_cast<int>(e_bytes.size()), nullptr));
  if (n == nullptr || e == nullptr) return InternalError("out of memory");
  const int bits = BN_num_bits(n.get());
  if (bits < kMinRsaBits || bits > kMaxRsaBits) {
    return InvalidArgumentError("a JWKS RSA key's modulus is not 2048 to 8192 bits");
  }
  // An even or trivial exponent is no RSA key; OpenSSL's import does not check this.
  if (!BN_is_odd(e.get()) || BN_is_one(e.get())) return InvalidArgumentError("a JWKS RSA key's exponent is invalid");
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (bld == nullptr || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) <= 0 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) <= 0) {
    return InternalError("cannot build a public key");
  }
  return KeyFromParams("RSA", bld.get());
}

Result<internal::EvpPkeyPtr> EcP256Key(const nlohmann::json& jwk) {
  KW_ASSIGN_OR_RETURN(auto x, Member(jwk, "x"));
  KW_ASSIGN_OR_RETURN(auto y, Member(jwk, "y"));
  // RFC 7518 §6.2.1.2: coordinates are exactly the field size, leading zeros included.
  if (x.size() != kP256CoordinateBytes || y.size() != kP256CoordinateBytes) {
    return InvalidArgumentError("a JWKS P-256 key's coordinates are not 32 bytes");
  }
  std::vector<std::uint8_t> point{0x04};  // SEC 1 uncompressed point
  point.insert(point.end(), x.begin(), x.end());
  point.insert(point.end(), y.begin(), y.end());
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (bld == nullptr || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) <= 0 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) <= 0) {
    return InternalError("cannot build a public key");
  }
  KW_ASSIGN_OR_RETURN(auto key, KeyFromParams("EC", bld.get()));
  // Invalid-curve attacks: the point must lie on P-256 (and not be the point at infinity).
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (check == nullptr || EVP_PKEY_public_check(check.get()) != 1) {
    ERR_clear_error();
    return InvalidArgumentError("a JWKS P-256 key is not a point on the curve");
  }
  return key;
}

const std::string* OptionalString(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

// Reasons kept per document: a JWKS of a thousand broken keys must not make a thousand-line warning.
constexpr std::size_t kMaxSkipReasons = 8;
constexpr std::size_t kMaxKidInReason = 40;

// `"kid"` for a skip reason: printable ASCII only, and short, since it ends up in the log.
std::string QuotedKid(const std::string& kid) {
  std::string quoted = "\"";
  for (char c : kid.substr(0, kMaxKidInReason)) quoted += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? c : '?';
  if (kid.size() > kMaxKidInReason) quoted += "...";
  return quoted + "\"";
}

}  // namespace

Result<JwkSet> ParseJwks(std::string_view json, std::vector<std::string>* skipped) {
  if (json.size() > kMaxJwksBytes) return InvalidArgumentError("the JWKS is too large");
  KW_ASSIGN_OR_RETURN(nlohmann::json document, ParseJsonObject(json, "the JWKS"));
  auto keys = document.find("keys");
  if (keys == document.end() || !keys->is_array()) return InvalidArgumentError("the JWKS has no \"keys\" array");
  std::vector<std::string> reasons;
  const auto note = [&reasons](std::string reason) {
    if (reasons.size() < kMaxSkipReasons) reasons.push_back(std::move(reason));
  };
  const auto skip = [&note](std::size_t index, const std::string* kid, std::string_view why) {
    note("key " + std::to_string(index) + (kid == nullptr ? "" : " (kid " + QuotedKid(*kid) + ")") + ": " +
         std::string(why));
  };
  JwkSet set;
  std::set<std::string, std::less<>> repeated;
  std::size_t index = 0;
  for (const nlohmann::json& jwk : *keys) {
    const std::size_t at = index++;
    if (!jwk.is_object()) {
      skip(at, nullptr, "not a JSON object");
      continue;
    }
    const std::string* kid = OptionalString(jwk, "kid");
    const std::string* kty = OptionalString(jwk, "kty");
    const std::string* use = OptionalString(jwk, "use");
    // Keys for encryption are none of this service's business: skipped without a word.
    if (jwk.contains("use") && (use == nullptr || *use != "sig")) continue;
    if (kid == nullptr || kid->empty()) {
      skip(at, nullptr, "no kid");
      continue;
    }
    if (kty == nullptr) {
      skip(at, kid, "no kty");
      continue;
    }
    const bool ec = *kty == "EC";
    if (!ec && *kty != "RSA") {
      skip(at, kid, "unsupported kty");
      continue;
    }
    if (ec) {
      const std::string* crv = OptionalString(jwk, "crv");
      if (crv == nullptr || *crv != "P-256") {
        skip(at, kid, "unsupported curve");
        continue;
      }
    }
    JwkKey key{ec ? JwkType::kEcP256 : JwkType::kRsa, {}, nullptr, nullptr};
    if (jwk.contains("alg")) {
      const std::string* alg = OptionalString(jwk, "alg");
      const std::optional<JwsAlgorithm> known = alg == nullptr ? std::nullopt : JwsAlgorithmFromName(*alg);
      if (!known || (*known == JwsAlgorithm::kEs256) != ec) {
        skip(at, kid, "unsupported alg for its kty");
        continue;
      }
      key.alg = *alg;
    }
    Result<internal::EvpPkeyPtr> parsed = ec ? EcP256Key(jwk) : RsaKey(jwk);
    if (!parsed.ok()) {
      skip(at, kid, parsed.status().message());
      continue;
    }
    key.key = std::move(parsed).value();
    key.verifiers = PrepareJwkVerifiers(key);
    if (!set.emplace(*kid, std::move(key)).second) repeated.insert(*kid);
  }
  // Which of two keys a repeated kid means is anyone's guess: neither is trusted.
  for (const std::string& kid : repeated) {
    set.erase(kid);
    note("kid " + QuotedKid(kid) + " repeated: every key under it skipped");
  }
  if (skipped != nullptr) *skipped = std::move(reasons);
  return set;
}

Result<OidcDiscovery> ParseDiscovery(std::string_view json) {
  if (json.size() > kMaxJwksBytes) return InvalidArgumentError("the discovery document is too large");
  KW_ASSIGN_OR_RETURN(nlohmann::json document, ParseJsonObject(json, "the discovery document"));
  const std::string* issuer = OptionalString(document, "issuer");
  const std::string* jwks_uri = OptionalString(document, "jwks_uri");
  if (issuer == nullptr || issuer->empty()) return InvalidArgumentError("the discovery document has no issuer");
  if (jwks_uri == nullptr || !(jwks_uri->starts_with("https://") || jwks_uri->starts_with("http://"))) {
    return InvalidArgumentError("the discovery document has no http(s) jwks_uri");
  }
  return OidcDiscovery{*issuer, *jwks_uri};
}

}  // namespace keywarden::jose
