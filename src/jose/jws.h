// Compact JWS (RFC 7515) as access tokens use it: parsing and signature verification only.
// Claims (issuer, expiry, scope...) are a ClaimPolicy's business (auth/claim_policy.h).
//
// Deliberately narrow, because every JOSE option is an attack surface:
//  - algorithms RS256, RS384, RS512, PS256 and ES256 only; `none`, HS* and the rest are refused,
//    so a public key can never be misused as an HMAC secret;
//  - the header must name its key (`kid`); keys come only from our own JWKS, so a token that
//    carries or points at a key (`jwk`, `jku`, `x5c`, `x5u`) is refused outright, as is `crit`
//    (we implement no critical extension);
//  - header and payload are JSON objects without repeated member names (strict_json.h);
//  - the size limit is checked before any decoding.
//
// Failures say why, as a TokenFailure, so that auth/bearer.h can answer 401/403/503 and count
// refusals by reason without parsing messages.
#ifndef KEYWARDEN_JOSE_JWS_H_
#define KEYWARDEN_JOSE_JWS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "jose/jwks.h"
#include "jose/strict_json.h"
#include "keywarden/status.h"

namespace keywarden::jose {

// Why a bearer token was refused.
enum class TokenFailure {
  kMissing,               // no Authorization header
  kWrongScheme,           // not "Bearer"
  kTooLarge,              // longer than the configured maximum
  kMalformed,             // not a compact JWS of JSON objects, or a required claim has the wrong type
  kUnsupportedAlgorithm,  // alg outside the allow-list
  kForbiddenHeader,       // crit, jku, x5u, jwk or x5c
  kUnknownKey,            // no key with this kid in the JWKS held, and no refetch pending
  kBadSignature,          // signature invalid, or the key cannot be used with this alg
  kWrongIssuer,
  kWrongAudience,
  kExpired,
  kNotYetValid,        // nbf in the future, or iat in the future beyond the skew
  kInsufficientScope,  // scope is not a JSON array containing "api"
  kWrongAmr,           // amr contains neither "Application" nor "external"
  kInvalidSubject,     // sub missing or not a GUID
  kKeysUnavailable,    // no JWKS yet, or the token's kid is unknown while a refetch is pending
};

// snake_case ("bad_signature"), stable: used as a metrics label.
std::string_view TokenFailureName(TokenFailure failure);

struct TokenError {
  TokenFailure reason;
  std::string message;  // one line for logs; never contains the token or key material
};

// A value or a TokenError: Result<T> with a machine-readable reason.
template <typename T>
class [[nodiscard]] TokenResult {
 public:
  TokenResult(T value) : state_(std::in_place_index<1>, std::move(value)) {}           // NOLINT: implicit
  TokenResult(TokenError error) : state_(std::in_place_index<0>, std::move(error)) {}  // NOLINT: implicit

  bool ok() const { return state_.index() == 1; }
  // Only when !ok().
  const TokenError& error() const { return std::get<0>(state_); }
  TokenFailure reason() const { return error().reason; }

  T& value() & { return std::get<1>(state_); }
  const T& value() const& { return std::get<1>(state_); }
  T&& value() && { return std::get<1>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<TokenError, T> state_;
};

enum class JwsAlgorithm { kRs256, kRs384, kRs512, kPs256, kEs256 };

// "RS256", ...
std::string_view JwsAlgorithmName(JwsAlgorithm alg);
// nullopt for any name outside the allow-list (including "none" and "HS256").
std::optional<JwsAlgorithm> JwsAlgorithmFromName(std::string_view name);

// The payload's claims that auth::ClaimPolicy checks, as the payload holds them; the payload's other
// members are checked as JSON but not kept.
struct TokenClaims {
  // sstamp and device are Bitwarden's: the user's security stamp and the device's identifier
  // when the token was issued, which a server that issues its own tokens checks on each call.
  enum Name { kIss, kSub, kAud, kExp, kNbf, kIat, kScope, kAmr, kSstamp, kDevice, kCount };
  static constexpr std::array<std::string_view, kCount> kNames = {"iss", "sub",   "aud", "exp",    "nbf",
                                                                  "iat", "scope", "amr", "sstamp", "device"};
  std::array<JsonMember, kCount> members;

  const JsonMember& operator[](Name name) const { return members[name]; }
};

// A token whose structure and header passed the checks above; its signature is NOT yet verified.
struct ParsedJws {
  JwsAlgorithm alg;
  std::string kid;
  TokenClaims claims;
  std::string_view signing_input;  // "header.payload", a view into the token passed to ParseJws
  std::vector<std::uint8_t> signature;
};

inline constexpr std::size_t kDefaultMaxTokenBytes = std::size_t{16} * 1024;

// Checks the structure and header. `token` must outlive the result (signing_input views it).
TokenResult<ParsedJws> ParseJws(std::string_view token, std::size_t max_token_bytes = kDefaultMaxTokenBytes);

// nullopt when `jws.signature` is valid for `key`. kBadSignature when it is not, when the key's
// type does not fit the algorithm family (RSA for RS*/PS*, P-256 for ES256), or when the JWK
// names a different `alg`.
std::optional<TokenError> VerifyJwsSignature(const ParsedJws& jws, const JwkKey& key);

// Prepares `key`'s verification contexts for every algorithm its type and `alg` allow (for
// JwkKey::verifiers). Null if OpenSSL refuses; VerifyJwsSignature then works without them.
std::shared_ptr<const JwkVerifiers> PrepareJwkVerifiers(const JwkKey& key);

}  // namespace keywarden::jose

#endif  // KEYWARDEN_JOSE_JWS_H_
