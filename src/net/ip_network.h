// IP networks written as an operator writes them ("10.0.0.0/8", "::1", "fd00::/8"), and whether
// an address belongs to one: the proxies whose X-Forwarded-For the HTTP server believes.
#ifndef KEYWARDEN_NET_IP_NETWORK_H_
#define KEYWARDEN_NET_IP_NETWORK_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "keywarden/status.h"

namespace keywarden::net {

// An IPv4 or IPv6 address as its bytes; IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are the
// IPv4 address, as the kernel reports the peers of a dual-stack socket either way.
struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // the first 4 for IPv4

  // A literal address without brackets or port; nullopt for anything else (names included).
  static std::optional<IpAddress> Parse(std::string_view text);
};

class IpNetwork {
 public:
  // "ADDRESS" (the one address) or "ADDRESS/PREFIX" (PREFIX 0-32 for IPv4, 0-128 for IPv6).
  // kInvalidArgument naming the text otherwise; bits past the prefix are ignored.
  static Result<IpNetwork> Parse(std::string_view text);

  bool Contains(const IpAddress& address) const;

 private:
  IpAddress base_;
  unsigned prefix_ = 0;
};

// "10.0.0.0/8, ::1": the networks of a comma-separated list (spaces ignored, empty items
// skipped); the first bad item's error.
Result<std::vector<IpNetwork>> ParseIpNetworkList(std::string_view text);

}  // namespace keywarden::net

#endif  // KEYWARDEN_NET_IP_NETWORK_H_
