#include "keywarden/crypto/encoding.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace keywarden {
namespace {

std::vector<std::uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

struct Rfc4648Case {
  const char* plain;
  const char* encoded;
};

// RFC 4648 section 10.
constexpr Rfc4648Case kRfc4648[] = {{"", ""},
                                    {"f", "Zg=="},
                                    {"fo", "Zm8="},
                                    {"foo", "Zm9v"},
                                    {"foob", "Zm9vYg=="},
                                    {"fooba", "Zm9vYmE="},
                                    {"foobar", "Zm9vYmFy"}};

TEST(Base64Test, EncodesRfc4648Examples) {
  for (const auto& c : kRfc4648) EXPECT_EQ(Base64Encode(AsBytes(c.plain)), c.encoded) << c.plain;
}

TEST(Base64Test, DecodesRfc4648Examples) {
  for (const auto& c : kRfc4648) {
    auto decoded = Base64Decode(c.encoded);
    ASSERT_TRUE(decoded.ok()) << c.encoded;
    EXPECT_EQ(*decoded, Bytes(c.plain)) << c.encoded;
  }
}

TEST(Base64Test, EmptyRoundTrips) {
  EXPECT_EQ(Base64Encode({}), "");
  auto decoded = Base64Decode("");
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->empty());
}

TEST(Base64Test, EveryByteValueAndLengthRoundTrips) {
  std::vector<std::uint8_t> bytes;
  for (int length = 0; length <= 300; ++length) {
    auto decoded = Base64Decode(Base64Encode(bytes));
    ASSERT_TRUE(decoded.ok()) << length;
    EXPECT_EQ(*decoded, bytes) << length;
    bytes.push_back(static_cast<std::uint8_t>(length * 37 + 11));
  }
}

TEST(Base64Test, UsesTheStandardAlphabet) {
  const std::vector<std::uint8_t> high = {0xfb, 0xff, 0xbf};
  EXPECT_EQ(Base64Encode(high), "+/+/");
}

void ExpectRejected(std::string_view text) {
  auto decoded = Base64Decode(text);
  ASSERT_FALSE(decoded.ok()) << "accepted: \"" << text << "\"";
  EXPECT_EQ(decoded.status().code(), ErrorCode::kInvalidArgument);
  auto secret = Base64DecodeSecret(text);
  ASSERT_FALSE(secret.ok()) << "secret decoder accepted: \"" << text << "\"";
  EXPECT_EQ(secret.status().code(), ErrorCode::kInvalidArgument);
}

TEST(Base64Test, RejectsWhitespace) {
  ExpectRejected("Zm9v\n");
  ExpectRejected(" Zm9v");
  ExpectRejected("Zm 9v");
  ExpectRejected("Zm9v\r\nYmFy");
  ExpectRejected("Zm\t9vYmFy");
}

TEST(Base64Test, RejectsMissingPadding) {
  ExpectRejected("Zg");
  ExpectRejected("Zg=");
  ExpectRejected("Zm8");
  ExpectRejected("Zm9vYg");
}

TEST(Base64Test, RejectsCharactersOutsideTheAlphabet) {
  ExpectRejected("Zm9*");
  ExpectRejected("Zm9-");  // base64url is a different encoding
  ExpectRejected("Zm9_");
  ExpectRejected("Zm9.");
  ExpectRejected(std::string_view("Zm9\0", 4));
  ExpectRejected("Zm9\xc3");
}

TEST(Base64Test, RejectsMisplacedOrExcessPadding) {
  ExpectRejected("====");
  ExpectRejected("Z===");
  ExpectRejected("Zg==Zg==");
  ExpectRejected("Zm=v");
  ExpectRejected("=Zm9");
}

TEST(Base64Test, RejectsNonCanonicalTrailingBits) {
  // "Zg==" is "f"; "Zh==" decodes to the same byte under a lax decoder.
  ExpectRejected("Zh==");
  ExpectRejected("Zm9=");  // "Zm8=" is "fo"
  ExpectRejected("Zm9vYh==");
}

TEST(Base64Test, AcceptsCanonicalStringsWithFullAlphabet) {
  auto decoded = Base64Decode("Zm//");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(Base64Encode(*decoded), "Zm//");
}

TEST(Base64Test, ErrorMessageDoesNotEchoTheInput) {
  auto decoded = Base64DecodeSecret("c2VjcmV0!");
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().message().find("c2VjcmV0"), std::string::npos);
}

TEST(Base64SecretTest, DecodesIntoASecureBuffer) {
  auto secret = Base64DecodeSecret("Zm9vYmE=");
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(secret->view(), "fooba");
  EXPECT_EQ(Base64EncodeSecret(*secret), "Zm9vYmE=");
  auto empty = Base64DecodeSecret("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(WipeStringTest, ClearsTheString) {
  std::string s = "password";
  WipeString(s);
  EXPECT_TRUE(s.empty());
  std::string empty;
  WipeString(empty);
  EXPECT_TRUE(empty.empty());
}

TEST(AsBytesTest, ViewsTheSameMemory) {
  std::string_view s = "ab";
  auto bytes = AsBytes(s);
  ASSERT_EQ(bytes.size(), 2u);
  EXPECT_EQ(bytes[0], 'a');
  EXPECT_EQ(static_cast<const void*>(bytes.data()), static_cast<const void*>(s.data()));
}

}  // namespace
}  // namespace keywarden
