// web_vault/static_path.h: what a request's target may name below the web vault's folder.
#include "server/web_vault/static_path.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace keywarden::server::web_vault {
namespace {

using Names = std::vector<std::string>;

TEST(StaticPath, PlainPathsBecomeNames) {
  const struct {
    const char* target;
    Names names;
  } cases[] = {
      {"/", {}},
      {"/index.html", {"index.html"}},
      {"/app/main.3f2a9c1b0d.js", {"app", "main.3f2a9c1b0d.js"}},
      {"/locales/en/messages.json", {"locales", "en", "messages.json"}},
      {"/settings/", {"settings"}},  // one trailing slash, as the router
      {"/a%20b/c%2Bd+e", {"a b", "c+d+e"}},
      {"/%41%62c", {"Abc"}},
  };
  for (const auto& c : cases) {
    auto names = ParseStaticPath(c.target);
    ASSERT_TRUE(names.ok()) << c.target << ": " << names.status().message();
    EXPECT_EQ(*names, c.names) << c.target;
  }
}

TEST(StaticPath, EveryWayUpOrOutIsRefused) {
  for (const char* target : {
           "/..",
           "/../etc/passwd",
           "/app/../../etc/passwd",
           "/.",
           "/app/./main.js",
           "/%2e%2e/etc/passwd",
           "/%2E%2E/etc/passwd",
           "/.%2e/etc/passwd",
           "/%2e./etc/passwd",
           "/app/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
           "/..%2fetc%2fpasswd",
           "/..%5cetc%5cpasswd",
           "/app%2f..%2f..%2fsecret",
           "/%5c..%5csecret",
           "/.git/config",
           "/.env",
           "/app/.hidden",
           "//etc/passwd",
           "/app//main.js",
           "//",
           "/index.html%00.js",
           "/a%0d%0aSet-Cookie:x",
           "/a%7f",
           "/%",
           "/%2",
           "/%zz",
           "/%2g",
           "relative",
           "",
       }) {
    EXPECT_FALSE(ParseStaticPath(target).ok()) << target;
  }
}

TEST(StaticPath, LengthAndDepthAreBounded) {
  std::string deep;
  for (std::size_t i = 0; i < kMaxSegments; ++i) deep += "/d";
  EXPECT_TRUE(ParseStaticPath(deep).ok());
  EXPECT_FALSE(ParseStaticPath(deep + "/d").ok());
  EXPECT_TRUE(ParseStaticPath("/" + std::string(kMaxPathBytes - 1, 'a')).ok());
  EXPECT_FALSE(ParseStaticPath("/" + std::string(kMaxPathBytes, 'a')).ok());
}

}  // namespace
}  // namespace keywarden::server::web_vault
