#include "net/loopback.h"

#include <gtest/gtest.h>

namespace keywarden::net {
namespace {

TEST(LoopbackTest, LoopbackNamesAndAddresses) {
  for (const char* host : {"localhost", "LOCALHOST", "localhost.", "127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1",
                           "::FFFF:127.9.9.9", "0:0:0:0:0:0:0:1"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
}

TEST(LoopbackTest, EverythingElseIsNotLoopback) {
  for (const char* host : {"", "example.com", "128.0.0.1", "10.0.0.1", "::2", "localhost.example.com", "0.0.0.0",
                           "::ffff:10.0.0.1", "[::1]", "127.0.0.1:80", "localhost..", "::"}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

}  // namespace
}  // namespace keywarden::net
