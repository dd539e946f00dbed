#include "service/service_host.h"

#include <string>
#include <utility>

#include "base/time.h"
#include "telemetry/log.h"
#include "telemetry/log_limiter.h"

namespace keywarden::service {
namespace {

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
  host->AddStatusRoutes();
  return host;
}

ServiceHost::ServiceHost(ServiceHostOptions options)
    : options_(std::move(options)), router_(std::make_shared<http::Router>()) {}

ServiceHost::~ServiceHost() { Stop(std::chrono::milliseconds(0)); }

void ServiceHost::AddStatusRoutes() {
  auto now = [](const http::HttpRequest&) {
    return http::JsonResponse(200, FormatUtcIso8601(std::chrono::system_clock::now()));
  };
  router_->Add("GET", "/alive", now);
  router_->Add("GET", "/now", now);
  router_->Add(
      "GET", "/health",
      [checks = options_.health, log = std::make_shared<telemetry::LogLimiter>(options_.health_log_interval)](
          const http::HttpRequest&) { return AnswerHealth(checks, *log); },
      http::Execution::kBlocking);  // it asks the service's dependencies, which may be slow to answer
  router_->Add("GET", "/metrics", [metrics = &metrics_](const http::HttpRequest&) {
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
