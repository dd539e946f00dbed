#include "net/url.h"

#include <gtest/gtest.h>

namespace keywarden::net {
namespace {

TEST(HttpUrlTest, ParsesEveryPart) {
  auto url = ParseHttpUrl("HTTPS://Example.COM:8443/a/b?c=d#frag");
  ASSERT_TRUE(url.ok()) << url.status().message();
  EXPECT_TRUE(url->https);
  EXPECT_EQ(url->host, "example.com");
  EXPECT_EQ(url->port, 8443);
  EXPECT_EQ(url->path, "/a/b");
  EXPECT_EQ(url->query, "c=d");
  EXPECT_TRUE(url->has_fragment);
  EXPECT_EQ(url->RequestTarget(), "/a/b?c=d");
  EXPECT_EQ(url->Origin(), "https://example.com:8443");
}

TEST(HttpUrlTest, DefaultsFollowTheScheme) {
  auto bare = ParseHttpUrl("http://idp");
  ASSERT_TRUE(bare.ok());
  EXPECT_FALSE(bare->port.has_value());
  EXPECT_EQ(bare->EffectivePort(), 80);
  EXPECT_EQ(bare->RequestTarget(), "/");
  EXPECT_FALSE(bare->query.has_value());
  EXPECT_FALSE(bare->has_fragment);
  EXPECT_EQ(bare->Origin(), "http://idp");

  auto query_only = ParseHttpUrl("https://idp?x=1");
  ASSERT_TRUE(query_only.ok());
  EXPECT_EQ(query_only->EffectivePort(), 443);
  EXPECT_EQ(query_only->RequestTarget(), "/?x=1");

  // The default port written out is dropped from the origin, as a browser does.
  EXPECT_EQ(ParseHttpUrl("https://vault.example:443/x")->Origin(), "https://vault.example");
}

TEST(HttpUrlTest, BracketsIpv6) {
  auto url = ParseHttpUrl("https://[::1]:9/x");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 9);
  EXPECT_EQ(url->Origin(), "https://[::1]:9");
}

TEST(HttpUrlTest, RefusesWithAReasonAndWithoutTheUrl) {
  const struct {
    const char* url;
    const char* reason;
  } kCases[] = {
      {"", "it does not start with http:// or https://"},
      {"idp.example.com/x", "it does not start with http:// or https://"},
      {"ftp://idp/", "it does not start with http:// or https://"},
      {"https://", "no host"},
      {"https:///path", "no host"},
      {"https://user@idp/", "user info is not allowed"},
      {"https://idp:0/", "the port must be a number from 1 to 65535"},
      {"https://idp:65536/", "the port must be a number from 1 to 65535"},
      {"https://idp:/", "the port must be a number from 1 to 65535"},
      {"https://idp:12a/", "the port must be a number from 1 to 65535"},
      {"https://id p/", "it contains spaces or control characters"},
      {"https://idp/\n", "it contains spaces or control characters"},
      {"https://idp/\x7f", "it contains spaces or control characters"},
      {"https://[::1/", "no closing ']' in the host"},
      {"https://::1/", "an IPv6 host needs brackets"},
      {"https://[zz]/", "not a valid IPv6 address in brackets"},
      {"https://[::1]x/", "unexpected text after the host"},
      {"https://idp!/", "no valid host"},
  };
  for (const auto& c : kCases) {
    auto url = ParseHttpUrl(c.url);
    ASSERT_FALSE(url.ok()) << c.url;
    EXPECT_EQ(url.status().code(), ErrorCode::kInvalidArgument) << c.url;
    EXPECT_EQ(url.status().message(), c.reason) << c.url;
  }
}

TEST(HttpUrlTest, ValidHosts) {
  for (const char* host : {"idp", "idp.example.com", "a-b_c.example", "10.0.0.1", "::1", "fe80::1"}) {
    EXPECT_TRUE(IsValidHost(host)) << host;
  }
  for (const char* host : {"", "id p", "idp!", "[::1]", "::zz", "a/b"}) {
    EXPECT_FALSE(IsValidHost(host)) << host;
  }
}

}  // namespace
}  // namespace keywarden::net
