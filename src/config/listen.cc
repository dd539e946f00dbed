// ParseListen / FormatListen: the "HOST:PORT" form of ListenAddress.
#include <charconv>
#include <string>

#include "config/listen.h"
#include "net/url.h"

namespace keywarden::config {

Result<ListenAddress> ParseListen(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return InvalidArgumentError("invalid listen address '" + std::string(text) + "': " + std::string(why) +
                                " (expected HOST:PORT or [IPV6]:PORT)");
  };
  std::string_view host;
  std::string_view rest;
  if (text.starts_with('[')) {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return bad("no closing ']'");
    host = text.substr(1, close - 1);
    if (host.find(':') == std::string_view::npos) return bad("only IPv6 addresses go in brackets");
    rest = text.substr(close + 1);
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad("no port");
    host = text.substr(0, colon);
    if (host.find(':') != std::string_view::npos) return bad("an IPv6 address needs brackets");
    rest = text.substr(colon);
  }
  if (!rest.starts_with(':')) return bad("no port");
  const std::string_view digits = rest.substr(1);
  if (!net::IsValidHost(host)) return bad("not a host name or IP address");
  unsigned port = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() || port > 65535) {
    return bad("the port must be a number from 0 to 65535");
  }
  return ListenAddress{std::string(host), static_cast<std::uint16_t>(port)};
}

std::string FormatListen(const ListenAddress& address) {
  const bool ipv6 = address.host.find(':') != std::string::npos;
  std::string out = ipv6 ? "[" + address.host + "]" : address.host;
  return out + ":" + std::to_string(address.port);
}

}  // namespace keywarden::config
