// X-Forwarded-For believed only as far as the operator's proxies wrote it.
#include "http/forwarded_for.h"

#include <gtest/gtest.h>

namespace keywarden::http {
namespace {

std::vector<net::IpNetwork> Proxies(std::string_view list) {
  auto parsed = net::ParseIpNetworkList(list);
  EXPECT_TRUE(parsed.ok());
  return parsed.ok() ? *parsed : std::vector<net::IpNetwork>();
}

TEST(ForwardedForTest, OnlyTrustedPeersAreBelieved) {
  const auto proxies = Proxies("127.0.0.1, 10.0.0.0/8");
  // No trusted proxies, or a peer that is not one: the peer, whatever the header says.
  EXPECT_EQ(ForwardedClientAddress("127.0.0.1", "203.0.113.7", {}), "127.0.0.1");
  EXPECT_EQ(ForwardedClientAddress("198.51.100.1", "203.0.113.7", proxies), "198.51.100.1");
  // The proxy says who its peer was.
  EXPECT_EQ(ForwardedClientAddress("127.0.0.1", "203.0.113.7", proxies), "203.0.113.7");
  // Without the header, the proxy itself.
  EXPECT_EQ(ForwardedClientAddress("127.0.0.1", "", proxies), "127.0.0.1");
}

TEST(ForwardedForTest, WhatTheClientWroteFurtherLeftIsIgnored) {
  const auto proxies = Proxies("127.0.0.1, 10.0.0.0/8");
  // The client sent "X-Forwarded-For: 1.1.1.1" hoping to be counted as someone else; the proxy
  // appended the client's real address.
  EXPECT_EQ(ForwardedClientAddress("127.0.0.1", "1.1.1.1, 203.0.113.7", proxies), "203.0.113.7");
  // Through two trusted proxies (an inner load balancer at 10.0.0.5).
  EXPECT_EQ(ForwardedClientAddress("127.0.0.1", "1.1.1.1, 203.0.113.7, 10.0.0.5", proxies), "203.0.113.7");
  // Repeated fields arrive joined with ", "; spaces and empty items do not matter.
  EXPECT_EQ(ForwardedClientAddress("127.0.0.1", " 203.0.113.7 ,, ", proxies), "203.0.113.7");
  // A malformed entry ends the walk at the last address a trusted proxy vouched for.
  EXPECT_EQ(ForwardedClientAddress("127.0.0.1", "203.0.113.7, not-an-address, 10.0.0.5", proxies), "10.0.0.5");
  EXPECT_EQ(ForwardedClientAddress("127.0.0.1", "unknown", proxies), "127.0.0.1");
  // Only proxies: the leftmost one.
  EXPECT_EQ(ForwardedClientAddress("127.0.0.1", "10.0.0.7, 10.0.0.5", proxies), "10.0.0.7");
  // IPv6 clients.
  EXPECT_EQ(ForwardedClientAddress("127.0.0.1", "2001:db8::7", proxies), "2001:db8::7");
}

}  // namespace
}  // namespace keywarden::http
