// NotificationHub: this instance's open SignalR hub connections (hub_protocol.h), and where the
// push feed delivers (PushSink).
//
// Two kinds of connection, as the reference's two hubs:
//   - user hub (/notifications/hub): signed in; keyed by the token's user id, with the device
//     identifier of its `device` claim. Every notification for that user reaches every one of
//     them as ReceiveMessage {ContextId, Type, Payload}. The hub never filters on ContextId: a
//     client skips what its own device caused.
//   - anonymous hub (/notifications/anonymous-hub?Token=): a device waiting for the answer to its
//     auth request, keyed by the Token it gave (the request's id; several connections may share
//     one, e.g. a reconnect). Only AuthRequestResponse (16) goes there, to the connections whose
//     token equals the payload's Id, as AuthRequestResponseRecieved; it never goes to the user
//     hub.
//
// Keep-alive: every ping_interval a Ping goes to every connection past its handshake, so that
// the client's 30 s server timeout never fires (a WebSocket ping frame does not count for it). A
// connection that has not completed its handshake within handshake_timeout is closed.
//
// Thread-safety: Deliver and the counts may be called from any thread. Sends only queue
// (http::WebSocket), so a slow client never holds up Deliver or the other connections. The hub
// must outlive the HTTP server whose WebSocket handlers it made.
#ifndef KEYWARDEN_SERVER_NOTIFICATIONS_NOTIFICATION_HUB_H_
#define KEYWARDEN_SERVER_NOTIFICATIONS_NOTIFICATION_HUB_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>

#include "base/mutex.h"
#include "http/websocket.h"
#include "server/notifications/hub_protocol.h"
#include "server/notifications/push_sink.h"

namespace keywarden::server::notifications {

// The SignalR target names the reference's hubs send to.
inline constexpr std::string_view kReceiveMessageTarget = "ReceiveMessage";
inline constexpr std::string_view kAuthRequestResponseTarget = "AuthRequestResponseRecieved";  // sic

struct HubOptions {
  // The reference's KeepAliveInterval; the client gives up after 30 s without a message.
  std::chrono::milliseconds ping_interval{15'000};
  // The reference's HandshakeTimeout.
  std::chrono::milliseconds handshake_timeout{15'000};
};

class NotificationHub : public PushSink {
 public:
  explicit NotificationHub(HubOptions options = {});
  ~NotificationHub() override;  // stops the keep-alive thread; connections stay with the server
  NotificationHub(const NotificationHub&) = delete;
  NotificationHub& operator=(const NotificationHub&) = delete;

  // The handler of a user-hub WebSocket for `user_id`, signed in on `device_identifier` ("" when
  // the token names none).
  http::WebSocketHandler UserConnection(std::string user_id, std::string device_identifier);
  // The handler of an anonymous-hub WebSocket listening under `token`.
  http::WebSocketHandler AnonymousConnection(std::string token);

  void Deliver(const PushNotification& notification) override;

  // Open connections of each kind, handshake done or not (tests, metrics).
  std::size_t user_connections() const;
  std::size_t anonymous_connections() const;

 private:
  struct Connection {
    http::WebSocket socket;
    bool anonymous = false;
    std::string key;  // the user id, or the anonymous token
    std::string device_identifier;
    std::optional<HubProtocol> protocol;  // set once the handshake is accepted
    std::chrono::steady_clock::time_point handshake_deadline;
  };
  // What one connection's callbacks share; they run one at a time on its I/O thread.
  struct Session {
    HubReader reader;
    std::optional<HubProtocol> protocol;
  };

  http::WebSocketHandler Handler(bool anonymous, std::string key, std::string device_identifier);
  void Opened(const http::WebSocket& socket, bool anonymous, const std::string& key,
              const std::string& device_identifier);
  void Received(const http::WebSocket& socket, Session& session, const http::WebSocketMessage& message);
  void Closed(std::uint64_t id);
  // Sends `message`, framed for `protocol` (text for JSON, binary for MessagePack).
  static void Send(const http::WebSocket& socket, HubProtocol protocol, std::string message);
  void KeepAlive();

  const HubOptions options_;
  mutable Mutex mu_;
  std::condition_variable cv_;
  bool stopping_ KW_GUARDED_BY(mu_) = false;
  std::unordered_map<std::uint64_t, Connection> connections_ KW_GUARDED_BY(mu_);
  std::map<std::string, std::set<std::uint64_t>> by_user_ KW_GUARDED_BY(mu_);
  std::map<std::string, std::set<std::uint64_t>> by_token_ KW_GUARDED_BY(mu_);
  std::thread keep_alive_;  // last: starts once the rest exists
};

}  // namespace keywarden::server::notifications

#endif  // KEYWARDEN_SERVER_NOTIFICATIONS_NOTIFICATION_HUB_H_
