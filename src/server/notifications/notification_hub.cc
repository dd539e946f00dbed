#include "server/notifications/notification_hub.h"

#include <algorithm>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "telemetry/log.h"

namespace keywarden::server::notifications {
namespace {

// The message the reference's client shows when the server ends a connection over bad input.
constexpr std::string_view kClosedWithError = "Connection closed with an error.";

}  // namespace

NotificationHub::NotificationHub(HubOptions options) : options_(options), keep_alive_([this] { KeepAlive(); }) {}

NotificationHub::~NotificationHub() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  keep_alive_.join();
}

http::WebSocketHandler NotificationHub::UserConnection(std::string user_id, std::string device_identifier) {
  return Handler(false, std::move(user_id), std::move(device_identifier));
}

http::WebSocketHandler NotificationHub::AnonymousConnection(std::string token) {
  return Handler(true, std::move(token), "");
}

http::WebSocketHandler NotificationHub::Handler(bool anonymous, std::string key, std::string device_identifier) {
  auto session = std::make_shared<Session>();
  // The handle's id, learnt in on_open, names the connection's record for on_close.
  auto id = std::make_shared<std::uint64_t>(0);
  http::WebSocketHandler handler;
  handler.on_open = [this, id, anonymous, key = std::move(key),
                     device_identifier = std::move(device_identifier)](const http::WebSocket& socket) {
    *id = socket.id();
    Opened(socket, anonymous, key, device_identifier);
  };
  handler.on_message = [this, session](const http::WebSocket& socket, http::WebSocketMessage message) {
    Received(socket, *session, message);
  };
  handler.on_close = [this, id](const http::WebSocketClosed&) { Closed(*id); };
  return handler;
}

void NotificationHub::Opened(const http::WebSocket& socket, bool anonymous, const std::string& key,
                             const std::string& device_identifier) {
  MutexLock lock(mu_);
  connections_[socket.id()] = Connection{socket,       anonymous,
                                         key,          device_identifier,
                                         std::nullopt, std::chrono::steady_clock::now() + options_.handshake_timeout};
  (anonymous ? by_token_ : by_user_)[key].insert(socket.id());
}

void NotificationHub::Closed(std::uint64_t id) {
  MutexLock lock(mu_);
  const auto found = connections_.find(id);
  if (found == connections_.end()) return;
  auto& index = found->second.anonymous ? by_token_ : by_user_;
  if (const auto keyed = index.find(found->second.key); keyed != index.end()) {
    keyed->second.erase(id);
    if (keyed->second.empty()) index.erase(keyed);
  }
  connections_.erase(found);
}

void NotificationHub::Send(const http::WebSocket& socket, HubProtocol protocol, std::string message) {
  // A failed send means the connection is closing or was cut for not reading: on_close follows.
  if (protocol == HubProtocol::kJson) {
    (void)socket.SendText(std::move(message));
  } else {
    (void)socket.SendBinary(std::move(message));
  }
}

void NotificationHub::Received(const http::WebSocket& socket, Session& session, const http::WebSocketMessage& message) {
  if (Status added = session.reader.Append(message.data); !added.ok()) {
    if (session.protocol) Send(socket, *session.protocol, EncodeClose(*session.protocol, kClosedWithError));
    socket.Close(http::kWebSocketPolicyViolation, added.message());
    return;
  }
  if (!session.protocol) {
    auto handshake = session.reader.ReadHandshake();
    if (!handshake.ok()) {
      (void)socket.SendText(HandshakeRefused(handshake.status().message()));
      socket.Close(http::kWebSocketPolicyViolation, "handshake refused");
      return;
    }
    if (!handshake->has_value()) return;  // the rest of the record is still to come
    session.protocol = (*handshake)->protocol;
    // Answered in the protocol's own transfer format, as .NET does; clients read either.
    Send(socket, *session.protocol, HandshakeAccepted());
    MutexLock lock(mu_);
    if (auto found = connections_.find(socket.id()); found != connections_.end()) {
      found->second.protocol = session.protocol;
    }
  }
  const HubProtocol protocol = *session.protocol;
  for (;;) {
    auto next = session.reader.ReadMessage(protocol);
    if (!next.ok()) {
      Send(socket, protocol, EncodeClose(protocol, kClosedWithError));
      socket.Close(http::kWebSocketPolicyViolation, next.status().message());
      return;
    }
    if (!next->has_value()) return;
    const ClientMessage& read = **next;
    if (read.type == static_cast<int>(HubMessageType::kClose)) {
      socket.Close(http::kWebSocketNormalClosure);
      return;
    }
    if (auto reply = ReplyTo(protocol, read)) Send(socket, protocol, *std::move(reply));
  }
}

void NotificationHub::Deliver(const PushNotification& notification) {
  const bool response = notification.type == static_cast<int>(PushType::kAuthRequestResponse);
  std::string token;
  if (response) {
    // The requester listens under the auth request's id, the payload's Id.
    const auto payload = nlohmann::json::parse(notification.payload, nullptr, false);
    const auto id = payload.is_object() ? payload.find("Id") : payload.end();
    if (!payload.is_object() || id == payload.end() || !id->is_string()) {
      telemetry::LogWarning("an auth request response without an Id was not delivered");
      return;
    }
    token = id->get<std::string>();
  }
  std::vector<std::pair<http::WebSocket, HubProtocol>> recipients;
  {
    MutexLock lock(mu_);
    const auto& index = response ? by_token_ : by_user_;
    const auto keyed = index.find(response ? token : notification.user_id);
    if (keyed == index.end()) return;
    for (const std::uint64_t id : keyed->second) {
      const Connection& connection = connections_.at(id);
      if (connection.protocol) recipients.emplace_back(connection.socket, *connection.protocol);
    }
  }
  const std::string_view target = response ? kAuthRequestResponseTarget : kReceiveMessageTarget;
  std::optional<std::string> encoded[2];  // by protocol, made once each
  for (const auto& [socket, protocol] : recipients) {
    std::optional<std::string>& message = encoded[protocol == HubProtocol::kJson ? 0 : 1];
    if (!message) {
      auto data = NotificationData(protocol, notification.type, notification.payload, notification.context_id);
      if (!data.ok()) {
        telemetry::LogWarning("notification " + notification.id + " not delivered: " + data.status().message());
        return;
      }
      message = EncodeInvocation(protocol, target, *data);
    }
    Send(socket, protocol, *message);
  }
}

std::size_t NotificationHub::user_connections() const {
  MutexLock lock(mu_);
  return static_cast<std::size_t>(std::count_if(connections_.begin(), connections_.end(),
                                                [](const auto& entry) { return !entry.second.anonymous; }));
}

std::size_t NotificationHub::anonymous_connections() const {
  MutexLock lock(mu_);
  return static_cast<std::size_t>(std::count_if(connections_.begin(), connections_.end(),
                                                [](const auto& entry) { return entry.second.anonymous; }));
}

void NotificationHub::KeepAlive() {
  // Wakes often enough to keep both the pings and the handshake deadlines within a quarter of
  // their period.
  const auto tick = std::min(options_.ping_interval, options_.handshake_timeout) / 4;
  auto next_ping = std::chrono::steady_clock::now() + options_.ping_interval;
  MutexLock lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock.unique_lock(), std::max(tick, std::chrono::milliseconds(1)));
    if (stopping_) break;
    const auto now = std::chrono::steady_clock::now();
    const bool ping = now >= next_ping;
    if (ping) next_ping = now + options_.ping_interval;
    std::vector<std::pair<http::WebSocket, HubProtocol>> pinged;
    std::vector<http::WebSocket> late;
    for (const auto& [id, connection] : connections_) {
      if (connection.protocol) {
        if (ping) pinged.emplace_back(connection.socket, *connection.protocol);
      } else if (now >= connection.handshake_deadline) {
        late.push_back(connection.socket);
      }
    }
    lock.Unlock();
    for (const auto& [socket, protocol] : pinged) Send(socket, protocol, EncodePing(protocol));
    for (const http::WebSocket& socket : late) socket.Close(http::kWebSocketPolicyViolation, "handshake timed out");
    lock.Lock();
  }
}

}  // namespace keywarden::server::notifications
