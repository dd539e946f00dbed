// ClaimPolicy's maximum token lifetime (auth/claim_policy.h) and the connector's use of it, checked on
// claims read as the verifier reads them.
#include "auth/claim_policy.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "connector/claim_policy.h"
#include "connector/config/connector_config.h"
#include "jose/jwt_signer.h"
#include "jose/strict_json.h"

namespace keywarden::auth {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

constexpr char kIssuer[] = "https://identity.example.com";
constexpr char kSub[] = "a09726a0-9590-49d1-a5f5-afe300b6a515";
const TimePoint kNow{seconds(1'700'000'000)};
constexpr std::int64_t kNowSeconds = 1'700'000'000;

jose::TokenClaims Read(const nlohmann::json& claims) {
  jose::TokenClaims out;
  const Status read = jose::ReadJsonMembers(claims.dump(), "token payload", jose::TokenClaims::kNames, out.members);
  EXPECT_TRUE(read.ok()) << read.ToString();
  return out;
}

// Claims issued at kNow that expire `lifetime` later.
nlohmann::json Issued(seconds lifetime) { return jose::JwtSigner::StandardClaims(kIssuer, kSub, kNow, lifetime); }

ClaimPolicy Policy(std::optional<seconds> max_lifetime) {
  ClaimPolicy policy;
  policy.issuer = kIssuer;
  policy.required_scopes = {"api"};
  policy.allowed_amr = {"Application", "external"};
  policy.max_lifetime = max_lifetime;
  return policy;
}

void ExpectTooLong(const jose::TokenResult<Principal>& result) {
  ASSERT_FALSE(result.ok()) << "accepted a token that lives too long";
  EXPECT_EQ(jose::TokenFailureName(result.reason()), jose::TokenFailureName(jose::TokenFailure::kExpired));
  EXPECT_NE(result.error().message.find("lifetime"), std::string::npos) << result.error().message;
}

TEST(ClaimPolicyLifetimeTest, ExpMinusIatUpToTheMaximumIsAccepted) {
  const ClaimPolicy policy = Policy(hours(24));
  EXPECT_TRUE(policy.Check(Read(Issued(hours(1))), "k", kNow).ok());
  EXPECT_TRUE(policy.Check(Read(Issued(hours(24))), "k", kNow).ok());
  // Checked on exp - iat, not on the time left: late in a long token's life it is still refused.
  ExpectTooLong(policy.Check(Read(Issued(hours(24) + seconds(1))), "k", kNow + hours(23)));
}

TEST(ClaimPolicyLifetimeTest, LongerLifetimeIsRefusedAsATokenError) {
  ExpectTooLong(Policy(hours(24)).Check(Read(Issued(hours(24) + seconds(1))), "k", kNow));
  ExpectTooLong(Policy(hours(24)).Check(Read(Issued(hours(24 * 365 * 10))), "k", kNow));
  ExpectTooLong(Policy(seconds(60)).Check(Read(Issued(seconds(61))), "k", kNow));
  // Refused tokens answer as other claim failures do (401, counted under their reason).
  EXPECT_EQ(jose::TokenFailureName(jose::TokenFailure::kExpired), "expired");
}

TEST(ClaimPolicyLifetimeTest, WithoutIatTheTimeLeftCountsWithTheSkew) {
  const ClaimPolicy policy = Policy(hours(24));  // clock_skew 60 s
  nlohmann::json claims = Issued(hours(24) + seconds(60));
  claims.erase("iat");
  EXPECT_TRUE(policy.Check(Read(claims), "k", kNow).ok());
  claims["exp"] = kNowSeconds + 24 * 3600 + 61;
  ExpectTooLong(policy.Check(Read(claims), "k", kNow));
  claims["exp"] = kNowSeconds + 10 * 365 * 24 * 3600;
  ExpectTooLong(policy.Check(Read(claims), "k", kNow));
}

TEST(ClaimPolicyLifetimeTest, UnsetMaximumAcceptsAnyLifetime) {
  EXPECT_TRUE(Policy(std::nullopt).Check(Read(Issued(hours(24 * 365 * 10))), "k", kNow).ok());
}

// The connector's policy applies the configured maximum (auth.max_token_lifetime_seconds).
TEST(ClaimPolicyLifetimeTest, KeyConnectorPolicyCarriesTheMaximum) {
  const ClaimPolicy policy = connector::KeyConnectorClaimPolicy(kIssuer, std::nullopt, seconds(60), hours(24));
  ASSERT_TRUE(policy.max_lifetime.has_value());
  EXPECT_EQ(*policy.max_lifetime, hours(24));
  EXPECT_TRUE(policy.Check(Read(Issued(hours(8))), "k", kNow).ok());
  ExpectTooLong(policy.Check(Read(Issued(hours(48))), "k", kNow));
}

// The setting: auth.max_token_lifetime_seconds, 24 hours unless set, 60 s to 30 days.
TEST(ClaimPolicyLifetimeTest, MaximumIsASettingWithASafeDefault) {
  using Env = std::vector<std::pair<std::string, std::string>>;
  const Env identity = {{"KEYWARDEN_IDENTITY_SERVER_URI", kIssuer}};
  auto defaults = connector::LoadConnectorConfig(std::nullopt, identity);
  ASSERT_TRUE(defaults.ok()) << defaults.status().ToString();
  EXPECT_EQ(defaults->auth.max_token_lifetime_seconds, 86400u);

  Env env = identity;
  env.emplace_back("KEYWARDEN_AUTH_MAX_TOKEN_LIFETIME_SECONDS", "3600");
  auto set = connector::LoadConnectorConfig(std::nullopt, env);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->auth.max_token_lifetime_seconds, 3600u);

  for (const char* bad : {"59", "2592001", "-1", "1h"}) {
    env.back().second = bad;
    auto refused = connector::LoadConnectorConfig(std::nullopt, env);
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_NE(refused.status().message().find("KEYWARDEN_AUTH_MAX_TOKEN_LIFETIME_SECONDS"), std::string::npos)
        << refused.status().message();
  }
}

}  // namespace
}  // namespace keywarden::auth
