#include "http/forwarded_for.h"

#include <optional>

namespace keywarden::http {
namespace {

bool Trusted(const net::IpAddress& address, const std::vector<net::IpNetwork>& trusted_proxies) {
  for (const net::IpNetwork& network : trusted_proxies) {
    if (network.Contains(address)) return true;
  }
  return false;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::string ForwardedClientAddress(std::string_view peer, std::string_view x_forwarded_for,
                                   const std::vector<net::IpNetwork>& trusted_proxies) {
  const std::optional<net::IpAddress> peer_address = net::IpAddress::Parse(peer);
  if (trusted_proxies.empty() || !peer_address || !Trusted(*peer_address, trusted_proxies)) return std::string(peer);
  std::string_view hop = peer;  // the last address a trusted proxy vouched for
  std::string_view rest = x_forwarded_for;
  while (!rest.empty()) {
    const std::size_t comma = rest.rfind(',');
    const std::string_view entry = Trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    if (entry.empty()) continue;
    const std::optional<net::IpAddress> address = net::IpAddress::Parse(entry);
    if (!address) break;
    hop = entry;
    if (!Trusted(*address, trusted_proxies)) break;
  }
  return std::string(hop);
}

}  // namespace keywarden::http
