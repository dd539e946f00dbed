// WebSockets (RFC 6455) on the HTTP server's own listener, for services that push to clients
// (a Bitwarden-compatible server's SignalR hubs at /notifications/hub).
//
// A WebSocket route is declared on the Router like any other, with an accept callback that is an
// ordinary Handler: it sees the upgrade request (headers, query, path parameters) after the
// route's middleware, so bearer authentication refuses it with a 401 exactly as it refuses an
// HTTP request. The callback accepts by returning AcceptWebSocket(handler):
//
//   router.AddWebSocket("/notifications/hub", [&hub](const HttpRequest& request) {
//     return AcceptWebSocket(hub.NewSession(request));  // or JsonError(401, ...) to refuse
//   }).With(bearer);
//
// The server checks the handshake before it calls the callback: a GET without `Connection:
// Upgrade` and `Upgrade: websocket` gets 426 (with `Upgrade: websocket`), a wrong
// Sec-WebSocket-Version 426 (with `Sec-WebSocket-Version: 13`), anything else malformed 400. Once
// accepted, the server answers 101 and the connection stays on the I/O thread that read the
// request; the handler's callbacks run there, one at a time. The server does not check Origin:
// browsers let any site open a WebSocket with the user's cookies, so a callback that
// authenticates by cookie must check it (a token in the query or a header is not at risk).
//
// Limits (HttpServerOptions::websocket): an incoming message larger than max_message_bytes
// closes the connection with 1009; messages queued for sending beyond max_queued_messages or
// max_queued_bytes (a client that does not read) disconnect the client; a ping is sent when
// nothing has arrived for half of idle_timeout, and a client silent for all of it is
// disconnected. An open WebSocket holds one of the server's max_connections like a keep-alive
// connection, and HttpServer::Stop closes it with 1001 (going away).
#ifndef KEYWARDEN_HTTP_WEBSOCKET_H_
#define KEYWARDEN_HTTP_WEBSOCKET_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "http/http_types.h"
#include "keywarden/status.h"

namespace keywarden::http {

namespace internal {
class WebSocketChannel;  // http/internal/server_core.h
class HandleGate;        // http/internal/server_core.h
}  // namespace internal

// Close codes (RFC 6455 section 7.4.1) the server sends or reports. Applications may also use
// 4000-4999.
inline constexpr std::uint16_t kWebSocketNormalClosure = 1000;
inline constexpr std::uint16_t kWebSocketGoingAway = 1001;      // the server is stopping
inline constexpr std::uint16_t kWebSocketProtocolError = 1002;  // the client broke RFC 6455
inline constexpr std::uint16_t kWebSocketNoStatus = 1005;       // reported: a close frame without a code
inline constexpr std::uint16_t kWebSocketAbnormal = 1006;       // reported: no closing handshake
inline constexpr std::uint16_t kWebSocketPolicyViolation = 1008;
inline constexpr std::uint16_t kWebSocketMessageTooBig = 1009;  // over max_message_bytes
inline constexpr std::uint16_t kWebSocketInternalError = 1011;  // a callback threw

struct WebSocketMessage {
  bool binary = false;  // a binary message; otherwise text (which the client promises is UTF-8)
  std::string data;
};

// How a WebSocket ended, as its on_close callback learns it.
struct WebSocketClosed {
  // The code of the closing handshake: the client's close frame, or its answer to ours (1005 when
  // it sent none); kWebSocketMessageTooBig or kWebSocketProtocolError when the server failed the
  // connection for that; kWebSocketAbnormal when it ended without a handshake (the network, a
  // timeout, a full outgoing queue, the server's drain deadline).
  std::uint16_t code = kWebSocketAbnormal;
  std::string reason;  // the close frame's reason, or what the server saw, e.g. "outgoing queue full"
};

// A handle on one open WebSocket, given to the handler's callbacks; copy it to send later.
//
// Thread-safety: every method may be called from any thread, at any time, also after the
// connection has ended (a handle does not keep the connection alive; sends then fail).
// Messages are queued and written one at a time on the connection's I/O thread, in the order
// the Send calls returned.
class WebSocket {
 public:
  WebSocket() = default;  // refers to no connection: sends fail
  // The server makes handles; services receive them.
  WebSocket(std::weak_ptr<internal::WebSocketChannel> channel, std::shared_ptr<internal::HandleGate> gate,
            std::uint64_t id)
      : channel_(std::move(channel)), gate_(std::move(gate)), id_(id) {}

  // Queues a message. OK means queued, not delivered. kUnavailable once the connection is
  // closing or closed, and when this message overflows the outgoing queue: then the client is
  // disconnected (it is not reading) and on_close follows. kInvalidArgument for one message
  // larger than max_queued_bytes (refused; the connection carries on).
  Status SendText(std::string text) const;
  Status SendBinary(std::string data) const;

  // Starts the closing handshake once the messages queued before it are written; later sends
  // fail. `reason` is cut to the 123 bytes a close frame holds. A code RFC 6455 does not allow
  // in a close frame (outside 1000-1003, 1007-1014 and 3000-4999) is sent as 1000. Does nothing
  // when already closing or closed.
  void Close(std::uint16_t code = kWebSocketNormalClosure, std::string_view reason = {}) const;

  // The connection's number, unique within the server while it is open: a key for registries.
  std::uint64_t id() const { return id_; }

 private:
  Status Send(bool binary, std::string data) const;

  std::weak_ptr<internal::WebSocketChannel> channel_;
  std::shared_ptr<internal::HandleGate> gate_;  // the server's: no use once it is torn down
  std::uint64_t id_ = 0;
};

// What a service does with one WebSocket. Every callback is optional and runs on the
// connection's I/O thread, never two at once for one connection, so it must be quick: work that
// waits belongs on another thread, which then answers through a copied WebSocket handle. An
// exception escaping on_open or on_message closes the connection with 1011; one escaping on_close
// is swallowed.
struct WebSocketHandler {
  // Once the 101 has been sent, before any message.
  std::function<void(const WebSocket& socket)> on_open;
  // For each complete message, in order; the next one is read only after this returns.
  std::function<void(const WebSocket& socket, WebSocketMessage message)> on_message;
  // Exactly once after on_open, whatever ended the connection. Afterwards the server drops the
  // handler and what its callbacks hold, so they may hold the WebSocket handle freely.
  std::function<void(const WebSocketClosed& closed)> on_close;
};

// The answer a WebSocket route's accept callback returns to accept the upgrade: a 101 that
// carries `handler`. Extra headers added to it (e.g. Sec-WebSocket-Protocol) are sent with the 101.
HttpResponse AcceptWebSocket(WebSocketHandler handler);

}  // namespace keywarden::http

#endif  // KEYWARDEN_HTTP_WEBSOCKET_H_
