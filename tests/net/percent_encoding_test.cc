#include "net/percent_encoding.h"

#include <gtest/gtest.h>

namespace keywarden::net {
namespace {

TEST(PercentEncodingTest, KeepsOnlyTheUnreservedCharacters) {
  EXPECT_EQ(PercentEncode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(PercentEncode("a b+c/d?e=f&g"), "a%20b%2Bc%2Fd%3Fe%3Df%26g");
  EXPECT_EQ(PercentEncode("é"), "%C3%A9");  // UTF-8 bytes, upper-case hex
  EXPECT_EQ(PercentEncode(std::string_view("\0\xff", 2)), "%00%FF");
  EXPECT_EQ(PercentEncode(""), "");
}

TEST(PercentEncodingTest, FormEncodeJoinsEncodedPairsInOrder) {
  EXPECT_EQ(FormEncode({{"grant_type", "authorization_code"}, {"redirect uri", "http://x/?a=b"}}),
            "grant_type=authorization_code&redirect%20uri=http%3A%2F%2Fx%2F%3Fa%3Db");
  EXPECT_EQ(FormEncode({}), "");
  EXPECT_EQ(FormEncode({{"empty", ""}}), "empty=");
}

}  // namespace
}  // namespace keywarden::net
