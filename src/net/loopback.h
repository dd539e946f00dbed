// Whether a host name or address stays on this machine: the one answer every module uses
// (the HTTP client's plain-http exception, the configuration's identity-server check, --dev's
// listen address), so that configuration never refuses what the client would accept.
#ifndef KEYWARDEN_NET_LOOPBACK_H_
#define KEYWARDEN_NET_LOOPBACK_H_

#include <cstdint>
#include <string_view>

#include "keywarden/status.h"

namespace keywarden::net {

// True for "localhost" and "localhost." (any case), 127.0.0.0/8, ::1 and IPv4-mapped
// ::ffff:127.x.y.z. IPv6 addresses come without brackets. Names are not resolved: any other name
// is not loopback, whatever it would resolve to.
bool IsLoopbackHost(std::string_view host);

// A TCP port free on 127.0.0.1 now, for a development server whose URLs must name its port
// before it listens. (It could be taken in between; the listen error would then say so.)
Result<std::uint16_t> FreeLoopbackPort();

}  // namespace keywarden::net

#endif  // KEYWARDEN_NET_LOOPBACK_H_
