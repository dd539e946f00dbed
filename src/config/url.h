// URL and host checks for configuration values (identity server, web vault, listen host).
//
// Only what the settings need: absolute http(s) URLs without user info, their origin, and
// whether a host is loopback. Not a general URL parser.
#ifndef KEYWARDEN_CONFIG_URL_H_
#define KEYWARDEN_CONFIG_URL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "keywarden/status.h"

namespace keywarden::config {

struct HttpUrl {
  bool https = false;
  std::string host;  // lower case; IPv6 without brackets
  std::optional<std::uint16_t> port;
  std::string path;  // from the first '/', without query or fragment; may be empty
  bool has_query_or_fragment = false;
};

// `setting` names the setting in the error; the URL itself is not repeated (it may be private).
Result<HttpUrl> ParseHttpUrl(std::string_view text, std::string_view setting);

// "scheme://host[:port]", the port only when it is not the scheme's default.
std::string UrlOrigin(const HttpUrl& url);

// A DNS name, an IPv4 address, or an IPv6 address (without brackets).
bool IsValidHost(std::string_view host);

}  // namespace keywarden::config

#endif  // KEYWARDEN_CONFIG_URL_H_
