// HttpServer: an HTTP/1.1 front end (plain or TLS), generic over its routes.
//
// Robustness is the point of this class: every request is bounded in size (headers, body) and
// in time (the whole request must arrive within request_timeout; an idle keep-alive
// connection is closed after idle_timeout), the number of connections is capped, and any
// failure answers with a JSON error instead of internal text. Each response carries
// `Server: keywarden` and a Content-Type.
//
// Handlers of Execution::kInline routes run on the I/O threads (one io_context per thread), so
// they must be quick; routes that wait (a durable commit, a network database) are added with
// Execution::kBlocking and run on a separate pool. Only the .cc files see the HTTP library (a pimpl
// keeps it out of here).
//
// WebSocket routes (Router::AddWebSocket, http/websocket.h) upgrade connections of the same
// listener; an open WebSocket counts against max_connections like a keep-alive connection.
#ifndef KEYWARDEN_HTTP_SERVER_H_
#define KEYWARDEN_HTTP_SERVER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/http_types.h"
#include "http/router.h"
#include "keywarden/status.h"
#include "net/ip_network.h"

namespace keywarden::http {

struct TlsFiles {
  std::string cert_file;  // PEM certificate chain, leaf first
  std::string key_file;   // PEM private key (unencrypted)
};

struct CorsOptions {
  // The single origin allowed to call cross-origin (the web vault), e.g. "https://vault.example.com".
  // A trailing '/' is ignored. A request whose Origin matches exactly gets
  // Access-Control-Allow-Origin: <origin> with credentials allowed; any other origin gets none.
  std::string allowed_origin;
};

// Bounds of each WebSocket (see http/websocket.h).
struct WebSocketOptions {
  std::size_t max_message_bytes = std::size_t{64} * 1024;  // incoming; a larger message closes with 1009
  // Outgoing messages not yet written (the one being written included); one more disconnects
  // the client, which is not reading.
  std::size_t max_queued_messages = 1024;
  std::size_t max_queued_bytes = std::size_t{1024} * 1024;
  // A ping is sent after half of it without a frame from the client; a client silent for all of
  // it is disconnected. The closing handshake must finish within request_timeout.
  std::chrono::milliseconds idle_timeout{30'000};
};

struct HttpServerOptions {
  std::string address = "127.0.0.1";  // IPv4/IPv6 literal or a host name
  std::uint16_t port = 5000;          // 0 picks a free port; see HttpServer::port()
  unsigned threads = 0;               // 0 = one per core (std::thread::hardware_concurrency())
  std::size_t max_body_bytes = std::size_t{64} * 1024;
  std::size_t max_header_bytes = std::size_t{8} * 1024;  // request line and all header fields
  std::chrono::milliseconds request_timeout{10'000};     // to receive one whole request
  std::chrono::milliseconds idle_timeout{60'000};        // between keep-alive requests
  // Connections at once. At the cap the oldest idle connection (kept alive, or open without
  // a byte of its request yet) is closed to make room; with none idle a newcomer gets 503 JSON.
  std::size_t max_connections = 10'000;
  // Connections at once from one client address (503 JSON beyond it), so that one client
  // cannot take every slot; 0 for none (all clients arrive through one proxy).
  std::size_t max_connections_per_address = 1'000;
  // Reverse proxies whose X-Forwarded-For names the client (http/forwarded_for.h): a request
  // from one of them has HttpRequest::client_address read from it. Empty: always the peer. The
  // connection limits count the peer either way.
  std::vector<net::IpNetwork> trusted_proxies;
  // Threads for routes added with Execution::kBlocking (writes waiting on a commit, a remote
  // database); other routes run on the I/O threads. 0 runs everything on the I/O threads. A
  // route with a ConcurrencyLimit (Router::RouteHandle::Limit) takes at most its max_running of
  // them; its other requests wait without a thread.
  unsigned blocking_threads = 32;
  std::optional<TlsFiles> tls;  // TLS 1.2+ when set
  std::optional<CorsOptions> cors;
  WebSocketOptions websocket;
};

// Called once per answered request, including error answers the server made itself (400,
// 413, 431, 503), after the response is built and before it is sent. `route_label` is the
// router's bounded label ("other" for unknown paths and unparsable requests). Must be
// thread-safe; an exception it throws is swallowed.
using RequestObserver = std::function<void(const HttpRequest& request, const HttpResponse& response,
                                           std::chrono::nanoseconds latency, std::string_view route_label)>;

// What happened to a WebSocket, for metrics: kOpened once its 101 has been sent (the upgrades
// counter), kClosed when it ends (exactly once after kOpened).
enum class WebSocketEvent { kOpened, kClosed };

// Called on the connection's I/O thread with the route's bounded label (the pattern, as for
// RequestObserver). Must be thread-safe; an exception it throws is swallowed. The upgrade request
// itself and a refused upgrade reach the RequestObserver (status 101, or the refusal's status).
using WebSocketObserver = std::function<void(WebSocketEvent event, std::string_view route_label)>;

class HttpServer {
 public:
  // `router` must not change once Start() is called.
  HttpServer(HttpServerOptions options, std::shared_ptr<const Router> router, RequestObserver observer = nullptr,
             WebSocketObserver websocket_observer = nullptr);
  ~HttpServer();  // Stop(0) if still running
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the I/O threads. Errors are one line, e.g.
  // "cannot listen on 0.0.0.0:5000: address in use" or a TLS file that cannot be loaded.
  Status Start();

  // The bound port (useful with port 0); 0 before Start().
  std::uint16_t port() const;

  // WebSockets open now (handshake done, not yet ended): a scrape-time gauge. Thread-safe.
  std::size_t open_websockets() const;

  // Graceful shutdown: stops accepting, closes idle connections, lets requests already being
  // received or handled finish (their responses say Connection: close) and starts the closing
  // handshake of open WebSockets (1001, going away) until `drain` has passed, then closes
  // everything and joins the threads (a WebSocket still open then gets its on_close here). A handler still running at
  // the deadline is waited for (it cannot be interrupted). Safe to call more than once; never from a handler (it joins
  // the threads handlers run on).
  void Stop(std::chrono::milliseconds drain);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// For tests and the fuzzer: parses one complete request from `raw` with the server's own
// parser, limits and checks (what the server would answer 400/413/431 to is an error here).
Result<HttpRequest> ParseRequestForTest(std::string_view raw, std::size_t max_header_bytes = std::size_t{8} * 1024,
                                        std::size_t max_body_bytes = std::size_t{64} * 1024);

}  // namespace keywarden::http

#endif  // KEYWARDEN_HTTP_SERVER_H_
