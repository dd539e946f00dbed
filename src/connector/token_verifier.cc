#include "connector/token_verifier.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <exception>
#include <utility>

#include "connector/user_id.h"

namespace keywarden::connector {
namespace {

constexpr std::string_view kScheme = "bearer";
// NumericDates are clamped to about ±250 years around 1970: far enough for any real token, and
// small enough that adding a skew or converting to a nanosecond TimePoint cannot overflow.
constexpr std::int64_t kMaxDateSeconds = 8'000'000'000;

TokenError Fail(TokenFailure reason, std::string message) { return TokenError{reason, std::move(message)}; }

bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

enum class DateClaim { kAbsent, kInvalid, kPresent };

// Reads a NumericDate (RFC 7519 §2: seconds, possibly fractional) into whole seconds.
DateClaim ReadDate(const nlohmann::json& claims, const char* name, std::int64_t* seconds) {
  auto it = claims.find(name);
  if (it == claims.end()) return DateClaim::kAbsent;
  double value = 0;
  if (it->is_number_unsigned()) {
    value = static_cast<double>(std::min<std::uint64_t>(it->get<std::uint64_t>(), kMaxDateSeconds));
  } else if (it->is_number_integer()) {
    value = static_cast<double>(std::clamp<std::int64_t>(it->get<std::int64_t>(), -kMaxDateSeconds, kMaxDateSeconds));
  } else if (it->is_number_float() && std::isfinite(it->get<double>())) {
    value = std::clamp(std::floor(it->get<double>()), static_cast<double>(-kMaxDateSeconds),
                       static_cast<double>(kMaxDateSeconds));
  } else {
    return DateClaim::kInvalid;
  }
  *seconds = static_cast<std::int64_t>(value);
  return DateClaim::kPresent;
}

// True when `claim` is `wanted` or an array holding it (the forms `aud` and `amr` take).
bool StringOrArrayContains(const nlohmann::json& claim, std::string_view wanted) {
  if (claim.is_string()) return claim.get_ref<const std::string&>() == wanted;
  if (!claim.is_array()) return false;
  return std::any_of(claim.begin(), claim.end(), [wanted](const nlohmann::json& item) {
    return item.is_string() && item.get_ref<const std::string&>() == wanted;
  });
}

const nlohmann::json& ClaimOrNull(const nlohmann::json& claims, const char* name) {
  static const nlohmann::json kNull;
  auto it = claims.find(name);
  return it == claims.end() ? kNull : *it;
}

}  // namespace

TokenVerifier::TokenVerifier(TokenVerifierOptions options, JwksFetcher fetch_jwks)
    : options_(std::move(options)), fetch_jwks_(std::move(fetch_jwks)) {}

TokenResult<VerifiedToken> TokenVerifier::Verify(std::string_view authorization_header_value, TimePoint now) {
  const std::string_view value = authorization_header_value;
  if (value.empty()) return Fail(TokenFailure::kMissing, "no bearer token");
  if (value.size() > options_.max_token_bytes + kScheme.size() + 1) {
    return Fail(TokenFailure::kTooLarge, "the token is too large");
  }
  const std::size_t space = value.find(' ');
  if (!EqualsIgnoreAsciiCase(value.substr(0, space), kScheme)) {
    return Fail(TokenFailure::kWrongScheme, "the Authorization scheme is not Bearer");
  }
  const std::string_view token = space == std::string_view::npos ? std::string_view() : value.substr(space + 1);
  if (token.empty()) return Fail(TokenFailure::kMalformed, "the bearer token is empty");

  TokenResult<ParsedJws> jws = ParseJws(token, options_.max_token_bytes);
  if (!jws.ok()) return jws.error();
  TokenResult<std::shared_ptr<const JwkSet>> keys = KeysWith(jws->kid, now);
  if (!keys.ok()) return keys.error();
  const JwkKey& key = (*keys)->find(jws->kid)->second;
  if (std::optional<TokenError> bad = VerifyJwsSignature(*jws, key)) return *bad;
  return CheckClaims(jws->payload, std::move(jws->kid), now);
}

TokenResult<VerifiedToken> TokenVerifier::CheckClaims(const nlohmann::json& claims, std::string kid,
                                                     TimePoint now) const {
  const nlohmann::json& iss = ClaimOrNull(claims, "iss");
  if (!iss.is_string() || iss.get_ref<const std::string&>() != options_.issuer) {
    return Fail(TokenFailure::kWrongIssuer, "the token's issuer is not the configured identity server");
  }

  const std::int64_t now_seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const std::int64_t skew = options_.clock_skew.count();
  std::int64_t exp = 0;
  std::int64_t nbf = 0;
  std::int64_t iat = 0;
  const DateClaim has_exp = ReadDate(claims, "exp", &exp);
  const DateClaim has_nbf = ReadDate(claims, "nbf", &nbf);
  const DateClaim has_iat = ReadDate(claims, "iat", &iat);
  if (has_exp != DateClaim::kPresent) return Fail(TokenFailure::kMalformed, "the token has no numeric exp");
  if (has_nbf == DateClaim::kInvalid || has_iat == DateClaim::kInvalid) {
    return Fail(TokenFailure::kMalformed, "the token's nbf or iat is not a number");
  }
  if (now_seconds >= exp + skew) return Fail(TokenFailure::kExpired, "the token has expired");
  if (has_nbf == DateClaim::kPresent && nbf > now_seconds + skew) {
    return Fail(TokenFailure::kNotYetValid, "the token is not valid yet (nbf)");
  }
  if (has_iat == DateClaim::kPresent && iat > now_seconds + skew) {
    return Fail(TokenFailure::kNotYetValid, "the token was issued in the future (iat)");
  }

  if (options_.audience && !StringOrArrayContains(ClaimOrNull(claims, "aud"), *options_.audience)) {
    return Fail(TokenFailure::kWrongAudience, "the token is not meant for this audience");
  }

  const nlohmann::json& sub = ClaimOrNull(claims, "sub");
  Result<std::string> user_id = sub.is_string() ? CanonicalUserId(sub.get_ref<const std::string&>())
                                                : Result<std::string>(InvalidArgumentError("no sub"));
  if (!user_id.ok()) return Fail(TokenFailure::kInvalidSubject, "the token's sub is not a GUID");

  // A JSON array only: the reference refuses the space-separated string form, and so do we.
  const nlohmann::json& scope = ClaimOrNull(claims, "scope");
  if (!scope.is_array() || !StringOrArrayContains(scope, "api")) {
    return Fail(TokenFailure::kInsufficientScope, "the token lacks the api scope");
  }
  const nlohmann::json& amr = ClaimOrNull(claims, "amr");
  if (!StringOrArrayContains(amr, "Application") && !StringOrArrayContains(amr, "external")) {
    return Fail(TokenFailure::kWrongAmr, "the token's amr is neither Application nor external");
  }

  const TimePoint expires_at(std::chrono::duration_cast<TimePoint::duration>(std::chrono::seconds(exp)));
  return VerifiedToken{std::move(*user_id), std::move(kid), expires_at};
}

std::shared_ptr<const JwkSet> TokenVerifier::Snapshot() const {
  std::lock_guard<std::mutex> lock(state_mutex_);
  return keys_;
}

TokenResult<std::shared_ptr<const JwkSet>> TokenVerifier::KeysWith(std::string_view kid, TimePoint now) {
  const auto has_kid = [kid](const std::shared_ptr<const JwkSet>& set) {
    return set != nullptr && set->find(kid) != set->end();
  };
  std::shared_ptr<const JwkSet> keys = Snapshot();
  if (has_kid(keys)) return keys;

  // Slow path. Whoever waited here while another thread fetched sees the new set below and, the
  // interval not having passed, does not fetch again.
  std::lock_guard<std::mutex> lock(fetch_mutex_);
  keys = Snapshot();
  if (has_kid(keys)) return keys;
  const std::optional<Status> fetched = FetchLocked(now);
  if (fetched && !fetched->ok()) return Fail(TokenFailure::kKeysUnavailable, fetched->message());
  keys = Snapshot();
  if (keys == nullptr) {
    return Fail(TokenFailure::kKeysUnavailable, last_fetch_status_.ok() ? "the JWKS has not been fetched"
                                                                        : last_fetch_status_.message());
  }
  if (!has_kid(keys)) return Fail(TokenFailure::kUnknownKey, "the token's kid is not in the JWKS");
  return keys;
}

Status TokenVerifier::Refresh(TimePoint now) {
  std::lock_guard<std::mutex> lock(fetch_mutex_);
  return FetchLocked(now).value_or(OkStatus());
}

std::optional<Status> TokenVerifier::FetchLocked(TimePoint now) {
  if (last_fetch_) {
    // A clock that jumped back by more than the interval must not block refetches for as long.
    const auto elapsed = now - *last_fetch_;
    if (elapsed < options_.jwks_refresh_min_interval && elapsed > -options_.jwks_refresh_min_interval) {
      return std::nullopt;
    }
  }
  last_fetch_ = now;
  Result<std::string> text = UnavailableError("cannot fetch the JWKS");
  try {
    text = fetch_jwks_();
  } catch (const std::exception&) {
    // The fetcher should return a Status; an exception is still no reason to take the process down.
  }
  if (!text.ok()) {
    last_fetch_status_ = UnavailableError("cannot fetch the JWKS: " + text.status().message());
    return last_fetch_status_;
  }
  Result<JwkSet> set = ParseJwks(*text);
  if (!set.ok()) {
    last_fetch_status_ = UnavailableError("the JWKS is unusable: " + set.status().message());
    return last_fetch_status_;
  }
  auto shared = std::make_shared<const JwkSet>(std::move(*set));
  {
    std::lock_guard<std::mutex> state_lock(state_mutex_);
    keys_ = std::move(shared);
  }
  last_fetch_status_ = OkStatus();
  return last_fetch_status_;
}

}  // namespace keywarden::connector
