// ListenAddress: where a service's HTTP server listens, and its "HOST:PORT" form.
#ifndef KEYWARDEN_CONFIG_LISTEN_H_
#define KEYWARDEN_CONFIG_LISTEN_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "keywarden/status.h"

namespace keywarden::config {

struct ListenAddress {
  std::string host = "0.0.0.0";  // a name, an IPv4 address or an IPv6 address without brackets
  std::uint16_t port = 5000;     // 0 lets the OS choose (tests)
};

// "HOST:PORT", or "[IPV6]:PORT" for IPv6. The CLI's --listen goes through this too.
Result<ListenAddress> ParseListen(std::string_view text);
// The inverse: "0.0.0.0:5000", "[::1]:5000".
std::string FormatListen(const ListenAddress& address);

}  // namespace keywarden::config

#endif  // KEYWARDEN_CONFIG_LISTEN_H_
