#include "jose/jwks.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "jose/base64url.h"
#include "jose/jwt_signer.h"

namespace keywarden::jose {
namespace {

const jose::JwtSigner& RsaSigner() {
  static const jose::JwtSigner signer = *jose::JwtSigner::Generate(jose::JwsAlgorithm::kRs256, "rsa-1");
  return signer;
}

const jose::JwtSigner& EcSigner() {
  static const jose::JwtSigner signer = *jose::JwtSigner::Generate(jose::JwsAlgorithm::kEs256, "ec-1");
  return signer;
}

std::string Jwks(const nlohmann::json& keys) { return nlohmann::json{{"keys", keys}}.dump(); }

TEST(JwksTest, ParsesRsaAndEcSigningKeys) {
  auto set = jose::ParseJwks(Jwks(nlohmann::json::array({RsaSigner().PublicJwk(), EcSigner().PublicJwk()})));
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  ASSERT_EQ(set->size(), 2u);
  EXPECT_EQ(set->at("rsa-1").type, jose::JwkType::kRsa);
  EXPECT_EQ(set->at("rsa-1").alg, "RS256");
  EXPECT_NE(set->at("rsa-1").key, nullptr);
  EXPECT_EQ(set->at("ec-1").type, jose::JwkType::kEcP256);
  EXPECT_NE(set->at("ec-1").key, nullptr);
}

TEST(JwksTest, AcceptsKeysWithoutUseOrAlg) {
  nlohmann::json jwk = RsaSigner().PublicJwk();
  jwk.erase("use");
  jwk.erase("alg");
  auto set = jose::ParseJwks(Jwks(nlohmann::json::array({jwk})));
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->at("rsa-1").alg, "");
}

TEST(JwksTest, SkipsKeysItCannotOrMustNotUse) {
  nlohmann::json enc = RsaSigner().PublicJwk();
  enc["use"] = "enc";
  enc["kid"] = "enc";
  nlohmann::json no_kid = RsaSigner().PublicJwk();
  no_kid.erase("kid");
  nlohmann::json empty_kid = RsaSigner().PublicJwk();
  empty_kid["kid"] = "";
  nlohmann::json p384 = EcSigner().PublicJwk();
  p384["crv"] = "P-384";
  p384["kid"] = "p384";
  const nlohmann::json oct = {{"kty", "oct"}, {"kid", "hmac"}, {"k", "c2VjcmV0"}};
  const nlohmann::json okp = {{"kty", "OKP"}, {"kid", "ed"}, {"crv", "Ed25519"}, {"x", "AAAA"}};
  auto set =
      jose::ParseJwks(Jwks(nlohmann::json::array({enc, no_kid, empty_kid, p384, oct, okp, EcSigner().PublicJwk()})));
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  ASSERT_EQ(set->size(), 1u);
  EXPECT_TRUE(set->contains("ec-1"));
}

TEST(JwksTest, EmptyKeyListIsAnEmptySet) {
  auto set = jose::ParseJwks(R"({"keys":[]})");
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->empty());
}

// `broken` next to a good key: the good key is kept, `broken` is skipped with one reason naming
// `fragment` (one unusable key must not take the identity server's other keys down with it).
void ExpectSkippedBesideAGoodKey(const nlohmann::json& broken, std::string_view fragment) {
  std::vector<std::string> skipped;
  auto set = jose::ParseJwks(Jwks(nlohmann::json::array({broken, EcSigner().PublicJwk()})), &skipped);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->size(), 1u);
  EXPECT_TRUE(set->contains("ec-1"));
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_NE(skipped[0].find(fragment), std::string::npos) << skipped[0];
}

TEST(JwksTest, SkipsAShortRsaModulus) {
  nlohmann::json jwk = RsaSigner().PublicJwk();
  auto n = jose::Base64UrlDecode(jwk["n"].get<std::string>());
  ASSERT_TRUE(n.ok());
  n->resize(128);  // a 1024-bit number
  jwk["n"] = jose::Base64UrlEncode(*n);
  ExpectSkippedBesideAGoodKey(jwk, "modulus");
  // Alone, it leaves an empty set (the verifier counts that as a failed fetch).
  auto alone = jose::ParseJwks(Jwks(nlohmann::json::array({jwk})));
  ASSERT_TRUE(alone.ok());
  EXPECT_TRUE(alone->empty());
}

TEST(JwksTest, SkipsAnEvenExponent) {
  nlohmann::json jwk = RsaSigner().PublicJwk();
  jwk["e"] = jose::Base64UrlEncode(std::string("\x01\x00\x00", 3));
  ExpectSkippedBesideAGoodKey(jwk, "exponent");
}

TEST(JwksTest, SkipsAnEcPointOffTheCurve) {
  nlohmann::json jwk = EcSigner().PublicJwk();
  jwk["kid"] = "ec-2";
  auto y = jose::Base64UrlDecode(jwk["y"].get<std::string>());
  ASSERT_TRUE(y.ok());
  y->back() ^= 0x01;
  jwk["y"] = jose::Base64UrlEncode(*y);
  ExpectSkippedBesideAGoodKey(jwk, "key 0 (kid \"ec-2\")");
}

TEST(JwksTest, SkipsShortEcCoordinates) {
  nlohmann::json jwk = EcSigner().PublicJwk();
  jwk["kid"] = "ec-2";
  auto x = jose::Base64UrlDecode(jwk["x"].get<std::string>());
  ASSERT_TRUE(x.ok());
  x->erase(x->begin());
  jwk["x"] = jose::Base64UrlEncode(*x);
  ExpectSkippedBesideAGoodKey(jwk, "32 bytes");
}

TEST(JwksTest, SkipsBrokenMembers) {
  for (const char* member : {"n", "e"}) {
    SCOPED_TRACE(member);
    nlohmann::json bad_base64 = RsaSigner().PublicJwk();
    bad_base64[member] = "not base64url!";
    ExpectSkippedBesideAGoodKey(bad_base64, "base64url");
    nlohmann::json missing = RsaSigner().PublicJwk();
    missing.erase(member);
    ExpectSkippedBesideAGoodKey(missing, "lacks");
    nlohmann::json number = RsaSigner().PublicJwk();
    number[member] = 65537;
    ExpectSkippedBesideAGoodKey(number, "lacks");
  }
}

TEST(JwksTest, SkipsUnsupportedTypesAndAlgsWithAReason) {
  ExpectSkippedBesideAGoodKey({{"kty", "oct"}, {"kid", "hmac"}, {"k", "c2VjcmV0"}}, "kty");
  nlohmann::json hs256 = RsaSigner().PublicJwk();
  hs256["alg"] = "HS256";
  ExpectSkippedBesideAGoodKey(hs256, "alg");
  nlohmann::json es256_on_rsa = RsaSigner().PublicJwk();
  es256_on_rsa["alg"] = "ES256";
  ExpectSkippedBesideAGoodKey(es256_on_rsa, "alg");
  ExpectSkippedBesideAGoodKey(1, "not a JSON object");
  // Keys for encryption are skipped without a reason: they are not this service's business.
  nlohmann::json enc = RsaSigner().PublicJwk();
  enc["use"] = "enc";
  std::vector<std::string> skipped;
  ASSERT_TRUE(jose::ParseJwks(Jwks(nlohmann::json::array({enc})), &skipped).ok());
  EXPECT_TRUE(skipped.empty());
}

TEST(JwksTest, SkipReasonsAreBoundedAndKidsSanitised) {
  nlohmann::json keys = nlohmann::json::array();
  for (int i = 0; i < 100; ++i) keys.push_back({{"kty", "oct"}, {"kid", std::string(500, 'k') + "\n\x01"}});
  std::vector<std::string> skipped;
  ASSERT_TRUE(jose::ParseJwks(Jwks(keys), &skipped).ok());
  EXPECT_EQ(skipped.size(), 8u);
  for (const std::string& reason : skipped) {
    EXPECT_LT(reason.size(), 100u) << reason;
    EXPECT_EQ(reason.find('\n'), std::string::npos);
  }
}

TEST(JwksTest, DropsEveryKeyUnderARepeatedKid) {
  nlohmann::json other = EcSigner().PublicJwk();
  other["kid"] = "rsa-1";
  nlohmann::json good = EcSigner().PublicJwk();
  std::vector<std::string> skipped;
  auto set = jose::ParseJwks(Jwks(nlohmann::json::array({RsaSigner().PublicJwk(), other, good})), &skipped);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_FALSE(set->contains("rsa-1"));
  EXPECT_TRUE(set->contains("ec-1"));
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_NE(skipped[0].find("repeated"), std::string::npos) << skipped[0];
}

TEST(JwksTest, RejectsDocumentsThatAreNotAJwks) {
  for (const char* text :
       {"", "null", "[]", "{", R"({"keys":{}})", R"({"nokeys":[]})", R"({"keys":[],"keys":[]})", "{\"keys\":[]}\xff"}) {
    SCOPED_TRACE(text);
    auto set = jose::ParseJwks(text);
    ASSERT_FALSE(set.ok());
    EXPECT_EQ(set.status().code(), ErrorCode::kInvalidArgument);
  }
}

TEST(JwksTest, RejectsDeepNestingAndHugeDocuments) {
  const std::string deep = R"({"keys":[],"x":)" + std::string(5000, '[') + std::string(5000, ']') + "}";
  EXPECT_FALSE(jose::ParseJwks(deep).ok());
  const std::string huge = R"({"keys":[],"x":")" + std::string(kMaxJwksBytes, 'a') + "\"}";
  EXPECT_FALSE(jose::ParseJwks(huge).ok());
}

TEST(DiscoveryTest, ReadsIssuerAndJwksUri) {
  auto discovery = jose::ParseDiscovery(
      R"({"issuer":"https://id.example.com","jwks_uri":"https://id.example.com/.well-known/openid-configuration/jwks",
          "scopes_supported":["api"]})");
  ASSERT_TRUE(discovery.ok()) << discovery.status().ToString();
  EXPECT_EQ(discovery->issuer, "https://id.example.com");
  EXPECT_EQ(discovery->jwks_uri, "https://id.example.com/.well-known/openid-configuration/jwks");
}

TEST(DiscoveryTest, RejectsIncompleteDocuments) {
  for (const char* text : {"", "[]", R"({"jwks_uri":"https://a/jwks"})", R"({"issuer":"","jwks_uri":"https://a/j"})",
                           R"({"issuer":"https://a"})", R"({"issuer":"https://a","jwks_uri":"file:///etc/passwd"})",
                           R"({"issuer":1,"jwks_uri":"https://a/j"})"}) {
    SCOPED_TRACE(text);
    auto discovery = jose::ParseDiscovery(text);
    ASSERT_FALSE(discovery.ok());
    EXPECT_EQ(discovery.status().code(), ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace keywarden::jose
