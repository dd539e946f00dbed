#include "service/service_host.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <csignal>
#include <string>
#include <utility>

#include "base/ascii.h"
#include "base/clock.h"
#include "base/iso_date.h"
#include "service/open_file_limit.h"
#include "telemetry/log.h"
#include "telemetry/log_limiter.h"

namespace keywarden::service {
namespace {

// Whether `authorization` is "Bearer <token>", in time independent of where they differ: the
// SHA-256 of each side is compared, so neither the content nor the length of the token leaks.
bool BearerMatches(std::string_view authorization, const std::string& token) {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() < kScheme.size() ||
      !EqualsIgnoreAsciiCase(authorization.substr(0, kScheme.size()), kScheme)) {
    return false;
  }
  authorization.remove_prefix(kScheme.size());
  unsigned char sent[EVP_MAX_MD_SIZE];
  unsigned char expected[EVP_MAX_MD_SIZE];
  unsigned int sent_size = 0;
  unsigned int expected_size = 0;
  if (EVP_Digest(authorization.data(), authorization.size(), sent, &sent_size, EVP_sha256(), nullptr) != 1 ||
      EVP_Digest(token.data(), token.size(), expected, &expected_size, EVP_sha256(), nullptr) != 1) {
    return false;
  }
  return sent_size == expected_size && CRYPTO_memcmp(sent, expected, sent_size) == 0;
}

// Runs the checks in order: 200, or 503 naming the first that fails. Its reason is logged (at most
// once per interval and check), never sent: /health is unauthenticated, and the reason can name
// files, hosts and the database's own messages.
http::HttpResponse AnswerHealth(const std::vector<HealthCheck>& checks, telemetry::LogLimiter& log) {
  for (const HealthCheck& check : checks) {
    const std::string kind = "health: " + check.name;
    const Status status = check.check();
    if (status.ok()) {
      if (log.Reset(kind)) telemetry::LogInfo(kind + " passes again");
      continue;
    }
    log.Warning(kind, kind + " fails: " + status.message());
    return http::JsonResponse(503, {{"status", "Unhealthy"}, {"message", check.name + " unavailable"}});
  }
  return http::JsonResponse(200, {{"status", "Healthy"}});
}

}  // namespace

Result<std::unique_ptr<ServiceHost>> ServiceHost::Create(ServiceHostOptions options) {
  std::unique_ptr<ServiceHost> host(new ServiceHost(std::move(options)));
  KW_ASSIGN_OR_RETURN(host->requests_,
                      host->metrics_.AddCounter("keywarden_http_requests_total", "HTTP requests by route and status",
                                                {"route", "method", "status"}));
  KW_ASSIGN_OR_RETURN(host->latency_, host->metrics_.AddHistogram("keywarden_http_request_duration_seconds",
                                                                  "HTTP request latency by route", {"route"}));
  KW_RETURN_IF_ERROR(host->metrics_.AddGauge("keywarden_log_lines_dropped",
                                             "log lines dropped since start: standard error was too slow or gone",
                                             [] { return static_cast<double>(telemetry::DroppedLogLines()); }));
  host->AddStatusRoutes();
  return host;
}

ServiceHost::ServiceHost(ServiceHostOptions options)
    : options_(std::move(options)), router_(std::make_shared<http::Router>()) {}

ServiceHost::~ServiceHost() { Stop(std::chrono::milliseconds(0)); }

void ServiceHost::AddStatusRoutes() {
  auto now = [](const http::HttpRequest&) { return http::JsonResponse(200, FormatIsoDate(Clock::System().NowMs())); };
  router_->Add("GET", "/alive", now);
  router_->Add("GET", "/now", now);
  router_->Add(
      "GET", "/health",
      [checks = options_.health, log = std::make_shared<telemetry::LogLimiter>(options_.health_log_interval)](
          const http::HttpRequest&) { return AnswerHealth(checks, *log); },
      http::Execution::kBlocking);  // it asks the service's dependencies, which may be slow to answer
  router_->Add("GET", "/metrics",
               [metrics = &metrics_, token = options_.metrics_token](const http::HttpRequest& request) {
                 if (!token.empty() && !BearerMatches(request.header("Authorization"), token)) {
                   http::HttpResponse refused = http::JsonError(401, "a metrics token is required");
                   refused.headers.emplace_back("WWW-Authenticate", "Bearer");
                   return refused;
                 }
                 http::HttpResponse response;
                 response.status = 200;
                 response.content_type = std::string(telemetry::MetricsRegistry::kContentType);
                 response.body = metrics->Render();
                 return response;
               });
}

Status ServiceHost::Start() {
  if (server_ != nullptr) return InternalError(options_.name + " is already running");
  auto observer = [requests = requests_, latency = latency_](const http::HttpRequest& request,
                                                             const http::HttpResponse& response,
                                                             std::chrono::nanoseconds elapsed, std::string_view route) {
    requests->Inc({route, http::MethodLabel(request.method), std::to_string(response.status)});
    latency->Observe({route}, elapsed);
  };
  // A client or log reader that goes away must cost an EPIPE on that socket or pipe, not the process.
  std::signal(SIGPIPE, SIG_IGN);
  // A connection is a descriptor: take what the hard limit allows, and say so when the cap cannot fit.
  Result<OpenFileLimit> limit = RaiseOpenFileLimit();
  if (!limit.ok()) {
    telemetry::LogWarning(limit.status().message());
  } else if (auto warning = ConnectionCapWarning(*limit, options_.server.max_connections)) {
    telemetry::LogWarning(*warning);
  }
  auto server = std::make_unique<http::HttpServer>(options_.server, router_, observer);
  KW_RETURN_IF_ERROR(server->Start());
  server_ = std::move(server);
  return OkStatus();
}

std::uint16_t ServiceHost::port() const { return server_ == nullptr ? 0 : server_->port(); }

void ServiceHost::Stop(std::chrono::milliseconds drain) {
  if (server_ == nullptr) return;
  server_->Stop(drain);
  server_.reset();
}

}  // namespace keywarden::service
