// Whether a host name or address stays on this machine: the one answer every module uses
// (the HTTP client's plain-http exception, the configuration's identity-server check, --dev's
// listen address), so that configuration never refuses what the client would accept.
#ifndef KEYWARDEN_NET_LOOPBACK_H_
#define KEYWARDEN_NET_LOOPBACK_H_

#include <string_view>

namespace keywarden::net {

// True for "localhost" and "localhost." (any case), 127.0.0.0/8, ::1 and IPv4-mapped
// ::ffff:127.x.y.z. IPv6 addresses come without brackets. Names are not resolved: any other name
// is not loopback, whatever it would resolve to.
bool IsLoopbackHost(std::string_view host);

}  // namespace keywarden::net

#endif  // KEYWARDEN_NET_LOOPBACK_H_
