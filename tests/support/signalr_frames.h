// Test support: the SignalR MessagePack hub protocol as a client reads it: the handshake, and a
// varint length before each message, several messages possibly in one WebSocket message. Written
// apart from the server's hub_protocol, so that tests check its framing rather than echo it.
#ifndef KEYWARDEN_TESTS_SUPPORT_SIGNALR_FRAMES_H_
#define KEYWARDEN_TESTS_SUPPORT_SIGNALR_FRAMES_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace keywarden::testing {

// What Microsoft's client sends first for the MessagePack protocol (a text frame).
inline const std::string kMessagePackHandshake = std::string(R"({"protocol":"messagepack","version":1})") + '\x1e';

// The messages in `data`, in order; nullopt when a length prefix runs past the end. A message
// that is not MessagePack throws, as nlohmann::json::from_msgpack does.
inline std::optional<std::vector<nlohmann::json>> UnframeMessagePack(std::string_view data) {
  std::vector<nlohmann::json> messages;
  std::size_t at = 0;
  while (at < data.size()) {
    std::uint64_t length = 0;
    for (int shift = 0;; shift += 7) {
      if (at >= data.size() || shift > 28) return std::nullopt;
      const auto byte = static_cast<unsigned char>(data[at++]);
      length |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) break;
    }
    if (length > data.size() - at) return std::nullopt;
    messages.push_back(nlohmann::json::from_msgpack(data.substr(at, length)));
    at += length;
  }
  return messages;
}

}  // namespace keywarden::testing

#endif  // KEYWARDEN_TESTS_SUPPORT_SIGNALR_FRAMES_H_
