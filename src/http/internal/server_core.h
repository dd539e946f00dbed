// What the HTTP connections (server.cc) and the WebSocket connections (websocket.cc) share: the
// wire types, the server's state every connection sees (ServerCore: options, routes, observers,
// the connection count and registry Stop uses), and the hand-over of an upgraded connection.
//
// A connection is counted against max_connections from accept until its object is destroyed.
// An upgrade moves the socket, the count and the registry entry from the HTTP session to the
// WebSocket connection, so the cap and Stop see one connection throughout.
#ifndef KEYWARDEN_HTTP_INTERNAL_SERVER_CORE_H_
#define KEYWARDEN_HTTP_INTERNAL_SERVER_CORE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "base/mutex.h"
#include "http/http_types.h"
#include "http/router.h"
#include "http/server.h"
#include "http/wiping_allocator.h"
#include "keywarden/status.h"

namespace keywarden::http::internal {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
// Header fields (the bearer token) and the read buffer are wiped when freed; bodies are wiped
// explicitly once handled and once sent.
using WipingFields = bhttp::basic_fields<WipingAllocator<char>>;
using BeastRequest = bhttp::request<bhttp::string_body, WipingFields>;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// A connection as Stop sees it.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Asks the connection to close now if it is idle; a request in progress finishes first. A
  // WebSocket starts its closing handshake (1001). Thread-safe.
  virtual void Drain() = 0;
};

// What a WebSocket handle (http/websocket.h) reaches; thread-safe, see WebSocket.
class WebSocketChannel : public SessionBase {
 public:
  virtual Status Send(bool binary, std::string data) = 0;
  virtual void Close(std::uint16_t code, std::string_view reason) = 0;
};

// What every connection shares: configuration, routes and the registry used by Stop().
struct ServerCore {
  HttpServerOptions options;
  std::string cors_origin;  // normalised; empty when CORS is off
  std::shared_ptr<const Router> router;
  RequestObserver observer;
  WebSocketObserver websocket_observer;
  std::unique_ptr<asio::ssl::context> tls;
  std::unique_ptr<asio::thread_pool> blocking_pool;  // runs Execution::kBlocking routes
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> open_websockets{0};

  Mutex mu;
  std::condition_variable cv;                // signalled when `active` drops
  std::size_t active KW_GUARDED_BY(mu) = 0;  // counted (non-rejected) connections
  std::uint64_t next_id KW_GUARDED_BY(mu) = 0;
  std::map<std::uint64_t, std::weak_ptr<SessionBase>> sessions KW_GUARDED_BY(mu);

  // Makes `session` the connection Stop drains under `id` (a counted connection's number).
  void Register(std::uint64_t id, std::weak_ptr<SessionBase> session) KW_EXCLUDES(mu) {
    MutexLock lock(mu);
    sessions[id] = std::move(session);
  }

  void Unregister(std::uint64_t id) KW_EXCLUDES(mu) {
    MutexLock lock(mu);
    sessions.erase(id);
    --active;
    cv.notify_all();
  }

  // CORS pre-flight, or the router (whose exceptions become a generic 500), plus CORS headers.
  // `match` is the router's match for `request`, found once per request. In server.cc.
  HttpResponse Respond(HttpRequest& request, Router::Match match) const;

  // Calls `observer`, which must never take a request down.
  void Observe(const HttpRequest& request, const HttpResponse& response, Clock::time_point start,
               std::string_view label) const {
    if (!observer) return;
    try {
      observer(request, response, Clock::now() - start, label);
    } catch (...) {
      // Metrics and audit must never take a request down.
    }
  }

  void ObserveWebSocket(WebSocketEvent event, std::string_view label) const {
    if (!websocket_observer) return;
    try {
      websocket_observer(event, label);
    } catch (...) {
      // As above.
    }
  }
};

// Whether a handler's header field may be sent: a token name, a value without CR, LF or NUL, and
// not a field the server writes itself (framing, Connection, Server, Content-Type).
bool IsHandlerField(std::string_view name, std::string_view value);

// --- The upgrade (websocket.cc) --------------------------------------------------------------

// Checks the RFC 6455 opening handshake of a request to a WebSocket route: nullopt when it may
// be upgraded, otherwise the refusal to send (426 or 400 JSON). `bytes_pending` says that the
// client sent more after the request, which it must not do before it has the 101.
std::optional<HttpResponse> CheckWebSocketUpgrade(const BeastRequest& request, bool bytes_pending);

// An accepted upgrade, handed from the HTTP session to the WebSocket connection.
struct Upgrade {
  BeastRequest request;  // the upgrade request, which Beast answers
  HttpResponse accept;   // AcceptWebSocket's answer: the handler, and extra headers for the 101
  std::string client_address;
  std::string_view route_label;  // into the router, which outlives every connection
  bool counted = false;          // holds a slot of max_connections, under `id`
  std::uint64_t id = 0;
};

// Sends the 101 and runs the WebSocket on the stream's executor; called there, with the stream
// idle. The connection registers itself under upgrade.id and, if the server is stopping, closes.
void StartWebSocket(std::shared_ptr<ServerCore> core, PlainStream stream, Upgrade upgrade);
void StartWebSocket(std::shared_ptr<ServerCore> core, TlsStream stream, Upgrade upgrade);

}  // namespace keywarden::http::internal

#endif  // KEYWARDEN_HTTP_INTERNAL_SERVER_CORE_H_
