// IP networks as operators write them, and membership.
#include "net/ip_network.h"

#include <gtest/gtest.h>

namespace keywarden::net {
namespace {

bool In(std::string_view network, std::string_view address) {
  auto parsed = IpNetwork::Parse(network);
  auto ip = IpAddress::Parse(address);
  return parsed.ok() && ip.has_value() && parsed->Contains(*ip);
}

TEST(IpNetworkTest, AddressesAndPrefixes) {
  EXPECT_TRUE(In("127.0.0.1", "127.0.0.1"));
  EXPECT_FALSE(In("127.0.0.1", "127.0.0.2"));
  EXPECT_TRUE(In("10.0.0.0/8", "10.255.1.2"));
  EXPECT_FALSE(In("10.0.0.0/8", "11.0.0.1"));
  EXPECT_TRUE(In("192.168.4.0/22", "192.168.7.255"));
  EXPECT_FALSE(In("192.168.4.0/22", "192.168.8.0"));
  EXPECT_TRUE(In("0.0.0.0/0", "8.8.8.8"));
  EXPECT_TRUE(In("::1", "::1"));
  EXPECT_TRUE(In("fd00::/8", "fd12:3456::1"));
  EXPECT_FALSE(In("fd00::/8", "fe80::1"));
  // Families never match each other, but an IPv4-mapped address is its IPv4 address.
  EXPECT_FALSE(In("::/0", "127.0.0.1"));
  EXPECT_TRUE(In("127.0.0.0/8", "::ffff:127.0.0.9"));
}

TEST(IpNetworkTest, WhatIsNotANetworkIsRefusedByName) {
  for (std::string_view bad : {"", "localhost", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x", "10.0.0.0/8/8",
                               "[::1]", "1.2.3.4:80", "10.0.0.0/-1"}) {
    auto parsed = IpNetwork::Parse(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find(std::string(bad)), std::string::npos) << parsed.status().message();
  }
}

TEST(IpNetworkTest, ListsAreCommaSeparated) {
  auto list = ParseIpNetworkList(" 127.0.0.1, ::1 ,,10.0.0.0/8 ");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 3U);
  EXPECT_TRUE((*list)[2].Contains(*IpAddress::Parse("10.1.1.1")));
  EXPECT_TRUE(ParseIpNetworkList("").ok());
  EXPECT_FALSE(ParseIpNetworkList("127.0.0.1, proxy.example").ok());
}

}  // namespace
}  // namespace keywarden::net
