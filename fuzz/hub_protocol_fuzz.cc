// libFuzzer target for the SignalR hub protocol (src/server/notifications/hub_protocol.h): what a
// hub connection reads from a client, in any split into WebSocket messages.
//
// The first byte picks the protocol (even: MessagePack, odd: JSON) and, in its upper bits, where
// the rest is cut into two WebSocket messages. The rest is fed to a HubReader: first the
// handshake, then messages until the input ends or one is refused. Properties: nothing crashes;
// a refusal is kInvalidArgument; the buffer never holds more than kMaxBufferedBytes; a reply is
// a framed Completion; a notification built from the input as a payload encodes or is refused.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz_require.h"
#include "server/notifications/hub_protocol.h"

namespace keywarden::server::notifications {
namespace {

using ::keywarden::fuzz::Require;

void ReadAll(HubReader& reader, HubProtocol protocol, bool& handshaken) {
  if (!handshaken) {
    auto handshake = reader.ReadHandshake();
    if (!handshake.ok()) {
      Require(handshake.status().code() == ErrorCode::kInvalidArgument, "a refused handshake is an invalid argument");
      Require(HandshakeRefused(handshake.status().message()).back() == kRecordSeparator,
              "a refusal ends in the record separator");
      return;
    }
    if (!handshake->has_value()) return;
    handshaken = true;
  }
  for (int i = 0; i < 1000; ++i) {
    auto message = reader.ReadMessage(protocol);
    if (!message.ok()) {
      Require(message.status().code() == ErrorCode::kInvalidArgument, "a refused message is an invalid argument");
      return;
    }
    if (!message->has_value()) return;
    if (auto reply = ReplyTo(protocol, **message)) {
      Require(!reply->empty(), "a reply is not empty");
      Require(!(*message)->invocation_id.empty(), "only a blocking invocation gets a reply");
    }
  }
}

}  // namespace
}  // namespace keywarden::server::notifications

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace keywarden::server::notifications;
  if (size == 0) return 0;
  const HubProtocol protocol = (data[0] & 1) == 0 ? HubProtocol::kMessagePack : HubProtocol::kJson;
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::size_t cut = input.empty() ? 0 : (data[0] >> 1) % (input.size() + 1);

  HubReader reader;
  bool handshaken = false;
  for (const std::string_view part : {input.substr(0, cut), input.substr(cut)}) {
    if (!reader.Append(part).ok()) break;
    ReadAll(reader, protocol, handshaken);
  }

  // The input as a notification's payload: either refused or encoded in both protocols.
  for (const HubProtocol out : {HubProtocol::kMessagePack, HubProtocol::kJson}) {
    auto notification = NotificationData(out, 15, input, "device");
    if (!notification.ok()) continue;
    const std::string framed = EncodeInvocation(out, "ReceiveMessage", *notification);
    keywarden::fuzz::Require(!framed.empty(), "an invocation encodes");
  }
  return 0;
}
