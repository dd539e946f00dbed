#include "server/sso/id_token.h"

#include <algorithm>

#include "jose/base64url.h"
#include "jose/jws.h"
#include "server/two_factor/codes.h"

namespace keywarden::server::sso {
namespace {

Status Refused(std::string why) { return AuthenticationError("the identity provider's ID token " + std::move(why)); }

std::int64_t Seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

Result<nlohmann::json> VerifyIdToken(std::string_view token, const jose::JwkSet& keys,
                                     const IdTokenExpectations& expected, TimePoint now) {
  auto parsed = jose::ParseJws(token);
  if (!parsed.ok()) return Refused("is not acceptable: " + parsed.error().message);
  const auto key = keys.find(parsed->kid);
  if (key == keys.end()) return NotFoundError("the identity provider has no key '" + parsed->kid.substr(0, 64) + "'");
  if (auto bad = jose::VerifyJwsSignature(*parsed, key->second)) return Refused("has a bad signature");

  const std::string_view input = parsed->signing_input;
  auto payload = jose::Base64UrlDecode(input.substr(input.find('.') + 1));
  if (!payload.ok()) return Refused("has a malformed payload");
  nlohmann::json claims = nlohmann::json::parse(payload->begin(), payload->end(), nullptr, false);
  if (!claims.is_object()) return Refused("has a malformed payload");

  const auto text = [&](const char* name) -> std::string {
    auto it = claims.find(name);
    return it != claims.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const auto number = [&](const char* name) -> std::optional<std::int64_t> {
    auto it = claims.find(name);
    if (it == claims.end() || !it->is_number()) return std::nullopt;
    return it->get<std::int64_t>();
  };

  if (text("iss") != expected.issuer) return Refused("is from another issuer");
  const auto aud = claims.find("aud");
  std::vector<std::string> audiences;
  if (aud != claims.end() && aud->is_string()) audiences.push_back(aud->get<std::string>());
  if (aud != claims.end() && aud->is_array()) {
    for (const auto& entry : *aud) {
      if (entry.is_string()) audiences.push_back(entry.get<std::string>());
    }
  }
  if (std::find(audiences.begin(), audiences.end(), expected.client_id) == audiences.end()) {
    return Refused("is for another client");
  }
  if (audiences.size() > 1 && text("azp") != expected.client_id) return Refused("was issued to another party");

  const std::int64_t now_s = Seconds(now);
  const std::int64_t skew = expected.clock_skew.count();
  const auto exp = number("exp");
  if (!exp) return Refused("has no expiry");
  if (*exp + skew <= now_s) return Refused("has expired");
  if (const auto iat = number("iat"); iat && *iat > now_s + skew) return Refused("was issued in the future");
  if (const auto nbf = number("nbf"); nbf && *nbf > now_s + skew) return Refused("is not valid yet");

  const std::string nonce = text("nonce");
  if (expected.nonce.empty() || !two_factor::SameSecretText(nonce, expected.nonce))
    return Refused("does not carry this login's nonce");
  if (text("sub").empty()) return Refused("names no subject");
  return claims;
}

}  // namespace keywarden::server::sso
