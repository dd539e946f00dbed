// ServiceHost: what every Keywarden service runs on, so that a service's composition root is a
// short list of its own parts.
//
// It owns the metrics registry, the router and the HTTP server, and gives every service the same
//   GET /alive, /now   200, the current UTC time as a JSON string
//   GET /health        200 {"status": "Healthy"} when every health check passes, else 503 with
//                      {"status": "Unhealthy", "message": "<check> unavailable"}: the failing
//                      check's name only. Why it failed (which may name files, hosts or SQLite's
//                      own words) goes to the log, one line per check per interval, and again
//                      when it recovers.
//   GET /metrics       Prometheus text, with requests by route, method and status and latency by
//                      route (route labels are the router's bounded patterns); behind a bearer
//                      token when metrics_token is set. Gauges must read cached values
//                      (telemetry/background_sample.h): this route runs on the I/O threads.
// A service adds its routes and metrics between construction and Start(); Stop() drains.
// Start() also prepares the process for serving: SIGPIPE ignored (a vanished client or log reader
// is an error on one descriptor), the open-file limit raised (service/open_file_limit.h).
//
// Not thread-safe while being assembled; after Start(), metrics() and port() may be used from any
// thread, and Stop() from one.
#ifndef KEYWARDEN_SERVICE_SERVICE_HOST_H_
#define KEYWARDEN_SERVICE_SERVICE_HOST_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http/router.h"
#include "http/server.h"
#include "keywarden/status.h"
#include "telemetry/metrics.h"

namespace keywarden::service {

// One dependency /health asks about.
struct HealthCheck {
  std::string name;               // "database": all a client is told when it fails
  std::function<Status()> check;  // OK, or why not (for the log only)
};

struct ServiceHostOptions {
  std::string name;  // "key connector": names the service in its log lines
  http::HttpServerOptions server;
  // Asked in order on every GET /health, which reports the first failure. Run on the blocking
  // pool (a check may wait on a database). None: always healthy.
  std::vector<HealthCheck> health;
  // The least time between two log lines about the same failing check.
  std::chrono::milliseconds health_log_interval{30'000};
  // When set, GET /metrics answers only `Authorization: Bearer <metrics_token>` (401 otherwise),
  // for a listener reachable by more than the scraper.
  std::string metrics_token;
};

class ServiceHost {
 public:
  // Errors only if the host's own metrics cannot be registered (a programming error).
  static Result<std::unique_ptr<ServiceHost>> Create(ServiceHostOptions options);
  ~ServiceHost();  // Stop(0) if still running
  ServiceHost(const ServiceHost&) = delete;
  ServiceHost& operator=(const ServiceHost&) = delete;

  http::Router& router() { return *router_; }
  telemetry::MetricsRegistry& metrics() { return metrics_; }

  // Listens and serves. Errors are one line naming the address or TLS file at fault.
  Status Start();
  // The bound port; 0 before Start().
  std::uint16_t port() const;
  // Graceful shutdown within `drain` (http::HttpServer::Stop); idempotent.
  void Stop(std::chrono::milliseconds drain);

 private:
  explicit ServiceHost(ServiceHostOptions options);
  void AddStatusRoutes();

  ServiceHostOptions options_;
  telemetry::MetricsRegistry metrics_;
  std::shared_ptr<http::Router> router_;
  telemetry::Counter* requests_ = nullptr;
  telemetry::Histogram* latency_ = nullptr;
  std::unique_ptr<http::HttpServer> server_;
};

}  // namespace keywarden::service

#endif  // KEYWARDEN_SERVICE_SERVICE_HOST_H_
