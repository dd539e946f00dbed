#include "jose/jws.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <set>
#include <string>

#include "jose/base64url.h"
#include "jose/jwt_signer.h"
#include "keywarden/crypto/encoding.h"

namespace keywarden::jose {
namespace {

const TimePoint kNow{std::chrono::seconds(1'700'000'000)};

const jose::JwtSigner& Signer(jose::JwsAlgorithm alg) {
  static const jose::JwtSigner rs256 = *jose::JwtSigner::Generate(jose::JwsAlgorithm::kRs256, "rs256");
  static const jose::JwtSigner es256 = *jose::JwtSigner::Generate(jose::JwsAlgorithm::kEs256, "es256");
  switch (alg) {
    case jose::JwsAlgorithm::kEs256: return es256;
    case jose::JwsAlgorithm::kRs256: return rs256;
    default: break;
  }
  static const jose::JwtSigner rs384 = *jose::JwtSigner::Generate(jose::JwsAlgorithm::kRs384, "rs384");
  static const jose::JwtSigner rs512 = *jose::JwtSigner::Generate(jose::JwsAlgorithm::kRs512, "rs512");
  static const jose::JwtSigner ps256 = *jose::JwtSigner::Generate(jose::JwsAlgorithm::kPs256, "ps256");
  return alg == jose::JwsAlgorithm::kRs384 ? rs384 : alg == jose::JwsAlgorithm::kRs512 ? rs512 : ps256;
}

jose::JwkSet KeysOf(const jose::JwtSigner& signer) { return std::move(*jose::ParseJwks(signer.JwksJson())); }

std::string Mint(const jose::JwtSigner& signer, const nlohmann::json& header_extra = nullptr) {
  auto token =
      signer.Mint(header_extra, jose::JwtSigner::StandardClaims("https://id", "sub", kNow, std::chrono::minutes(5)));
  EXPECT_TRUE(token.ok());
  return *token;
}

std::string Part(std::string_view json) { return jose::Base64UrlEncode(json); }

TEST(Base64UrlTest, RoundTripsEveryLength) {
  std::string bytes;
  for (int length = 0; length < 40; ++length) {
    auto decoded = jose::Base64UrlDecode(jose::Base64UrlEncode(bytes));
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(std::string(decoded->begin(), decoded->end()), bytes);
    bytes.push_back(static_cast<char>(0xf8 + length % 8));  // exercises '-' and '_'
  }
  EXPECT_EQ(jose::Base64UrlEncode(std::string("\xfb\xff", 2)), "-_8");
}

TEST(Base64UrlTest, IsStrict) {
  for (const char* bad : {"QQ==", "QQ=", "+w", "/w", "Q Q", "Q", "QUJDR", "QR", "Q\n", "QUJD\x80"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(jose::Base64UrlDecode(bad).ok());
  }
  EXPECT_TRUE(jose::Base64UrlDecode("QQ").ok());
  EXPECT_TRUE(jose::Base64UrlDecode("QUE").ok());
  EXPECT_TRUE(jose::Base64UrlDecode("").ok());
  EXPECT_FALSE(jose::Base64UrlDecode("QUF").ok());  // unused bits set in a 3-character group
}

// The decoder accepts exactly what the library's canonical base64 accepts once the alphabet and
// padding are translated, and decodes it the same way.
TEST(Base64UrlTest, AgreesWithTheLibrarysBase64) {
  constexpr std::string_view kChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= .";
  std::mt19937 random(7);
  for (int round = 0; round < 20000; ++round) {
    std::string text(random() % 12, 'A');
    for (char& c : text) c = kChars[random() % (round % 2 == 0 ? 64 : kChars.size())];
    std::string standard;
    for (char c : text) {  // '+', '/' and '=' are not base64url: made invalid for the library too
      standard.push_back(c == '-' ? '+' : c == '_' ? '/' : c == '+' || c == '/' || c == '=' ? '.' : c);
    }
    if (text.size() % 4 != 0) standard.append(4 - text.size() % 4, '=');
    auto ours = jose::Base64UrlDecode(text);
    auto library = keywarden::Base64Decode(standard);
    SCOPED_TRACE(text);
    ASSERT_EQ(ours.ok(), library.ok() && text.size() % 4 != 1);
    if (ours.ok()) {
      EXPECT_EQ(*ours, *library);
    }
  }
}

TEST(JwsAlgorithmTest, AllowListIsExactAndCaseSensitive) {
  for (const char* name : {"RS256", "RS384", "RS512", "PS256", "ES256"}) {
    auto alg = jose::JwsAlgorithmFromName(name);
    ASSERT_TRUE(alg.has_value()) << name;
    EXPECT_EQ(jose::JwsAlgorithmName(*alg), name);
  }
  for (const char* name : {"none", "None", "HS256", "HS512", "rs256", "ES384", "PS512", "EdDSA", "RS256 ", ""}) {
    EXPECT_FALSE(jose::JwsAlgorithmFromName(name).has_value()) << name;
  }
}

TEST(ParseJwsTest, VerifiesEveryAllowedAlgorithm) {
  for (jose::JwsAlgorithm alg : {jose::JwsAlgorithm::kRs256, jose::JwsAlgorithm::kRs384, jose::JwsAlgorithm::kRs512,
                                 jose::JwsAlgorithm::kPs256, jose::JwsAlgorithm::kEs256}) {
    SCOPED_TRACE(std::string(jose::JwsAlgorithmName(alg)));
    const jose::JwtSigner& signer = Signer(alg);
    const std::string token = Mint(signer);
    auto jws = jose::ParseJws(token);
    ASSERT_TRUE(jws.ok()) << jws.error().message;
    EXPECT_EQ(jws->alg, alg);
    EXPECT_EQ(jws->kid, signer.kid());
    EXPECT_TRUE(jws->claims[jose::TokenClaims::kIss].Holds("https://id"));
    EXPECT_EQ(jws->claims[jose::TokenClaims::kSub].strings, std::vector<std::string>{"sub"});
    EXPECT_EQ(jws->signing_input, token.substr(0, token.rfind('.')));
    const jose::JwkSet keys = KeysOf(signer);
    EXPECT_FALSE(jose::VerifyJwsSignature(*jws, keys.at(signer.kid())).has_value());
  }
}

TEST(ParseJwsTest, Es256SignaturesAreRawSixtyFourBytes) {
  const std::string token = Mint(Signer(jose::JwsAlgorithm::kEs256));
  auto jws = jose::ParseJws(token);
  ASSERT_TRUE(jws.ok());
  EXPECT_EQ(jws->signature.size(), 64u);
  // A DER-encoded signature (what OpenSSL produces natively) is not a JWS signature.
  jose::ParsedJws truncated = *jws;
  truncated.signature.resize(63);
  auto bad = jose::VerifyJwsSignature(truncated, KeysOf(Signer(jose::JwsAlgorithm::kEs256)).at("es256"));
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->reason, jose::TokenFailure::kBadSignature);
}

TEST(ParseJwsTest, TamperedPayloadFailsVerification) {
  const std::string token = Mint(Signer(jose::JwsAlgorithm::kRs256));
  const std::size_t dot = token.find('.');
  const std::string forged =
      token.substr(0, dot + 1) + Part(R"({"iss":"https://id","sub":"admin"})") + token.substr(token.rfind('.'));
  auto jws = jose::ParseJws(forged);
  ASSERT_TRUE(jws.ok());
  auto bad = jose::VerifyJwsSignature(*jws, KeysOf(Signer(jose::JwsAlgorithm::kRs256)).at("rs256"));
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->reason, jose::TokenFailure::kBadSignature);
}

TEST(ParseJwsTest, KeyTypeMustFitTheAlgorithm) {
  auto rsa_token = jose::ParseJws(Mint(Signer(jose::JwsAlgorithm::kRs256)));
  auto ec_token = jose::ParseJws(Mint(Signer(jose::JwsAlgorithm::kEs256)));
  ASSERT_TRUE(rsa_token.ok() && ec_token.ok());
  auto bad = jose::VerifyJwsSignature(*rsa_token, KeysOf(Signer(jose::JwsAlgorithm::kEs256)).at("es256"));
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->reason, jose::TokenFailure::kBadSignature);
  bad = jose::VerifyJwsSignature(*ec_token, KeysOf(Signer(jose::JwsAlgorithm::kRs256)).at("rs256"));
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->reason, jose::TokenFailure::kBadSignature);
}

TEST(ParseJwsTest, JwkAlgPinsTheAlgorithm) {
  const jose::JwtSigner& pss = Signer(jose::JwsAlgorithm::kPs256);
  auto jws = jose::ParseJws(Mint(pss));
  ASSERT_TRUE(jws.ok());
  nlohmann::json jwk = pss.PublicJwk();
  jwk["alg"] = "RS256";
  auto pinned = jose::ParseJwks(nlohmann::json{{"keys", nlohmann::json::array({jwk})}}.dump());
  ASSERT_TRUE(pinned.ok());
  auto bad = jose::VerifyJwsSignature(*jws, pinned->at("ps256"));
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->reason, jose::TokenFailure::kBadSignature);
}

TEST(ParseJwsTest, RefusesStructuralProblems) {
  const std::string good = Mint(Signer(jose::JwsAlgorithm::kRs256));
  const std::string header = good.substr(0, good.find('.'));
  const std::string payload = Part(R"({"sub":"x"})");
  struct Case {
    const char* name;
    std::string token;
    jose::TokenFailure reason;
  };
  const Case cases[] = {
      {"two parts", header + "." + payload, jose::TokenFailure::kMalformed},
      {"four parts", good + ".x", jose::TokenFailure::kMalformed},
      {"five parts (JWE)", good + ".x.y", jose::TokenFailure::kMalformed},
      {"empty", "", jose::TokenFailure::kMalformed},
      {"stripped signature", header + "." + payload + ".", jose::TokenFailure::kMalformed},
      {"padded base64", header + "." + payload + "=.AAAA", jose::TokenFailure::kMalformed},
      {"header not json", Part("alg") + "." + payload + ".AAAA", jose::TokenFailure::kMalformed},
      {"header an array", Part(R"(["RS256"])") + "." + payload + ".AAAA", jose::TokenFailure::kMalformed},
      {"no alg", Part(R"({"kid":"rs256"})") + "." + payload + ".AAAA", jose::TokenFailure::kMalformed},
      {"alg not a string", Part(R"({"alg":1,"kid":"k"})") + "." + payload + ".AAAA", jose::TokenFailure::kMalformed},
      {"repeated alg", Part(R"({"alg":"RS256","alg":"none","kid":"k"})") + "." + payload + ".AAAA",
       jose::TokenFailure::kMalformed},
      {"no kid", Part(R"({"alg":"RS256"})") + "." + payload + ".AAAA", jose::TokenFailure::kMalformed},
      {"empty kid", Part(R"({"alg":"RS256","kid":""})") + "." + payload + ".AAAA", jose::TokenFailure::kMalformed},
      {"numeric kid", Part(R"({"alg":"RS256","kid":7})") + "." + payload + ".AAAA", jose::TokenFailure::kMalformed},
      {"alg none", Part(R"({"alg":"none","kid":"k"})") + "." + payload + ".",
       jose::TokenFailure::kUnsupportedAlgorithm},
      {"alg HS256", Part(R"({"alg":"HS256","kid":"k"})") + "." + payload + ".AAAA",
       jose::TokenFailure::kUnsupportedAlgorithm},
      {"jwk header", Part(R"({"alg":"RS256","kid":"k","jwk":{}})") + "." + payload + ".AAAA",
       jose::TokenFailure::kForbiddenHeader},
      {"x5c header", Part(R"({"alg":"RS256","kid":"k","x5c":[]})") + "." + payload + ".AAAA",
       jose::TokenFailure::kForbiddenHeader},
      {"payload not json", header + "." + Part("{") + ".AAAA", jose::TokenFailure::kMalformed},
      {"payload a string", header + "." + Part(R"("x")") + ".AAAA", jose::TokenFailure::kMalformed},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto jws = jose::ParseJws(c.token);
    ASSERT_FALSE(jws.ok());
    EXPECT_EQ(jose::TokenFailureName(jws.reason()), jose::TokenFailureName(c.reason));
    EXPECT_EQ(jws.error().message.find(c.token.empty() ? "\x01" : c.token.c_str()), std::string::npos);
  }
}

TEST(ParseJwsTest, SizeLimitComesFirst) {
  const std::string token = Mint(Signer(jose::JwsAlgorithm::kRs256));
  EXPECT_TRUE(jose::ParseJws(token, token.size()).ok());
  auto jws = jose::ParseJws(token, token.size() - 1);
  ASSERT_FALSE(jws.ok());
  EXPECT_EQ(jws.reason(), jose::TokenFailure::kTooLarge);
  // Not even the structure is looked at.
  jws = jose::ParseJws(std::string(kDefaultMaxTokenBytes + 1, '.'));
  ASSERT_FALSE(jws.ok());
  EXPECT_EQ(jws.reason(), jose::TokenFailure::kTooLarge);
}

TEST(TokenFailureTest, NamesAreDistinctAndSnakeCase) {
  std::set<std::string_view> names;
  for (int i = 0; i <= static_cast<int>(jose::TokenFailure::kKeysUnavailable); ++i) {
    const auto failure = static_cast<jose::TokenFailure>(i);
    const std::string_view name = jose::TokenFailureName(failure);
    EXPECT_TRUE(names.insert(name).second) << name;
    EXPECT_EQ(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_"), std::string_view::npos) << name;
  }
  EXPECT_EQ(jose::TokenFailureName(jose::TokenFailure::kBadSignature), "bad_signature");
}

}  // namespace
}  // namespace keywarden::jose
