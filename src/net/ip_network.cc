#include "net/ip_network.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <string>

namespace keywarden::net {

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
  const std::string terminated(text);
  IpAddress address;
  if (::inet_pton(AF_INET, terminated.c_str(), address.bytes.data()) == 1) return address;
  if (::inet_pton(AF_INET6, terminated.c_str(), address.bytes.data()) != 1) return std::nullopt;
  constexpr std::uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(address.bytes.data(), kMappedPrefix, sizeof kMappedPrefix) == 0) {
    std::memmove(address.bytes.data(), address.bytes.data() + 12, 4);
    std::memset(address.bytes.data() + 4, 0, 12);
    return address;
  }
  address.v6 = true;
  return address;
}

Result<IpNetwork> IpNetwork::Parse(std::string_view text) {
  const auto refuse = [&] {
    return InvalidArgumentError("\"" + std::string(text.substr(0, 64)) +
                                "\" is not an IP address or network (ADDRESS or ADDRESS/PREFIX)");
  };
  const std::size_t slash = text.find('/');
  const std::optional<IpAddress> base = IpAddress::Parse(text.substr(0, slash));
  if (!base) return refuse();
  const unsigned bits = base->v6 ? 128 : 32;
  unsigned prefix = bits;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() || prefix > bits) {
      return refuse();
    }
  }
  IpNetwork network;
  network.base_ = *base;
  network.prefix_ = prefix;
  return network;
}

bool IpNetwork::Contains(const IpAddress& address) const {
  if (address.v6 != base_.v6) return false;
  const unsigned whole = prefix_ / 8;
  if (std::memcmp(address.bytes.data(), base_.bytes.data(), whole) != 0) return false;
  const unsigned rest = prefix_ % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (address.bytes[whole] & mask) == (base_.bytes[whole] & mask);
}

Result<std::vector<IpNetwork>> ParseIpNetworkList(std::string_view text) {
  std::vector<IpNetwork> networks;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text.remove_prefix(comma == std::string_view::npos ? text.size() : comma + 1);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item.empty()) continue;
    KW_ASSIGN_OR_RETURN(IpNetwork network, IpNetwork::Parse(item));
    networks.push_back(network);
  }
  return networks;
}

}  // namespace keywarden::net
