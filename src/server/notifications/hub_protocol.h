// The SignalR hub protocol as Bitwarden's notification hubs speak it (the reference's
// src/Notifications on ASP.NET Core SignalR): pure functions and one per-connection reader, no I/O.
//
// A connection starts with a handshake that is always JSON text ending in the record separator
// 0x1E, {"protocol":"messagepack","version":1}; the server answers {} + 0x1E, or
// {"error":"..."} + 0x1E and closes. Bitwarden's clients use MessagePack and send version 1
// (they skip negotiation, so never ask for stateful reconnect); .NET accepts up to its own
// version, 2, and so does this. Then, in the chosen protocol:
//   JSON:        UTF-8 text, each message a JSON object ending in 0x1E.
//   MessagePack: binary, each message a VarInt length (1-5 bytes, 7 bits a byte, little end
//                first) and that many bytes of one MessagePack array.
// Either way one WebSocket message may hold several hub messages, and a hub message may span
// WebSocket messages: the reader treats the input as a stream.
//
// The notification hubs define no hub methods: a client sends Pings and, when it stops, a Close.
// The server sends Invocations of "ReceiveMessage" (user hub) or "AuthRequestResponseRecieved"
// (the anonymous hub, misspelt as in the reference) carrying one PushNotificationData
// {ContextId, Type, Payload}, Pings to keep the client's 30 s server timeout from expiring, and
// a Close. Server invocations carry no invocation id, so the client sends no Completion back.
//
// Casing follows the reference: MessagePack (ContractlessStandardResolver) writes the property
// names as declared, PascalCase, and DateTimes as the timestamp extension (-1); the JSON
// protocol (System.Text.Json's web defaults) writes camelCase names and ISO 8601 dates.
//
// Thread-safety: the free functions are; a HubReader belongs to one connection.
#ifndef KEYWARDEN_SERVER_NOTIFICATIONS_HUB_PROTOCOL_H_
#define KEYWARDEN_SERVER_NOTIFICATIONS_HUB_PROTOCOL_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/time.h"
#include "keywarden/status.h"

namespace keywarden::server::notifications {

enum class HubProtocol { kJson, kMessagePack };

inline constexpr char kRecordSeparator = '\x1e';

// The hub message types (HubProtocol.md).
enum class HubMessageType {
  kInvocation = 1,
  kStreamItem = 2,
  kCompletion = 3,
  kStreamInvocation = 4,
  kCancelInvocation = 5,
  kPing = 6,
  kClose = 7,
  kAck = 8,
  kSequence = 9,
};

struct HandshakeRequest {
  HubProtocol protocol = HubProtocol::kMessagePack;
  int version = 1;
};

// What the server needs of a message a client sent.
struct ClientMessage {
  int type = 0;               // a HubMessageType, or another number (ignored, as clients do)
  std::string invocation_id;  // "" when absent or nil: a non-blocking invocation
  std::string target;         // of an Invocation or StreamInvocation
};

// The incoming bytes of one connection: first the handshake, then hub messages.
class HubReader {
 public:
  // More than this many bytes without a complete handshake or message ends the connection
  // (the reference's default MaximumReceiveMessageSize is 32 KB).
  static constexpr std::size_t kMaxBufferedBytes = 64 * 1024;

  // Adds one WebSocket message's bytes. kInvalidArgument when the buffer would exceed
  // kMaxBufferedBytes.
  Status Append(std::string_view data);

  // The handshake request once its record is complete (nullopt until then). kInvalidArgument,
  // with a message fit for the {"error":...} answer, for anything but a JSON object naming
  // "json" or "messagepack" at version 1 or 2.
  Result<std::optional<HandshakeRequest>> ReadHandshake();

  // The next complete message in `protocol` (nullopt when none yet). kInvalidArgument for bytes
  // that are not a hub message; the connection cannot continue after one.
  Result<std::optional<ClientMessage>> ReadMessage(HubProtocol protocol);

 private:
  std::string buffer_;
};

// The server's handshake answers: accepted, or refused with `error`.
std::string HandshakeAccepted();
std::string HandshakeRefused(std::string_view error);

// Whole hub messages, framed: text for kJson, binary for kMessagePack.
std::string EncodePing(HubProtocol protocol);
// A Close, with `error` ("" for none).
std::string EncodeClose(HubProtocol protocol, std::string_view error);
// A Completion with an error, for a blocking invocation the hub cannot serve.
std::string EncodeCompletionError(HubProtocol protocol, std::string_view invocation_id, std::string_view error);
// A non-blocking Invocation of `target` with one argument (built by NotificationData for the same
// protocol).
std::string EncodeInvocation(HubProtocol protocol, std::string_view target, const nlohmann::json& argument);

// What the hub answers to `message`, or nullopt for nothing: a blocking Invocation or
// StreamInvocation gets the reference's Completion error "Unknown hub method '<target>'".
std::optional<std::string> ReplyTo(HubProtocol protocol, const ClientMessage& message);

// The PushNotificationData argument {ContextId, Type, Payload} in `protocol`'s casing and types.
// `payload` is the outbox's JSON object (PascalCase, ISO dates); `context_id` "" is nil.
// kInvalidArgument when `payload` is not a JSON object.
Result<nlohmann::json> NotificationData(HubProtocol protocol, int type, std::string_view payload,
                                        std::string_view context_id);

// `when` as MessagePack's timestamp extension, the smallest of its three forms that holds it.
nlohmann::json MessagePackTimestamp(TimeMs when);

}  // namespace keywarden::server::notifications

#endif  // KEYWARDEN_SERVER_NOTIFICATIONS_HUB_PROTOCOL_H_
