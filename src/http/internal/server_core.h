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
#include "telemetry/log_limiter.h"

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

// A connection as Stop and the connection cap see it.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Asks the connection to close now if it is idle; a request in progress finishes first. A
  // WebSocket starts its closing handshake (1001). Thread-safe.
  virtual void Drain() = 0;
  // Closes the connection to make room for another: now if it is still idle, otherwise once its
  // request has been answered. Thread-safe. WebSockets are never evicted (they are never idle).
  virtual void Evict() {}

  // Waiting for the first byte of a request (a new or kept-alive connection), so closing it
  // loses nothing. Written by the connection's thread, read by the acceptor under ServerCore::mu.
  std::atomic<bool> idle{false};
  std::atomic<bool> evicting{false};  // chosen for eviction once; never chosen again
};

// What a WebSocket handle (http/websocket.h) reaches; thread-safe, see WebSocket.
class WebSocketChannel : public SessionBase {
 public:
  virtual Status Send(bool binary, std::string data) = 0;
  virtual void Close(std::uint16_t code, std::string_view reason) = 0;
};

// Uses of connections by threads outside the server, through WebSocket handles (Send, Close).
// Such a thread may drop a connection's last reference, and the connection's destructor needs
// its io_context: teardown closes the gate and waits for the uses in progress before it destroys
// the io_contexts, and a handle used after that finds the gate closed. Thread-safe.
class HandleGate {
 public:
  // One use: admitted while the gate is open, ended when destroyed.
  class Use {
   public:
    explicit Use(HandleGate* gate) : gate_(gate != nullptr && gate->Enter() ? gate : nullptr) {}
    ~Use() {
      if (gate_ != nullptr) gate_->Leave();
    }
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;
    explicit operator bool() const { return gate_ != nullptr; }

   private:
    HandleGate* gate_;
  };

  void Open() KW_EXCLUDES(mu_);
  // Admits no more uses and returns once those in progress have ended.
  void CloseAndWait() KW_EXCLUDES(mu_);

 private:
  bool Enter() KW_EXCLUDES(mu_);
  void Leave() KW_EXCLUDES(mu_);

  Mutex mu_;
  std::condition_variable cv_;  // signalled when `uses_` drops to 0
  std::size_t uses_ KW_GUARDED_BY(mu_) = 0;
  bool open_ KW_GUARDED_BY(mu_) = true;
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
  const std::shared_ptr<HandleGate> handle_gate = std::make_shared<HandleGate>();  // in every WebSocket handle

  // A counted connection: its session (set by Register) and the client address it counts for.
  struct Entry {
    std::weak_ptr<SessionBase> session;
    std::string address;
  };

  Mutex mu;
  std::condition_variable cv;                // signalled when `active` drops
  std::size_t active KW_GUARDED_BY(mu) = 0;  // counted (non-rejected) connections
  std::uint64_t next_id KW_GUARDED_BY(mu) = 0;
  std::map<std::uint64_t, Entry> sessions KW_GUARDED_BY(mu);                      // by id, so oldest first
  std::map<std::string, std::size_t, std::less<>> per_address KW_GUARDED_BY(mu);  // > 0 only

  // What the acceptor does with a new connection.
  enum class Admission { kAdmitted, kFull, kTooManyFromAddress };
  struct Admitted {
    Admission admission = Admission::kFull;
    std::uint64_t id = 0;                // when admitted: the connection's number
    std::shared_ptr<SessionBase> evict;  // when admitted at the cap: the idle connection to close for it
  };

  // Counts a new connection from `address` (server_core.cc). At the cap, the oldest idle
  // connection makes room (the caller evicts it, outside the lock), so idle keep-alive
  // connections never lock newcomers out; without an idle one the answer is kFull. A client
  // address past max_connections_per_address is kTooManyFromAddress whatever the total.
  Admitted Admit(const std::string& address) KW_EXCLUDES(mu);

  // The oldest idle connection not already being evicted, marked as being evicted; null if none.
  std::shared_ptr<SessionBase> TakeOldestIdle() KW_EXCLUDES(mu);
  std::shared_ptr<SessionBase> TakeOldestIdleLocked() KW_REQUIRES(mu);

  // Makes `session` the connection Stop drains under `id` (an admitted connection's number).
  void Register(std::uint64_t id, std::weak_ptr<SessionBase> session) KW_EXCLUDES(mu) {
    MutexLock lock(mu);
    auto it = sessions.find(id);
    if (it != sessions.end()) it->second.session = std::move(session);
  }

  void Unregister(std::uint64_t id) KW_EXCLUDES(mu);

  // Warnings about the server itself (out of descriptors): one line a minute per kind at most.
  telemetry::LogLimiter warnings{std::chrono::minutes(1)};

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
