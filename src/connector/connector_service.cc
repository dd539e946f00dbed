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
#include "service/service_host.h"
#include "telemetry/background_sample.h"
#include "telemetry/log.h"
#include "telemetry/metrics.h"

namespace keywarden::connector {
namespace {

http::HttpClientOptions IdentityClientOptions(const ConnectorConfig& config) {
  http::HttpClientOptions options;
  options.allow_plain_http = config.auth.allow_insecure_identity_server;
  return options;
}

// The HTTP server's settings from the connector's listen, limits, TLS and CORS settings.
http::HttpServerOptions ServerOptions(const ConnectorConfig& config) {
  http::HttpServerOptions options;
  options.address = config.listen.host;
  options.port = config.listen.port;
  options.threads = config.limits.threads;
  options.max_body_bytes = config.limits.max_body_bytes;
  // Room for the largest token we accept plus ordinary headers, so that an oversized token is
  // refused by the token check (401, counted) rather than by the header limit.
  options.max_header_bytes = config.auth.max_token_bytes + 8192;
  options.request_timeout = std::chrono::milliseconds(config.limits.request_timeout_ms);
  options.idle_timeout = std::chrono::milliseconds(config.limits.idle_timeout_ms);
  options.trusted_proxies = config.limits.trusted_proxies;
  options.max_connections = config.limits.max_connections;
  options.max_connections_per_address = config.limits.max_connections_per_address;
  if (config.tls.enabled()) options.tls = http::TlsFiles{config.tls.cert_file, config.tls.key_file};
  if (!config.web_vault_origin.empty()) options.cors = http::CorsOptions{config.web_vault_origin};
  return options;
}

}  // namespace

struct ConnectorService::Parts {
  Deployment deployment;
  std::unique_ptr<auth::TokenVerifier> verifier;
  std::unique_ptr<LastAccessBatcher> last_access;
  std::unique_ptr<UserKeyService> service;
  std::unique_ptr<telemetry::BackgroundSample> stored_keys;  // read by a gauge of `host`, so outlives it
  std::unique_ptr<service::ServiceHost> host;
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

std::uint16_t ConnectorService::port() const { return parts_->host->port(); }

void ConnectorService::Stop(std::chrono::milliseconds drain) {
  if (parts_ == nullptr || parts_->host == nullptr) return;
  parts_->host->Stop(drain);
  parts_->host.reset();
  if (parts_->last_access != nullptr) {
    const Status flushed = parts_->last_access->Flush();
    if (!flushed.ok()) telemetry::LogWarning("last access times not saved: " + flushed.message());
  }
  telemetry::LogInfo("key connector stopped");
}

Result<std::unique_ptr<ConnectorService>> ConnectorService::Start(const ConnectorConfig& config,
                                                                  ConnectorServiceOptions options) {
  KW_RETURN_IF_ERROR(telemetry::InitLogging(config::LogFormatName(config.log.format),
                                            config::LogLevelName(config.log.level), config.log.audit));
  auto parts = std::make_unique<Parts>();

  KW_ASSIGN_OR_RETURN(parts->deployment, OpenDeployment(config));
  // What `connector check` reports as warnings, said once in the log of a service that starts anyway.
  for (const std::string& warning : parts->deployment.provider->Warnings()) {
    telemetry::LogWarning("RSA key provider: " + warning);
  }

  auth::TokenVerifierOptions verifier_options;
  verifier_options.jwks_refresh_min_interval = std::chrono::seconds(config.auth.jwks_refresh_seconds);
  verifier_options.jwks_refresh_interval = std::chrono::seconds(config.auth.jwks_refresh_interval_seconds);
  verifier_options.max_token_bytes = config.auth.max_token_bytes;
  std::optional<std::string> audience;
  if (!config.auth.audience.empty()) audience = config.auth.audience;
  const auto clock_skew = std::chrono::seconds(config.auth.clock_skew_seconds);
  const auto max_lifetime = std::chrono::seconds(config.auth.max_token_lifetime_seconds);
  auth::JwksFetcher fetch_jwks;
  if (options.local_issuer) {
    verifier_options.policy = KeyConnectorClaimPolicy(options.local_issuer->issuer, audience, clock_skew, max_lifetime);
    fetch_jwks = options.local_issuer->jwks;
  } else {
    KW_ASSIGN_OR_RETURN(jose::OidcDiscovery discovery, FetchDiscovery(config));
    verifier_options.policy = KeyConnectorClaimPolicy(discovery.issuer, audience, clock_skew, max_lifetime);
    fetch_jwks = [jwks_uri = discovery.jwks_uri, client = IdentityClientOptions(config)]() {
      return http::HttpGet(jwks_uri, client);
    };
  }
  parts->verifier = std::make_unique<auth::TokenVerifier>(std::move(verifier_options), std::move(fetch_jwks));
  // The one fetch on this thread, before the service listens: requests never wait for one.
  const Status keys = parts->verifier->Refresh(options.clock->Now());
  if (!keys.ok()) telemetry::LogWarning("identity server keys not loaded yet (will retry in the background)");

  parts->last_access = std::make_unique<LastAccessBatcher>(*parts->deployment.store,
                                                           std::chrono::seconds(config.last_access_flush_seconds));
  parts->service = std::make_unique<UserKeyService>(*parts->deployment.store, *parts->deployment.keyring,
                                                    parts->last_access.get(), *options.clock);

  custody::RsaKeyProvider* provider = parts->deployment.provider.get();
  store::KeyStore* store = parts->deployment.store.get();
  const custody::DataKeyring* keyring = parts->deployment.keyring.get();
  service::ServiceHostOptions host;
  host.name = "key connector";
  host.server = ServerOptions(config);
  host.metrics_token = config.metrics.token;
  host.health = {
      {"key provider", [provider] { return provider->Check(); }},
      {"database", [store] { return store->Ping(); }},
      // A version this instance cannot open (rows under it answer 503), or one deleted from the
      // database (served from memory now, but a restart would refuse).
      {"data key",
       [keyring] {
         KW_RETURN_IF_ERROR(keyring->Check());
         return keyring->CheckStore();
       }},
  };
  KW_ASSIGN_OR_RETURN(parts->host, service::ServiceHost::Create(std::move(host)));

  // Metrics beyond the host's requests and latency: keys stored, token failures by reason.
  telemetry::MetricsRegistry& metrics = parts->host->metrics();
  KW_ASSIGN_OR_RETURN(telemetry::Counter * token_failures,
                      metrics.AddCounter("keywarden_token_verification_failures_total",
                                         "Bearer tokens refused, by reason", {"reason"}));
  // A count is a table scan: taken in the background, never on a scrape (-1 while it fails).
  parts->stored_keys = std::make_unique<telemetry::BackgroundSample>(
      [store]() -> std::optional<double> {
        auto count = store->CountUserKeys();
        if (!count.ok()) return std::nullopt;
        return static_cast<double>(*count);
      },
      std::chrono::seconds(config.metrics.sample_seconds));
  KW_RETURN_IF_ERROR(metrics.AddGauge("keywarden_user_keys_stored",
                                      "User keys in the database (counted every metrics.sample_seconds)",
                                      [sample = parts->stored_keys.get()] { return sample->value(); }));

  http::Router& router = parts->host->router();
  AddUserKeyRoutes(
      router, UserKeyApi{*parts->service, *parts->verifier, token_failures,
                         /*reads_block=*/config.database.provider != config::DatabaseProvider::kSqlite, options.clock});
  if (options.extra_routes) options.extra_routes(router);

  KW_RETURN_IF_ERROR(parts->host->Start());
  // `serve` creates a missing SQLite file, as the reference does on its first start (and as the
  // documented installs expect: `init` makes the RSA key only). But a file that vanished looks
  // the same, and its keys are then gone: say so where the operator will look
  // (once started: a start that fails says one line, its reason).
  if (parts->deployment.store->created() && !options.local_issuer) {  // --dev's is new by design
    telemetry::LogWarning("created a new, empty database at " + config.database.sqlite_path +
                          ": if this connector has stored keys before, its database is missing; stop it and "
                          "restore the file from a backup");
  }
  telemetry::LogInfo("key connector listening on " + config::FormatListen({config.listen.host, parts->host->port()}) +
                     " (data key version " + std::to_string(parts->deployment.keyring->current_version()) +
                     ", RSA key " + parts->deployment.provider->PublicKeyFingerprint().substr(0, 16) + "...)");
  return std::unique_ptr<ConnectorService>(new ConnectorService(std::move(parts)));
}

}  // namespace keywarden::connector
