// One-time codes, recovery codes and tokens: their forms, a sanity check of their distribution,
// and the hash the database keeps of them.
#include "server/two_factor/codes.h"

#include <gtest/gtest.h>

#include <array>
#include <set>
#include <string>

#include "jose/base64url.h"

namespace keywarden::server::two_factor {
namespace {

// Pearson's statistic of `counts` against a uniform expectation.
template <std::size_t N>
double ChiSquare(const std::array<int, N>& counts, double expected) {
  double sum = 0;
  for (const int count : counts) sum += (count - expected) * (count - expected) / expected;
  return sum;
}

// Critical values at p = 1e-7 (Wilson-Hilferty): a uniform source exceeds them about once in ten
// million runs, a broken one (a stuck digit, a missing letter) by far.
constexpr double kChiSquare9 = 52;
constexpr double kChiSquare35 = 98;

TEST(CodesTest, OneTimeCodesAreSixUniformDigits) {
  constexpr int kCodes = 20000;
  std::array<std::array<int, 10>, 6> counts{};
  std::set<std::string> seen;
  for (int i = 0; i < kCodes; ++i) {
    auto code = NewOneTimeCode();
    ASSERT_TRUE(code.ok()) << code.status().ToString();
    ASSERT_EQ(code->size(), 6U) << *code;
    for (std::size_t position = 0; position < 6; ++position) {
      const char c = (*code)[position];
      ASSERT_TRUE(c >= '0' && c <= '9') << *code;
      ++counts[position][static_cast<std::size_t>(c - '0')];
    }
    seen.insert(*code);
  }
  for (std::size_t position = 0; position < 6; ++position) {
    EXPECT_LT(ChiSquare(counts[position], kCodes / 10.0), kChiSquare9) << "position " << position;
  }
  EXPECT_GT(counts[0][0], 0);  // leading zeros are kept
  // 20,000 draws from a million values repeat about 200 times; far more means a weak source.
  EXPECT_GT(seen.size(), static_cast<std::size_t>(kCodes - 600));
}

TEST(CodesTest, RecoveryCodesAreThirtyTwoUniformLettersAndDigits) {
  constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  constexpr int kCodes = 2000;
  std::array<int, 36> counts{};
  std::set<std::string> seen;
  for (int i = 0; i < kCodes; ++i) {
    auto code = NewRecoveryCode();
    ASSERT_TRUE(code.ok());
    ASSERT_EQ(code->size(), 32U);
    for (const char c : *code) {
      const std::size_t index = kAlphabet.find(c);
      ASSERT_NE(index, std::string_view::npos) << *code;
      ++counts[index];
    }
    seen.insert(*code);
  }
  EXPECT_LT(ChiSquare(counts, kCodes * 32 / 36.0), kChiSquare35);
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kCodes));
}

TEST(CodesTest, OpaqueTokensAre32RandomBytesInBase64Url) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto token = NewOpaqueToken();
    ASSERT_TRUE(token.ok());
    EXPECT_EQ(token->size(), 43U);
    auto bytes = jose::Base64UrlDecode(*token);
    ASSERT_TRUE(bytes.ok()) << *token;
    EXPECT_EQ(bytes->size(), 32U);
    seen.insert(*token);
  }
  EXPECT_EQ(seen.size(), 1000U);
}

TEST(CodesTest, TokenHashIsSha256) {
  // FIPS 180-2's "abc" and the empty message.
  const std::array<std::uint8_t, 32> abc = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
                                            0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
                                            0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
  const std::array<std::uint8_t, 32> empty = {0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4,
                                              0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b,
                                              0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55};
  auto hashed = TokenHash("abc");
  ASSERT_TRUE(hashed.ok());
  EXPECT_EQ(*hashed, abc);
  auto hashed_empty = TokenHash("");
  ASSERT_TRUE(hashed_empty.ok());
  EXPECT_EQ(*hashed_empty, empty);
}

TEST(CodesTest, SameSecretTextComparesWholeTexts) {
  EXPECT_TRUE(SameSecretText("a-nonce-of-the-login", "a-nonce-of-the-login"));
  EXPECT_FALSE(SameSecretText("a-nonce-of-the-login", "a-nonce-of-the-logiN"));
  EXPECT_FALSE(SameSecretText("a-nonce-of-the-login", "a-nonce-of-the-login "));
  EXPECT_FALSE(SameSecretText("", "x"));
  EXPECT_TRUE(SameSecretText("", ""));
}

TEST(CodesTest, SameHashComparesWholeValues) {
  auto token = NewOpaqueToken();
  ASSERT_TRUE(token.ok());
  auto stored = TokenHash(*token);
  auto sent = TokenHash(*token);
  auto other = TokenHash(*token + "x");
  ASSERT_TRUE(stored.ok() && sent.ok() && other.ok());
  EXPECT_TRUE(SameHash(*stored, *sent));
  EXPECT_FALSE(SameHash(*stored, *other));
  TokenDigest last_byte = *stored;
  last_byte[31] ^= 0x01;
  EXPECT_FALSE(SameHash(*stored, last_byte));
  EXPECT_FALSE(SameHash(*stored, std::span<const std::uint8_t>(*stored).first(31)));
  EXPECT_TRUE(SameHash({}, {}));
}

TEST(CodesTest, RecoveryCodesAreNormalisedBeforeHashing) {
  EXPECT_EQ(NormalizeRecoveryCode("abcd-efgh 1234\tz9"), "ABCDEFGH1234Z9");
  EXPECT_EQ(NormalizeRecoveryCode(" A-B \r\n"), "AB");
  auto issued = NewRecoveryCode();
  ASSERT_TRUE(issued.ok());
  // As a user might type it back: lower case, in groups of four.
  std::string typed;
  for (std::size_t i = 0; i < issued->size(); ++i) {
    if (i > 0 && i % 4 == 0) typed += i % 8 == 0 ? " " : "-";
    typed += static_cast<char>(std::tolower(static_cast<unsigned char>((*issued)[i])));
  }
  auto stored = RecoveryCodeHash(*issued);
  auto presented = RecoveryCodeHash(typed);
  ASSERT_TRUE(stored.ok() && presented.ok());
  EXPECT_TRUE(SameHash(*stored, *presented)) << typed;
  auto plain = TokenHash(*issued);
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(SameHash(*stored, *plain));  // an issued code is already in normal form
  std::string wrong = *issued;
  wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
  auto wrong_hash = RecoveryCodeHash(wrong);
  ASSERT_TRUE(wrong_hash.ok());
  EXPECT_FALSE(SameHash(*stored, *wrong_hash));
}

}  // namespace
}  // namespace keywarden::server::two_factor
