// ServerService: the Keywarden server, assembled: the identity paths (/identity/...) and the API
// paths (/api/...) on one listener, with /alive, /health and /metrics from the service host.
//
// A thin composition root: the database, the signing key and issuer, password hashing and login
// throttling, and each concept's routes (accounts, two-step login, vault, sync). Nothing here
// decides policy; the configuration does.
#ifndef KEYWARDEN_SERVER_SERVER_SERVICE_H_
#define KEYWARDEN_SERVER_SERVER_SERVICE_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "base/clock.h"
#include "http/router.h"
#include "keywarden/status.h"
#include "server/config/server_config.h"
#include "server/events/event_log.h"
#include "server/notifications/notification_hub.h"

namespace keywarden::server {

struct ServerServiceOptions {
  const Clock* clock = &Clock::System();
  // Routes added after the server's own (tests).
  std::function<void(http::Router&)> extra_routes;
  // The notification hubs' keep-alive and handshake deadline (shorter in tests).
  notifications::HubOptions hub;
};

class ServerService {
 public:
  // Opens everything and listens. Errors are one line naming the part at fault.
  static Result<std::unique_ptr<ServerService>> Start(const ServerConfig& config, ServerServiceOptions options = {});
  ~ServerService();  // Stop(0)

  std::uint16_t port() const;
  // The event log; tests Flush() it before reading events back.
  events::EventLog& events();
  // The notification hubs' connections: where the push feed delivers (tests deliver directly).
  notifications::NotificationHub& notification_hub();
  // Stops accepting, lets requests in flight finish within `drain`; idempotent.
  void Stop(std::chrono::milliseconds drain);

  struct Parts;

 private:
  explicit ServerService(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace keywarden::server

#endif  // KEYWARDEN_SERVER_SERVER_SERVICE_H_
