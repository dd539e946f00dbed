// TOTP: RFC 6238's SHA-1 vectors, the window around now, what counts as a code, new secrets and
// the otpauth URI.
#include "server/two_factor/totp.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "keywarden/crypto/encoding.h"

namespace keywarden::server::two_factor {
namespace {

// RFC 6238 Appendix B: the SHA-1 seed, and its Base32 form as an authenticator app would hold it.
constexpr std::string_view kSeed = "12345678901234567890";
constexpr std::string_view kSeedBase32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

TimePoint At(std::int64_t seconds) { return TimePoint(std::chrono::seconds(seconds)); }

struct Vector {
  std::int64_t time;
  std::string_view code8;  // the published 8-digit value; 6 digits are its last 6
};
// The RFC's last vector, T = 20000000000 (the year 2603), is left out: TimePoint counts
// nanoseconds in 64 bits here, which ends in 2262.
constexpr Vector kVectors[] = {
    {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
    {1234567890, "89005924"}, {2000000000, "69279037"},
};

TEST(TotpTest, Rfc6238Sha1Vectors) {
  for (const Vector& vector : kVectors) {
    const std::string_view code = vector.code8.substr(2);
    EXPECT_EQ(MatchTotp(AsBytes(kSeed), code, At(vector.time), 0), vector.time / 30) << vector.time;
  }
}

TEST(TotpTest, StoredBase32SecretMatchesTheVectors) {
  auto secret = DecodeTotpSecret(kSeedBase32);
  ASSERT_TRUE(secret.ok()) << secret.status().ToString();
  EXPECT_EQ(secret->view(), kSeed);
  EXPECT_EQ(MatchTotp(secret->span(), "050471", At(1111111111)), 1111111111 / 30);
}

// The code of step 1 (T = 59, "287082") seen from the steps around it.
TEST(TotpTest, WindowEdges) {
  const auto seed = AsBytes(kSeed);
  EXPECT_EQ(MatchTotp(seed, "287082", At(30), 0), 1);  // first second of step 1
  EXPECT_EQ(MatchTotp(seed, "287082", At(59), 0), 1);  // last second of step 1
  EXPECT_EQ(MatchTotp(seed, "287082", At(60), 0), std::nullopt);
  EXPECT_EQ(MatchTotp(seed, "287082", At(29), 0), std::nullopt);
  // One step late or early is within the default window; two is not.
  EXPECT_EQ(MatchTotp(seed, "287082", At(60)), 1);
  EXPECT_EQ(MatchTotp(seed, "287082", At(89)), 1);
  EXPECT_EQ(MatchTotp(seed, "287082", At(29)), 1);
  EXPECT_EQ(MatchTotp(seed, "287082", At(0)), 1);
  EXPECT_EQ(MatchTotp(seed, "287082", At(90)), std::nullopt);
  EXPECT_EQ(MatchTotp(seed, "287082", At(90), 2), 1);
  EXPECT_EQ(MatchTotp(seed, "287082", At(119), 2), 1);
  EXPECT_EQ(MatchTotp(seed, "287082", At(120), 2), std::nullopt);
  // A negative window is no window.
  EXPECT_EQ(MatchTotp(seed, "287082", At(60), -3), std::nullopt);
  EXPECT_EQ(MatchTotp(seed, "287082", At(45), -3), 1);
}

TEST(TotpTest, SubSecondTimesBelongToTheirSecond) {
  const auto seed = AsBytes(kSeed);
  const TimePoint almost_60 = At(60) - std::chrono::milliseconds(1);
  EXPECT_EQ(MatchTotp(seed, "287082", almost_60, 0), 1);
}

TEST(TotpTest, CodesAreSixAsciiDigitsWithSpacesIgnored) {
  const auto seed = AsBytes(kSeed);
  const TimePoint now = At(59);
  EXPECT_EQ(MatchTotp(seed, "287 082", now), 1);
  EXPECT_EQ(MatchTotp(seed, " 287082 ", now), 1);
  EXPECT_EQ(MatchTotp(seed, "2 8 7 0 8 2", now), 1);
  for (std::string_view refused :
       {"28708", "2870820", "94287082", "287-082", "+287082", "28708a", "", "      ", "287082\n",
        "\xef\xbc\x92"
        "87082",
        "287\t082"}) {
    EXPECT_EQ(MatchTotp(seed, refused, now), std::nullopt) << refused;
  }
}

TEST(TotpTest, WrongCodeWrongSecretAndOddInputsMatchNothing) {
  const auto seed = AsBytes(kSeed);
  EXPECT_EQ(MatchTotp(seed, "287083", At(59)), std::nullopt);
  EXPECT_EQ(MatchTotp(AsBytes("12345678901234567891"), "287082", At(59)), std::nullopt);
  EXPECT_EQ(MatchTotp({}, "287082", At(59)), std::nullopt);
  EXPECT_EQ(MatchTotp(seed, "287082", At(-1)), std::nullopt);
}

TEST(TotpTest, NewSecretIsTwentyRandomBytesAndTheirBase32) {
  auto first = NewTotpSecret();
  auto second = NewTotpSecret();
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->bytes.size(), 20U);
  EXPECT_FALSE(first->bytes.Equals(second->bytes.span()));
  const std::string_view text = first->base32.view();
  EXPECT_EQ(text.size(), 32U);
  for (const char c : text) EXPECT_TRUE((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7')) << text;
  auto decoded = DecodeTotpSecret(text);
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->Equals(first->bytes.span()));
}

TEST(TotpTest, DecodeAcceptsWhatAppsShowAndRefusesTheRest) {
  for (std::string_view accepted : {"gezdgnbvgy3tqojqgezdgnbvgy3tqojq", "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"}) {
    auto secret = DecodeTotpSecret(accepted);
    ASSERT_TRUE(secret.ok()) << accepted;
    EXPECT_EQ(secret->view(), kSeed);
  }
  for (std::string_view refused : {"GEZDGNBV!Y3TQOJQ", "GEZDGNBVGY3TQOJ1", "MZXW6YQ", ""}) {
    auto secret = DecodeTotpSecret(refused);
    EXPECT_EQ(secret.status().code(), ErrorCode::kInvalidArgument) << refused;
    if (!refused.empty()) {
      EXPECT_EQ(secret.status().message().find(refused), std::string::npos);
    }
  }
}

TEST(TotpTest, OtpauthUriEncodesLabelAndIssuer) {
  EXPECT_EQ(OtpauthUri("JBSWY3DPEHPK3PXP", "a+b@example.com", "Key warden"),
            "otpauth://totp/Key%20warden:a%2Bb%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Key%20warden"
            "&algorithm=SHA1&digits=6&period=30");
}

}  // namespace
}  // namespace keywarden::server::two_factor
