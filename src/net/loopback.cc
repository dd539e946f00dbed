#include "net/loopback.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>
#include <string>

#include "base/ascii.h"

namespace keywarden::net {

bool IsLoopbackHost(std::string_view host) {
  const std::string name = AsciiLower(host);
  if (name == "localhost" || name == "localhost.") return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, name.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (::inet_pton(AF_INET6, name.c_str(), &v6) != 1) return false;
  if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
  if (!IN6_IS_ADDR_V4MAPPED(&v6)) return false;
  return v6.s6_addr[12] == 127;  // the mapped IPv4 address is the last four bytes
}

}  // namespace keywarden::net
