// auth::Bearer: a route's handler runs only for a verified caller, and every refusal is answered
// with the status, WWW-Authenticate header and JSON body the contract in auth/bearer.h states.
#include "auth/bearer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "jose/jwt_signer.h"
#include "keywarden/status.h"
#include "telemetry/metrics.h"

namespace keywarden::auth {
namespace {

constexpr char kIssuer[] = "https://identity.example.com";
constexpr char kUser[] = "1b2c3d4e-0000-4000-8000-00000000abcd";

std::string HeaderOf(const http::HttpResponse& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

class BearerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto signer = jose::JwtSigner::Generate(jose::JwsAlgorithm::kRs256, "k1");
    ASSERT_TRUE(signer.ok()) << signer.status().ToString();
    signer_ = std::make_unique<jose::JwtSigner>(std::move(*signer));
    TokenVerifierOptions options;
    options.policy.issuer = kIssuer;
    options.policy.required_scopes = {"api"};
    options.policy.allowed_amr = {"Application"};
    verifier_ =
        std::make_unique<TokenVerifier>(options, [jwks = signer_->JwksJson()] { return Result<std::string>(jwks); });
    // As a service does before it listens: Verify itself never fetches.
    ASSERT_TRUE(verifier_->Refresh(clock_.Now()).ok());
    route_ = Bearer(
        *verifier_,
        [this](const http::HttpRequest&, const Principal& caller) {
          seen_user_ = caller.user_id;
          return http::JsonResponse(200, {{"user", caller.user_id}});
        },
        BearerOptions{failures_, "api", &clock_});
  }

  http::HttpResponse Call(std::string authorization) {
    http::HttpRequest request;
    request.method = "GET";
    request.target = "/thing";
    if (!authorization.empty()) request.headers["Authorization"] = std::move(authorization);
    return route_(request);
  }

  std::string Token(const nlohmann::json& claims) {
    auto token = signer_->Mint(nullptr, claims);
    EXPECT_TRUE(token.ok());
    return token.ok() ? *token : std::string();
  }

  nlohmann::json Claims() {
    return jose::JwtSigner::StandardClaims(kIssuer, kUser, clock_.Now(), std::chrono::minutes(5));
  }

  // Pinned far from the real time: the route must read this clock, not the system's.
  FakeClock clock_{TimePoint(std::chrono::seconds(1'900'000'000))};
  std::unique_ptr<jose::JwtSigner> signer_;
  std::unique_ptr<TokenVerifier> verifier_;
  telemetry::MetricsRegistry metrics_;
  telemetry::Counter* failures_ = *metrics_.AddCounter("token_failures_total", "refused tokens", {"reason"});
  http::Handler route_;
  std::string seen_user_;
};

TEST_F(BearerTest, AVerifiedCallerReachesTheHandlerWithTheTokensUserId) {
  const http::HttpResponse response = Call("Bearer " + Token(Claims()));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(seen_user_, kUser);
}

TEST_F(BearerTest, TokensAreCheckedAtTheInjectedClocksTime) {
  const std::string token = Token(Claims());  // valid for 5 minutes from the fake now
  EXPECT_EQ(Call("Bearer " + token).status, 200);
  clock_.Advance(std::chrono::minutes(5) + std::chrono::seconds(61));  // past exp and the 60 s skew
  seen_user_.clear();
  const http::HttpResponse response = Call("Bearer " + token);
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(HeaderOf(response, "WWW-Authenticate"), "Bearer error=\"invalid_token\"");
  EXPECT_TRUE(seen_user_.empty());
}

TEST_F(BearerTest, AMissingTokenIs401WithInvalidTokenAndTheHandlerNeverRuns) {
  const http::HttpResponse response = Call("");
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(HeaderOf(response, "WWW-Authenticate"), "Bearer error=\"invalid_token\"");
  EXPECT_NE(response.body.find("\"message\""), std::string::npos);
  EXPECT_TRUE(seen_user_.empty());
}

TEST_F(BearerTest, AForgedTokenIs401AndCountedByReason) {
  std::string token = Token(Claims());
  // A character well inside the signature: the last one carries unused bits in base64url.
  char& c = token[token.size() - 10];
  c = c == 'A' ? 'B' : 'A';
  EXPECT_EQ(Call("Bearer " + token).status, 401);
  EXPECT_NE(metrics_.Render().find("reason=\"bad_signature\"} 1"), std::string::npos) << metrics_.Render();
  EXPECT_TRUE(seen_user_.empty());
}

TEST_F(BearerTest, ClaimsOutsideThePolicyAre403WithInsufficientScope) {
  nlohmann::json claims = Claims();
  claims["scope"] = nlohmann::json::array({"offline_access"});
  const http::HttpResponse response = Call("Bearer " + Token(claims));
  EXPECT_EQ(response.status, 403);
  EXPECT_EQ(HeaderOf(response, "WWW-Authenticate"), "Bearer error=\"insufficient_scope\", scope=\"api\"");
  EXPECT_TRUE(seen_user_.empty());
}

TEST(BearerStatusTest, EveryFailureMapsTo401403Or503AsTheContractSays) {
  for (int i = 0; i <= static_cast<int>(jose::TokenFailure::kKeysUnavailable); ++i) {
    const auto failure = static_cast<jose::TokenFailure>(i);
    const int expected = failure == jose::TokenFailure::kInsufficientScope || failure == jose::TokenFailure::kWrongAmr
                             ? 403
                         : failure == jose::TokenFailure::kKeysUnavailable ? 503
                                                                           : 401;
    EXPECT_EQ(HttpStatusForTokenFailure(failure), expected) << jose::TokenFailureName(failure);
  }
}

}  // namespace
}  // namespace keywarden::auth
