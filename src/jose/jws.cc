#include "jose/jws.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <array>
#include <memory>

#include "crypto/openssl_ptr.h"
#include "jose/base64url.h"

namespace keywarden::jose {
namespace {

constexpr std::size_t kEs256SignatureBytes = 64;

// A failed verification leaves entries on OpenSSL's per-thread error queue; they are expected
// outcomes here, so drop them rather than let them pile up or confuse a later caller.
TokenError SignatureFailure(std::string message) {
  ERR_clear_error();
  return TokenError{TokenFailure::kBadSignature, std::move(message)};
}

// The header parameters read: the two used, then those that carry or point at a key or demand
// extensions we do not implement, which are forbidden.
enum HeaderParameter { kAlg, kKid, kFirstForbidden };
constexpr std::array<std::string_view, 7> kHeaderParameters = {"alg", "kid", "crit", "jku", "x5u", "jwk", "x5c"};

// Fetched once: the EVP_sha*() constants make OpenSSL look the digest up again on every init.
// Never freed, because OpenSSL may clean up before static destructors run.
const EVP_MD* DigestFor(JwsAlgorithm alg) {
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  static EVP_MD* const sha384 = EVP_MD_fetch(nullptr, "SHA2-384", nullptr);
  static EVP_MD* const sha512 = EVP_MD_fetch(nullptr, "SHA2-512", nullptr);
  switch (alg) {
    case JwsAlgorithm::kRs384: return sha384;
    case JwsAlgorithm::kRs512: return sha512;
    case JwsAlgorithm::kRs256:
    case JwsAlgorithm::kPs256:
    case JwsAlgorithm::kEs256: break;
  }
  return sha256;
}

constexpr std::array<JwsAlgorithm, 5> kAllAlgorithms = {
    JwsAlgorithm::kRs256, JwsAlgorithm::kRs384, JwsAlgorithm::kRs512, JwsAlgorithm::kPs256, JwsAlgorithm::kEs256};

using MdCtxPtr = EvpMdCtxPtr;

// A verification context for `alg` keyed with `pkey`; null when the key does not fit or OpenSSL fails.
MdCtxPtr NewVerifyContext(JwsAlgorithm alg, EVP_PKEY* pkey) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  const EVP_MD* md = DigestFor(alg);
  if (ctx == nullptr || md == nullptr || EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, pkey) != 1) {
    return nullptr;
  }
  if (alg != JwsAlgorithm::kEs256) {
    const bool pss = alg == JwsAlgorithm::kPs256;
    // PS256: MGF1 with the same SHA-256 and a salt as long as the digest (RFC 7518 §3.5).
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING) != 1 ||
        (pss && EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)) {
      return nullptr;
    }
  }
  return ctx;
}

// JWS carries ECDSA signatures as r || s (RFC 7518 §3.4); OpenSSL verifies DER.
std::optional<std::vector<std::uint8_t>> RawEcdsaToDer(std::span<const std::uint8_t> raw) {
  if (raw.size() != kEs256SignatureBytes) return std::nullopt;
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw.data(), 32, nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + 32, 32, nullptr);
  if (sig == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  const int length = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (length <= 0) return std::nullopt;
  std::vector<std::uint8_t> der(static_cast<std::size_t>(length));
  unsigned char* out = der.data();
  if (i2d_ECDSA_SIG(sig.get(), &out) != length) return std::nullopt;
  return der;
}

}  // namespace

// Per algorithm, a keyed context that has seen no data yet; only ever copied from (which reads it
// and takes references), so one set serves every thread.
struct JwkVerifiers {
  std::array<MdCtxPtr, kAllAlgorithms.size()> by_alg;
};

std::shared_ptr<const JwkVerifiers> PrepareJwkVerifiers(const JwkKey& key) {
  if (key.key == nullptr) return nullptr;
  auto verifiers = std::make_shared<JwkVerifiers>();
  for (JwsAlgorithm alg : kAllAlgorithms) {
    if ((alg == JwsAlgorithm::kEs256) != (key.type == JwkType::kEcP256)) continue;
    if (!key.alg.empty() && key.alg != JwsAlgorithmName(alg)) continue;
    verifiers->by_alg[static_cast<std::size_t>(alg)] = NewVerifyContext(alg, key.key.get());
  }
  ERR_clear_error();
  return verifiers;
}

std::string_view TokenFailureName(TokenFailure failure) {
  switch (failure) {
    case TokenFailure::kMissing: return "missing";
    case TokenFailure::kWrongScheme: return "wrong_scheme";
    case TokenFailure::kTooLarge: return "too_large";
    case TokenFailure::kMalformed: return "malformed";
    case TokenFailure::kUnsupportedAlgorithm: return "unsupported_algorithm";
    case TokenFailure::kForbiddenHeader: return "forbidden_header";
    case TokenFailure::kUnknownKey: return "unknown_key";
    case TokenFailure::kBadSignature: return "bad_signature";
    case TokenFailure::kWrongIssuer: return "wrong_issuer";
    case TokenFailure::kWrongAudience: return "wrong_audience";
    case TokenFailure::kExpired: return "expired";
    case TokenFailure::kNotYetValid: return "not_yet_valid";
    case TokenFailure::kInsufficientScope: return "insufficient_scope";
    case TokenFailure::kWrongAmr: return "wrong_amr";
    case TokenFailure::kInvalidSubject: return "invalid_subject";
    case TokenFailure::kKeysUnavailable: return "keys_unavailable";
  }
  return "unknown";
}

std::string_view JwsAlgorithmName(JwsAlgorithm alg) {
  switch (alg) {
    case JwsAlgorithm::kRs256: return "RS256";
    case JwsAlgorithm::kRs384: return "RS384";
    case JwsAlgorithm::kRs512: return "RS512";
    case JwsAlgorithm::kPs256: return "PS256";
    case JwsAlgorithm::kEs256: return "ES256";
  }
  return "unknown";
}

std::optional<JwsAlgorithm> JwsAlgorithmFromName(std::string_view name) {
  for (JwsAlgorithm alg :
       {JwsAlgorithm::kRs256, JwsAlgorithm::kRs384, JwsAlgorithm::kRs512, JwsAlgorithm::kPs256, JwsAlgorithm::kEs256}) {
    if (JwsAlgorithmName(alg) == name) return alg;  // exact and case-sensitive, as RFC 7515 requires
  }
  return std::nullopt;
}

TokenResult<ParsedJws> ParseJws(std::string_view token, std::size_t max_token_bytes) {
  if (token.size() > max_token_bytes) return TokenError{TokenFailure::kTooLarge, "the token is too large"};
  const std::size_t first = token.find('.');
  const std::size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return TokenError{TokenFailure::kMalformed, "the token is not a compact JWS of three parts"};
  }
  auto header_bytes = Base64UrlDecode(token.substr(0, first));
  auto payload_bytes = Base64UrlDecode(token.substr(first + 1, second - first - 1));
  auto signature = Base64UrlDecode(token.substr(second + 1));
  if (!header_bytes.ok() || !payload_bytes.ok() || !signature.ok()) {
    return TokenError{TokenFailure::kMalformed, "a token part is not base64url"};
  }
  const auto as_text = [](const std::vector<std::uint8_t>& bytes) {
    return std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  };
  std::array<JsonMember, kHeaderParameters.size()> header;
  if (Status read = ReadJsonMembers(as_text(*header_bytes), "the token header", kHeaderParameters, header);
      !read.ok()) {
    return TokenError{TokenFailure::kMalformed, read.message()};
  }
  if (header[kAlg].type != JsonMember::Type::kString)
    return TokenError{TokenFailure::kMalformed, "the token has no alg"};
  const std::optional<JwsAlgorithm> alg = JwsAlgorithmFromName(header[kAlg].strings.front());
  if (!alg) return TokenError{TokenFailure::kUnsupportedAlgorithm, "the token's alg is not accepted"};
  for (std::size_t i = kFirstForbidden; i < kHeaderParameters.size(); ++i) {
    if (header[i].type != JsonMember::Type::kAbsent) {
      return TokenError{TokenFailure::kForbiddenHeader,
                        "the token has a forbidden \"" + std::string(kHeaderParameters[i]) + "\" header"};
    }
  }
  if (header[kKid].type != JsonMember::Type::kString || header[kKid].strings.front().empty()) {
    return TokenError{TokenFailure::kMalformed, "the token header has no kid"};
  }
  if (signature->empty()) return TokenError{TokenFailure::kMalformed, "the token is not signed"};

  TokenClaims claims;
  if (Status read = ReadJsonMembers(as_text(*payload_bytes), "the token payload", TokenClaims::kNames, claims.members);
      !read.ok()) {
    return TokenError{TokenFailure::kMalformed, read.message()};
  }
  return ParsedJws{*alg, std::move(header[kKid].strings.front()), std::move(claims), token.substr(0, second),
                   std::move(*signature)};
}

std::optional<TokenError> VerifyJwsSignature(const ParsedJws& jws, const JwkKey& key) {
  const bool wants_ec = jws.alg == JwsAlgorithm::kEs256;
  if (wants_ec != (key.type == JwkType::kEcP256)) {
    return SignatureFailure("the key's type does not fit the token's alg");
  }
  if (!key.alg.empty() && key.alg != JwsAlgorithmName(jws.alg)) {
    return SignatureFailure("the key is published for another alg");
  }
  std::vector<std::uint8_t> der;
  std::span<const std::uint8_t> signature = jws.signature;
  if (wants_ec) {
    auto converted = RawEcdsaToDer(signature);
    if (!converted) return SignatureFailure("the token's signature is invalid");
    der = std::move(*converted);
    signature = der;
  }
  MdCtxPtr ctx;
  const EVP_MD_CTX* prepared =
      key.verifiers != nullptr ? key.verifiers->by_alg[static_cast<std::size_t>(jws.alg)].get() : nullptr;
  if (prepared != nullptr) {
    ctx.reset(EVP_MD_CTX_new());
    if (ctx != nullptr && EVP_MD_CTX_copy_ex(ctx.get(), prepared) != 1) ctx.reset();
  } else {
    ctx = NewVerifyContext(jws.alg, key.key.get());
  }
  if (ctx == nullptr) return SignatureFailure("the key cannot verify this token");
  const auto* input = reinterpret_cast<const unsigned char*>(jws.signing_input.data());
  if (EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), input, jws.signing_input.size()) != 1) {
    return SignatureFailure("the token's signature is invalid");
  }
  return std::nullopt;
}

}  // namespace keywarden::jose
