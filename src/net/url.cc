#include "net/url.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <charconv>

#include "base/ascii.h"

namespace keywarden::net {
namespace {

bool IsIpv6(const std::string& host) {
  in6_addr address{};
  return inet_pton(AF_INET6, host.c_str(), &address) == 1;
}

bool IsNameCharacter(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
}

Status Refuse(std::string_view why) { return InvalidArgumentError(std::string(why)); }

// The port after ':' (non-empty, digits only, 1..65535).
Result<std::uint16_t> ParsePort(std::string_view text) {
  unsigned port = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || port == 0 || port > 65535) {
    return Refuse("the port must be a number from 1 to 65535");
  }
  return static_cast<std::uint16_t>(port);
}

}  // namespace

bool IsValidHost(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  if (host.find(':') != std::string_view::npos) return IsIpv6(std::string(host));
  return std::all_of(host.begin(), host.end(), [](unsigned char c) { return IsNameCharacter(c); });
}

Result<HttpUrl> ParseHttpUrl(std::string_view text) {
  if (std::any_of(text.begin(), text.end(), [](unsigned char c) { return c <= ' ' || c == 0x7f; })) {
    return Refuse("it contains spaces or control characters");
  }
  HttpUrl url;
  const std::string scheme = AsciiLower(text.substr(0, 8));
  if (scheme.starts_with("https://")) {
    url.https = true;
    text.remove_prefix(8);
  } else if (scheme.starts_with("http://")) {
    text.remove_prefix(7);
  } else {
    return Refuse("it does not start with http:// or https://");
  }

  const std::size_t authority_end = std::min(text.find_first_of("/?#"), text.size());
  const std::string_view authority = text.substr(0, authority_end);
  std::string_view rest = text.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) return Refuse("user info is not allowed");

  std::optional<std::string_view> port_text;
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return Refuse("no closing ']' in the host");
    url.host = AsciiLower(authority.substr(1, close - 1));
    if (!IsIpv6(url.host)) return Refuse("not a valid IPv6 address in brackets");
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) return Refuse("unexpected text after the host");
    if (!after.empty()) port_text = after.substr(1);
  } else {
    const std::size_t colon = authority.find(':');
    if (colon != std::string_view::npos && authority.find(':', colon + 1) != std::string_view::npos) {
      return Refuse("an IPv6 host needs brackets");
    }
    url.host = AsciiLower(authority.substr(0, colon));
    if (url.host.empty()) return Refuse("no host");
    if (!IsValidHost(url.host)) return Refuse("no valid host");
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (port_text) {
    KW_ASSIGN_OR_RETURN(url.port, ParsePort(*port_text));
  }

  const std::size_t fragment = std::min(rest.find('#'), rest.size());
  url.has_fragment = fragment < rest.size();
  rest = rest.substr(0, fragment);
  const std::size_t query = std::min(rest.find('?'), rest.size());
  url.path = std::string(rest.substr(0, query));
  if (query < rest.size()) url.query = std::string(rest.substr(query + 1));
  return url;
}

std::uint16_t HttpUrl::EffectivePort() const { return port.value_or(https ? 443 : 80); }

std::string HttpUrl::Origin() const {
  std::string out = https ? "https://" : "http://";
  out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port && *port != (https ? 443 : 80)) out += ":" + std::to_string(*port);
  return out;
}

std::string HttpUrl::RequestTarget() const {
  std::string out = path.empty() ? "/" : path;
  if (query) out += "?" + *query;
  return out;
}

}  // namespace keywarden::net
