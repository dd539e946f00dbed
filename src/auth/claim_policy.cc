#include "auth/claim_policy.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>

#include "auth/user_id.h"

namespace keywarden::auth {
namespace {

// NumericDates are clamped to about ±250 years around 1970: far enough for any real token, and
// small enough that adding a skew or converting to a nanosecond TimePoint cannot overflow.
constexpr std::int64_t kMaxDateSeconds = 8'000'000'000;

enum class DateClaim { kAbsent, kInvalid, kPresent };

// Reads a NumericDate (RFC 7519 §2: seconds, possibly fractional) into whole seconds.
DateClaim ReadDate(const jose::JsonMember& claim, std::int64_t* seconds) {
  if (claim.type == jose::JsonMember::Type::kAbsent) return DateClaim::kAbsent;
  if (claim.type != jose::JsonMember::Type::kNumber || !std::isfinite(claim.number)) return DateClaim::kInvalid;
  const auto limit = static_cast<double>(kMaxDateSeconds);
  *seconds = static_cast<std::int64_t>(std::clamp(std::floor(claim.number), -limit, limit));
  return DateClaim::kPresent;
}

}  // namespace

jose::TokenResult<Principal> ClaimPolicy::Check(const jose::TokenClaims& claims, std::string kid, TimePoint now) const {
  const jose::JsonMember& iss = claims[jose::TokenClaims::kIss];
  if (iss.type != jose::JsonMember::Type::kString || iss.strings.front() != issuer) {
    return jose::TokenError{jose::TokenFailure::kWrongIssuer,
                            "the token's issuer is not the configured identity server"};
  }

  const std::int64_t now_seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const std::int64_t skew = clock_skew.count();
  std::int64_t exp = 0;
  std::int64_t nbf = 0;
  std::int64_t iat = 0;
  const DateClaim has_exp = ReadDate(claims[jose::TokenClaims::kExp], &exp);
  const DateClaim has_nbf = ReadDate(claims[jose::TokenClaims::kNbf], &nbf);
  const DateClaim has_iat = ReadDate(claims[jose::TokenClaims::kIat], &iat);
  if (has_exp != DateClaim::kPresent)
    return jose::TokenError{jose::TokenFailure::kMalformed, "the token has no numeric exp"};
  if (has_nbf == DateClaim::kInvalid || has_iat == DateClaim::kInvalid) {
    return jose::TokenError{jose::TokenFailure::kMalformed, "the token's nbf or iat is not a number"};
  }
  if (now_seconds >= exp + skew) return jose::TokenError{jose::TokenFailure::kExpired, "the token has expired"};
  if (has_nbf == DateClaim::kPresent && nbf > now_seconds + skew) {
    return jose::TokenError{jose::TokenFailure::kNotYetValid, "the token is not valid yet (nbf)"};
  }
  if (has_iat == DateClaim::kPresent && iat > now_seconds + skew) {
    return jose::TokenError{jose::TokenFailure::kNotYetValid, "the token was issued in the future (iat)"};
  }

  if (max_lifetime) {
    // exp and iat both come from the issuer's clock; exp - now mixes clocks, so the skew is allowed.
    const std::int64_t lifetime = has_iat == DateClaim::kPresent ? exp - iat : exp - now_seconds - skew;
    if (lifetime > max_lifetime->count()) {
      return jose::TokenError{jose::TokenFailure::kExpired, "the token's lifetime exceeds the accepted maximum of " +
                                                                std::to_string(max_lifetime->count()) + " s"};
    }
  }

  // `aud` may be a string or an array of them (RFC 7519 §4.1.3).
  if (audience && !claims[jose::TokenClaims::kAud].Holds(*audience)) {
    return jose::TokenError{jose::TokenFailure::kWrongAudience, "the token is not meant for this audience"};
  }

  const jose::JsonMember& sub = claims[jose::TokenClaims::kSub];
  Result<std::string> user_id = sub.type == jose::JsonMember::Type::kString
                                    ? CanonicalUserId(sub.strings.front())
                                    : Result<std::string>(InvalidArgumentError("no sub"));
  if (!user_id.ok()) return jose::TokenError{jose::TokenFailure::kInvalidSubject, "the token's sub is not a GUID"};

  // A JSON array only: the reference refuses the space-separated string form, and so do we.
  const jose::JsonMember& scope = claims[jose::TokenClaims::kScope];
  for (const std::string& wanted : required_scopes) {
    if (scope.type != jose::JsonMember::Type::kArray || !scope.Holds(wanted)) {
      return jose::TokenError{jose::TokenFailure::kInsufficientScope, "the token lacks the " + wanted + " scope"};
    }
  }
  const jose::JsonMember& amr = claims[jose::TokenClaims::kAmr];
  if (!allowed_amr.empty() &&
      std::none_of(allowed_amr.begin(), allowed_amr.end(), [&amr](const std::string& m) { return amr.Holds(m); })) {
    return jose::TokenError{jose::TokenFailure::kWrongAmr, "the token's amr is none of the accepted methods"};
  }

  const TimePoint expires_at(std::chrono::duration_cast<TimePoint::duration>(std::chrono::seconds(exp)));
  const auto text = [&](jose::TokenClaims::Name name) {
    const jose::JsonMember& member = claims[name];
    return member.type == jose::JsonMember::Type::kString ? member.strings.front() : std::string();
  };
  return Principal{std::move(*user_id), std::move(kid), expires_at, text(jose::TokenClaims::kSstamp),
                   text(jose::TokenClaims::kDevice)};
}

}  // namespace keywarden::auth
