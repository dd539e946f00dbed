// Who a request came from when it came through reverse proxies: read from X-Forwarded-For, but
// only as far as the proxies the operator named (HttpServerOptions::trusted_proxies) wrote it.
// Anything further left was written by the client and proves nothing, so a client cannot pick
// the address its failed logins count against.
#ifndef KEYWARDEN_HTTP_FORWARDED_FOR_H_
#define KEYWARDEN_HTTP_FORWARDED_FOR_H_

#include <string>
#include <string_view>
#include <vector>

#include "net/ip_network.h"

namespace keywarden::http {

// `peer` (the TCP peer's address) unless it is in `trusted_proxies`; then the X-Forwarded-For
// entries (`x_forwarded_for`, repeated fields joined with ", ") from the right: the first that is
// not a trusted proxy is the client. An entry that is not an IP address ends the walk at the last
// trusted hop; a list of trusted proxies only gives its leftmost entry.
std::string ForwardedClientAddress(std::string_view peer, std::string_view x_forwarded_for,
                                   const std::vector<net::IpNetwork>& trusted_proxies);

}  // namespace keywarden::http

#endif  // KEYWARDEN_HTTP_FORWARDED_FOR_H_
