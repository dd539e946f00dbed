#include "connector/connector_service.h"

#include <string>
#include <utility>

#include "connector/claim_policy.h"
#include "connector/deployment.h"
#include "connector/store/open_key_store.h"
#include "connector/user_keys/last_access_batcher.h"
#include "connector/user_keys/user_key_api.h"
#include "connector/user_keys/user_key_service.h"
#include "custody/data_keyring.h"
#include "custody/open_rsa_key_provider.h"
#include "http/http_client.h"
#include "http/server.h"
#include "telemetry/log.h"
#include "telemetry/metrics.h"

namespace keywarden::connector {
namespace {

http::HttpClientOptions IdentityClientOptions(const ConnectorConfig& config) {
  http::HttpClientOptions options;
  options.allow_plain_http = config.auth.allow_insecure_identity_server;
  return options;
}

}  // namespace

struct ConnectorService::Parts {
  Deployment deployment;
  std::unique_ptr<auth::TokenVerifier> verifier;
  std::unique_ptr<LastAccessBatcher> last_access;
  std::unique_ptr<UserKeyService> service;
  telemetry::MetricsRegistry metrics;
  std::unique_ptr<http::HttpServer> server;
};

Result<jose::OidcDiscovery> FetchDiscovery(const ConnectorConfig& config) {
  const std::string url = config.identity_server_uri + "/.well-known/openid-configuration";
  auto document = http::HttpGet(url, IdentityClientOptions(config));
  if (!document.ok()) return document.status().WithContext("identity server discovery");
  auto discovery = jose::ParseDiscovery(*document);
  if (!discovery.ok()) return discovery.status().WithContext("identity server discovery document");
  return discovery;
}

ConnectorService::ConnectorService(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

ConnectorService::~ConnectorService() { Stop(std::chrono::milliseconds(0)); }

std::uint16_t ConnectorService::port() const { return parts_->server->port(); }

void ConnectorService::Stop(std::chrono::milliseconds drain) {
  if (parts_ == nullptr || parts_->server == nullptr) return;
  parts_->server->Stop(drain);
  parts_->server.reset();
  if (parts_->last_access != nullptr) {
    const Status flushed = parts_->last_access->Flush();
    if (!flushed.ok()) telemetry::LogWarning("last access times not saved: " + flushed.message());
  }
  telemetry::LogInfo("key connector stopped");
}

Result<std::unique_ptr<ConnectorService>> ConnectorService::Start(const ConnectorConfig& config,
                                                                  ConnectorServiceOptions options) {
  KW_RETURN_IF_ERROR(
      telemetry::InitLogging(LogFormatName(config.log.format), LogLevelName(config.log.level), config.log.audit));
  auto parts = std::make_unique<Parts>();

  KW_ASSIGN_OR_RETURN(parts->deployment, OpenDeployment(config));

  auth::TokenVerifierOptions verifier_options;
  verifier_options.jwks_refresh_min_interval = std::chrono::seconds(config.auth.jwks_refresh_seconds);
  verifier_options.max_token_bytes = config.auth.max_token_bytes;
  std::optional<std::string> audience;
  if (!config.auth.audience.empty()) audience = config.auth.audience;
  const auto clock_skew = std::chrono::seconds(config.auth.clock_skew_seconds);
  auth::JwksFetcher fetch_jwks;
  if (options.local_issuer) {
    verifier_options.policy = KeyConnectorClaimPolicy(options.local_issuer->issuer, audience, clock_skew);
    fetch_jwks = options.local_issuer->jwks;
  } else {
    KW_ASSIGN_OR_RETURN(jose::OidcDiscovery discovery, FetchDiscovery(config));
    verifier_options.policy = KeyConnectorClaimPolicy(discovery.issuer, audience, clock_skew);
    fetch_jwks = [jwks_uri = discovery.jwks_uri, client = IdentityClientOptions(config)]() {
      return http::HttpGet(jwks_uri, client);
    };
  }
  parts->verifier = std::make_unique<auth::TokenVerifier>(std::move(verifier_options), std::move(fetch_jwks));
  if (!options.local_issuer) {
    const Status keys = parts->verifier->Refresh(std::chrono::system_clock::now());
    if (!keys.ok())
      telemetry::LogWarning("identity server keys not loaded yet (will retry on first request): " + keys.message());
  }

  parts->last_access = std::make_unique<LastAccessBatcher>(*parts->deployment.store,
                                                           std::chrono::seconds(config.last_access_flush_seconds));
  parts->service = std::make_unique<UserKeyService>(*parts->deployment.store, *parts->deployment.keyring,
                                                    parts->last_access.get(), &SystemNowMs);

  // Metrics: requests by route and status, latency, keys stored, token failures by reason.
  KW_ASSIGN_OR_RETURN(telemetry::Counter * requests,
                      parts->metrics.AddCounter("keywarden_http_requests_total", "HTTP requests by route and status",
                                                {"route", "method", "status"}));
  KW_ASSIGN_OR_RETURN(telemetry::Histogram * latency,
                      parts->metrics.AddHistogram("keywarden_http_request_duration_seconds",
                                                  "HTTP request latency by route", {"route"}));
  KW_ASSIGN_OR_RETURN(telemetry::Counter * token_failures,
                      parts->metrics.AddCounter("keywarden_token_verification_failures_total",
                                                "Bearer tokens refused, by reason", {"reason"}));
  connector::store::KeyStore* store_for_gauge = parts->deployment.store.get();
  KW_RETURN_IF_ERROR(
      parts->metrics.AddGauge("keywarden_user_keys_stored", "User keys in the database", [store_for_gauge] {
        auto count = store_for_gauge->CountUserKeys();
        return count.ok() ? static_cast<double>(*count) : -1.0;
      }));

  auto router = std::make_shared<http::Router>();
  AddUserKeyRoutes(*router, UserKeyApi{*parts->service, *parts->verifier, token_failures,
                                       /*reads_block=*/config.database.provider != "sqlite"});
  custody::RsaKeyProvider* provider_for_health = parts->deployment.provider.get();
  AddStatusRoutes(*router, StatusApi{[provider_for_health, store_for_gauge]() -> Status {
                                       KW_RETURN_IF_ERROR(provider_for_health->Check().WithContext("key provider"));
                                       return store_for_gauge->Ping().WithContext("database");
                                     },
                                     &parts->metrics});
  if (options.extra_routes) options.extra_routes(*router);

  http::HttpServerOptions server_options;
  server_options.address = config.listen.host;
  server_options.port = config.listen.port;
  server_options.threads = config.limits.threads;
  server_options.max_body_bytes = config.limits.max_body_bytes;
  // Room for the largest token we accept plus ordinary headers, so that an oversized token is
  // refused by the token check (401, counted) rather than by the header limit.
  server_options.max_header_bytes = config.auth.max_token_bytes + 8192;
  server_options.request_timeout = std::chrono::milliseconds(config.limits.request_timeout_ms);
  server_options.idle_timeout = std::chrono::milliseconds(config.limits.idle_timeout_ms);
  server_options.max_connections = config.limits.max_connections;
  if (config.tls.enabled()) server_options.tls = http::TlsFiles{config.tls.cert_file, config.tls.key_file};
  if (!config.web_vault_origin.empty()) server_options.cors = http::CorsOptions{config.web_vault_origin};

  auto observer = [requests, latency](const http::HttpRequest& request, const http::HttpResponse& response,
                                      std::chrono::nanoseconds elapsed, std::string_view route) {
    const std::string status = std::to_string(response.status);
    requests->Inc({route, request.method, status});
    latency->Observe({route}, elapsed);
  };
  parts->server = std::make_unique<http::HttpServer>(server_options, router, observer);
  const Status started = parts->server->Start();
  if (!started.ok()) return started;
  telemetry::LogInfo("key connector listening on " + FormatListen({config.listen.host, parts->server->port()}) +
                     " (data key version " + std::to_string(parts->deployment.keyring->current_version()) +
                     ", RSA key " + parts->deployment.provider->PublicKeyFingerprint().substr(0, 16) + "...)");
  return std::unique_ptr<ConnectorService>(new ConnectorService(std::move(parts)));
}

}  // namespace keywarden::connector
