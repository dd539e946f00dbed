// The checks a provider's ID token must pass (server/sso/id_token.h), with tokens signed by
// real keys: every rule refused on its own, the rest of the token valid.
#include "server/sso/id_token.h"

#include <gtest/gtest.h>

#include "jose/jwt_signer.h"

namespace keywarden::server::sso {
namespace {

constexpr char kIssuer[] = "https://idp.example.com";
constexpr char kClient[] = "keywarden";
constexpr char kNonce[] = "n0nce-of-this-login";

class IdTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto signer = jose::JwtSigner::Generate(jose::JwsAlgorithm::kRs256, "idp-key");
    ASSERT_TRUE(signer.ok());
    signer_.emplace(*std::move(signer));
    auto keys = jose::ParseJwks(signer_->JwksJson());
    ASSERT_TRUE(keys.ok());
    keys_ = *std::move(keys);
  }

  nlohmann::json Claims() const {
    const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(now_.time_since_epoch()).count();
    return {{"iss", kIssuer}, {"aud", kClient},   {"sub", "idp-user-1"},     {"nonce", kNonce},
            {"iat", now},     {"exp", now + 300}, {"email", "a@example.com"}};
  }

  std::string Mint(const nlohmann::json& claims, const jose::JwtSigner* signer = nullptr) const {
    auto token = (signer ? *signer : *signer_).Mint(nlohmann::json::object(), claims);
    EXPECT_TRUE(token.ok());
    return token.ok() ? *token : "";
  }

  Result<nlohmann::json> Verify(const std::string& token) const {
    return VerifyIdToken(token, keys_, IdTokenExpectations{kIssuer, kClient, kNonce}, now_);
  }

  void ExpectRefused(const nlohmann::json& claims, std::string_view why) const {
    auto verified = Verify(Mint(claims));
    ASSERT_FALSE(verified.ok()) << claims.dump();
    EXPECT_EQ(verified.status().code(), ErrorCode::kAuthenticationFailed);
    EXPECT_NE(verified.status().message().find(why), std::string::npos) << verified.status().message();
  }

  TimePoint now_ = TimePoint(std::chrono::seconds(1'790'000'000));
  std::optional<jose::JwtSigner> signer_;
  jose::JwkSet keys_;
};

TEST_F(IdTokenTest, AValidTokenGivesItsClaims) {
  auto verified = Verify(Mint(Claims()));
  ASSERT_TRUE(verified.ok()) << verified.status().message();
  EXPECT_EQ(verified->value("sub", ""), "idp-user-1");
  EXPECT_EQ(verified->value("email", ""), "a@example.com");
  nlohmann::json several = Claims();
  several["aud"] = {"other", kClient};
  several["azp"] = kClient;
  EXPECT_TRUE(Verify(Mint(several)).ok());
}

TEST_F(IdTokenTest, EachRuleIsEnforced) {
  auto claims = Claims();
  claims["iss"] = "https://evil.example.com";
  ExpectRefused(claims, "another issuer");
  claims = Claims();
  claims["aud"] = "someone-else";
  ExpectRefused(claims, "another client");
  claims = Claims();
  claims["aud"] = {"other", kClient};
  ExpectRefused(claims, "another party");  // several audiences and no azp
  claims = Claims();
  claims["exp"] = claims["iat"].get<std::int64_t>() - 1000;
  ExpectRefused(claims, "expired");
  claims = Claims();
  claims.erase("exp");
  ExpectRefused(claims, "no expiry");
  claims = Claims();
  claims["iat"] = claims["iat"].get<std::int64_t>() + 3600;
  ExpectRefused(claims, "future");
  claims = Claims();
  claims["nonce"] = "another-login";
  ExpectRefused(claims, "nonce");
  claims = Claims();
  claims.erase("nonce");
  ExpectRefused(claims, "nonce");
  claims = Claims();
  claims.erase("sub");
  ExpectRefused(claims, "subject");
}

TEST_F(IdTokenTest, ASignatureByAnotherKeyUnderTheSameKidIsRefused) {
  auto forger = jose::JwtSigner::Generate(jose::JwsAlgorithm::kRs256, "idp-key");
  ASSERT_TRUE(forger.ok());
  auto verified = Verify(Mint(Claims(), &*forger));
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.status().code(), ErrorCode::kAuthenticationFailed);
}

TEST_F(IdTokenTest, AnUnknownKidAsksForTheKeysAgain) {
  auto other = jose::JwtSigner::Generate(jose::JwsAlgorithm::kRs256, "rotated-key");
  ASSERT_TRUE(other.ok());
  auto verified = Verify(Mint(Claims(), &*other));
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.status().code(), ErrorCode::kNotFound);
}

TEST_F(IdTokenTest, UnsignedAndMalformedTokensAreRefused) {
  // alg none, with the claims of a valid token.
  const std::string unsigned_token =
      "eyJhbGciOiJub25lIiwia2lkIjoiaWRwLWtleSJ9." + Mint(Claims()).substr(Mint(Claims()).find('.') + 1);
  EXPECT_FALSE(Verify(unsigned_token).ok());
  EXPECT_FALSE(Verify("").ok());
  EXPECT_FALSE(Verify("a.b.c").ok());
  EXPECT_FALSE(Verify(std::string(20000, 'a')).ok());
}

}  // namespace
}  // namespace keywarden::server::sso
