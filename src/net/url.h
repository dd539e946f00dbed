// Absolute http(s) URLs: the one parser behind the HTTP client and every configuration setting
// that names a server (identity server, web vault, connector health checks).
//
// Strict on purpose: these URLs come from operators and point at the services that vouch for
// identities, so anything unusual is refused rather than guessed at. Accepted: "http" or "https"
// (any case), "://", a host (DNS name, IPv4, or IPv6 in brackets), an optional port 1..65535,
// then an optional path, query and fragment. Refused: user info, an empty host or port, an IPv6
// address without brackets, spaces and control characters anywhere.
#ifndef KEYWARDEN_NET_URL_H_
#define KEYWARDEN_NET_URL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "keywarden/status.h"

namespace keywarden::net {

struct HttpUrl {
  bool https = false;
  std::string host;                   // lower case; IPv6 without brackets
  std::optional<std::uint16_t> port;  // as written; empty when the URL has none
  std::string path;                   // from the first '/', without query or fragment; may be empty
  std::optional<std::string> query;   // after '?', without it
  bool has_fragment = false;

  // The written port, or the scheme's default (443, 80).
  std::uint16_t EffectivePort() const;
  // "scheme://host[:port]" as a browser sends it in `Origin`: lower case, IPv6 in brackets, the
  // port only when it is not the scheme's default.
  std::string Origin() const;
  // What goes on the request line: the path (at least "/") and "?query" if there is one.
  std::string RequestTarget() const;
};

// kInvalidArgument with a short reason ("user info is not allowed"); the URL itself is not
// repeated, as it may be private. Callers say which URL it was.
Result<HttpUrl> ParseHttpUrl(std::string_view text);

// A DNS name (letters, digits, '.', '-', '_'), an IPv4 address, or an IPv6 address without
// brackets. Not resolved: an invalid dotted quad fails later, at bind or connect.
bool IsValidHost(std::string_view host);

}  // namespace keywarden::net

#endif  // KEYWARDEN_NET_URL_H_
