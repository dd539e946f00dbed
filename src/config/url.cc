#include "config/url.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "base/ascii.h"

namespace keywarden::config {
namespace {

bool IsIpv6(const std::string& host) {
  in6_addr address{};
  return inet_pton(AF_INET6, host.c_str(), &address) == 1;
}

}  // namespace

bool IsValidHost(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  if (host.find(':') != std::string_view::npos) return IsIpv6(std::string(host));
  // DNS names and dotted IPv4 share this alphabet; an invalid IPv4 fails later, at bind or connect.
  return std::all_of(host.begin(), host.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '.' || c == '-' || c == '_'; });
}

Result<HttpUrl> ParseHttpUrl(std::string_view text, std::string_view setting) {
  auto bad = [&](std::string_view why) {
    return InvalidArgumentError(std::string(setting) + " must be an absolute http(s) URL: " + std::string(why));
  };
  HttpUrl url;
  const std::string lower = AsciiLower(text.substr(0, 8));
  if (lower.starts_with("https://")) {
    url.https = true;
    text.remove_prefix(8);
  } else if (lower.starts_with("http://")) {
    text.remove_prefix(7);
  } else {
    return bad("it does not start with http:// or https://");
  }
  const std::size_t authority_end = std::min(text.find_first_of("/?#"), text.size());
  std::string_view authority = text.substr(0, authority_end);
  std::string_view rest = text.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) return bad("user info is not allowed");

  std::string_view port_text;
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("no closing ']' in the host");
    url.host = AsciiLower(authority.substr(1, close - 1));
    if (!IsIpv6(url.host)) return bad("not a valid IPv6 address in brackets");
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) return bad("unexpected text after the host");
    if (!after.empty()) port_text = after.substr(1);
    if (after == ":") return bad("empty port");
  } else {
    const std::size_t colon = authority.find(':');
    url.host = AsciiLower(authority.substr(0, colon));
    if (url.host.find(':') != std::string::npos || !IsValidHost(url.host)) return bad("no valid host");
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return bad("empty port");
    }
  }
  if (!port_text.empty()) {
    unsigned port = 0;
    const auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (error != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
      return bad("the port must be a number from 1 to 65535");
    }
    url.port = static_cast<std::uint16_t>(port);
  }
  const std::size_t query = std::min(rest.find_first_of("?#"), rest.size());
  url.path = std::string(rest.substr(0, query));
  url.has_query_or_fragment = query < rest.size();
  if (std::any_of(url.path.begin(), url.path.end(), [](unsigned char c) { return c <= ' ' || c == 0x7f; })) {
    return bad("it contains spaces or control characters");
  }
  return url;
}

std::string UrlOrigin(const HttpUrl& url) {
  std::string out = url.https ? "https://" : "http://";
  out += url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  const std::uint16_t default_port = url.https ? 443 : 80;
  if (url.port && *url.port != default_port) out += ":" + std::to_string(*url.port);
  return out;
}

}  // namespace keywarden::config
