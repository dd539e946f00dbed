#include "server/server_service.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "auth/token_verifier.h"
#include "custody/open_signing_key.h"
#include "http/concurrency_limit.h"
#include "mail/mail_queue.h"
#include "mail/smtp_sender.h"
#include "server/accounts/account_routes.h"
#include "server/accounts/device_routes.h"
#include "server/accounts/key_connector_routes.h"
#include "server/accounts/registration.h"
#include "server/accounts/secret_verification.h"
#include "server/accounts/set_password_routes.h"
#include "server/api/api_context.h"
#include "server/auth_requests/auth_request_routes.h"
#include "server/auth_requests/organization_auth_request_routes.h"
#include "server/collections/collection_routes.h"
#include "server/collections/group_routes.h"
#include "server/devices/device_trust_routes.h"
#include "server/events/collect_route.h"
#include "server/events/event_routes.h"
#include "server/identity/device_types.h"
#include "server/identity/hashing_gate.h"
#include "server/identity/issuer.h"
#include "server/identity/login_throttle.h"
#include "server/identity/password_hasher.h"
#include "server/identity/token_endpoint.h"
#include "server/key_management/key_rotation_routes.h"
#include "server/mail/templates.h"
#include "server/notifications/hub_routes.h"
#include "server/notifications/push_feed.h"
#include "server/organizations/organization_routes.h"
#include "server/sso/sso_config_routes.h"
#include "server/sso/sso_link_routes.h"
#include "server/sso/sso_login_routes.h"
#include "server/store/expired_rows.h"
#include "server/store/server_database.h"
#include "server/store/users.h"
#include "server/two_factor/two_factor_login.h"
#include "server/two_factor/two_factor_routes.h"
#include "server/vault/vault_routes.h"
#include "server/web_vault/static_files.h"
#include "service/malloc_arenas.h"
#include "service/service_host.h"
#include "sql/postgres/postgres_options.h"
#include "telemetry/background_sample.h"
#include "telemetry/log.h"

namespace keywarden::server {
namespace {

constexpr std::chrono::seconds kHousekeepingInterval{60};
// Freed memory goes back to the system this often (service/malloc_arenas.h).
constexpr std::chrono::seconds kMemoryReturnInterval{10};

http::HttpServerOptions ServerOptions(const ServerConfig& config) {
  http::HttpServerOptions options;
  options.address = config.listen.host;
  options.port = config.listen.port;
  options.threads = config.limits.threads;
  // Vault bodies (a cipher with attachments' metadata, a bulk move) are larger than the
  // connector's; the configured limit still applies when it is larger.
  options.max_body_bytes = std::max<std::size_t>(config.limits.max_body_bytes, 1u << 20);
  options.max_header_bytes = 32 * 1024;
  options.request_timeout = std::chrono::milliseconds(config.limits.request_timeout_ms);
  options.idle_timeout = std::chrono::milliseconds(config.limits.idle_timeout_ms);
  options.max_connections = config.limits.max_connections;
  options.max_connections_per_address = config.limits.max_connections_per_address;
  options.trusted_proxies = config.limits.trusted_proxies;
  if (config.tls.enabled()) options.tls = http::TlsFiles{config.tls.cert_file, config.tls.key_file};
  return options;
}

custody::SigningKeySettings SigningKeySettingsOf(const custody::RsaKeySettings& key) {
  custody::SigningKeySettings settings;
  settings.provider = key.provider;
  settings.key_file = key.key_file;
  if (key.key_password) settings.key_password = key.key_password->Clone();
  settings.key_password_file = key.key_password_file;
  settings.pkcs11.provider_name = key.pkcs11.provider_name;
  settings.pkcs11.library = key.pkcs11.library;
  settings.pkcs11.token_serial = key.pkcs11.token_serial;
  settings.pkcs11.token_label = key.pkcs11.token_label;
  settings.pkcs11.user_type = key.pkcs11.user_type;
  if (key.pkcs11.pin) settings.pkcs11.pin = key.pkcs11.pin->Clone();
  settings.pkcs11.pin_setting = key.pkcs11.pin_setting;
  settings.pkcs11.pin_file = key.pkcs11.pin_file;
  settings.pkcs11.key_label = key.pkcs11.key_label;
  settings.pkcs11.key_id = key.pkcs11.key_id;
  settings.pkcs11.sessions = key.pkcs11.sessions;
  return settings;
}

// Renews the signing key's record and drops expired sessions, once a minute, and returns freed
// memory to the system every few seconds, until stopped.
class Housekeeper {
 public:
  Housekeeper(Issuer& issuer, sql::Database& database, const Clock& clock, TimeMs failure_window_ms)
      : thread_([this, &issuer, &database, &clock, failure_window_ms] {
          std::unique_lock lock(mu_);
          auto next_housekeeping = std::chrono::steady_clock::now() + kHousekeepingInterval;
          while (!cv_.wait_for(lock, kMemoryReturnInterval, [this] { return stopping_; })) {
            lock.unlock();
            service::ReturnFreeMemoryToSystem();
            if (std::chrono::steady_clock::now() < next_housekeeping) {
              lock.lock();
              continue;
            }
            next_housekeeping = std::chrono::steady_clock::now() + kHousekeepingInterval;
            const TimePoint now = clock.Now();
            if (Status renewed = issuer.Renew(now); !renewed.ok()) {
              telemetry::LogWarning("signing key record not renewed: " + renewed.message());
            }
            const TimeMs now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
            const Status swept = database.Transact([now_ms, failure_window_ms](sql::Session& session) {
              return store::DeleteExpiredRows(session, now_ms, failure_window_ms);
            });
            if (!swept.ok()) telemetry::LogWarning("expired rows not deleted: " + swept.message());
            lock.lock();
          }
        }) {}
  ~Housekeeper() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace

struct ServerService::Parts {
  std::unique_ptr<sql::Database> database;
  std::unique_ptr<events::EventLog> events;            // after the database: its destructor writes what is queued
  std::unique_ptr<::keywarden::mail::MailQueue> mail;  // null without [mail]
  std::unique_ptr<Issuer> issuer;
  std::unique_ptr<auth::TokenVerifier> verifier;
  std::unique_ptr<identity::PasswordHasher> hasher;
  std::unique_ptr<identity::HashingGate> gate;
  std::unique_ptr<LoginThrottle> throttle;
  std::unique_ptr<TwoFactorLogin> two_factor;
  std::unique_ptr<sso::SsoLoginStore> sso_logins;
  std::unique_ptr<sso::IdentityProviders> identity_providers;
  std::unique_ptr<sso::SsoLoginContext> sso_login;
  std::unique_ptr<sso::SsoLinkContext> sso_link;
  std::unique_ptr<TokenEndpoint> token_endpoint;
  std::unique_ptr<api::ApiContext> api;
  std::unique_ptr<RegistrationContext> registration;
  std::unique_ptr<AccountRoutesContext> accounts;
  std::unique_ptr<TwoFactorRoutesContext> two_factor_routes;
  std::unique_ptr<OrganizationRoutesContext> organizations;
  std::unique_ptr<Housekeeper> housekeeper;
  std::unique_ptr<notifications::NotificationHub> hub;  // before the host, whose WebSockets use it
  std::unique_ptr<notifications::PushFeed> push_feed;   // after the hub, which it delivers to
  std::unique_ptr<telemetry::BackgroundSample> accounts_sample;
  std::unique_ptr<service::ServiceHost> host;
};

ServerService::ServerService(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
ServerService::~ServerService() { Stop(std::chrono::milliseconds(0)); }

std::uint16_t ServerService::port() const { return parts_->host->port(); }
events::EventLog& ServerService::events() { return *parts_->events; }
notifications::NotificationHub& ServerService::notification_hub() { return *parts_->hub; }

void ServerService::Stop(std::chrono::milliseconds drain) {
  if (parts_ == nullptr || parts_->host == nullptr) return;
  parts_->host->Stop(drain);
  parts_->host.reset();
  parts_->push_feed.reset();
  parts_->housekeeper.reset();
  parts_->events->Flush();
  // What the last requests queued (a code, a notice) still goes out, within the drain.
  if (parts_->mail != nullptr && !parts_->mail->Flush(drain)) {
    telemetry::LogWarning("mail still queued at shutdown was not sent");
  }
  telemetry::LogInfo("keywarden server stopped");
}

Result<std::unique_ptr<ServerService>> ServerService::Start(const ServerConfig& config, ServerServiceOptions options) {
  KW_RETURN_IF_ERROR(telemetry::InitLogging(config::LogFormatName(config.log.format),
                                            config::LogLevelName(config.log.level), config.log.audit));
  const Clock& clock = *options.clock;
  auto parts = std::make_unique<Parts>();
  {
    auto database = OpenServerDatabase(config.database);
    if (!database.ok()) return database.status().WithContext("database");
    parts->database = *std::move(database);
  }
  sql::Database& database = *parts->database;
  parts->events = std::make_unique<events::EventLog>(database);

  auto key = custody::OpenSigningKey(SigningKeySettingsOf(config.signing_key));
  if (!key.ok()) return key.status().WithContext("signing key");
  const std::string issuer_url = config.public_url + "/identity";
  const auto lifetime = std::chrono::seconds(config.tokens.access_token_seconds);
  KW_ASSIGN_OR_RETURN(parts->issuer, Issuer::Create(std::shared_ptr<const jose::SigningKey>(*std::move(key)),
                                                    issuer_url, lifetime, database, clock.Now()));
  Issuer& issuer = *parts->issuer;

  auth::TokenVerifierOptions verifier_options;
  verifier_options.policy.issuer = issuer_url;
  verifier_options.policy.clock_skew = std::chrono::seconds(60);
  verifier_options.policy.max_lifetime = lifetime + std::chrono::seconds(60);
  verifier_options.policy.required_scopes = {"api"};
  verifier_options.jwks_refresh_min_interval = std::chrono::seconds(5);
  parts->verifier = std::make_unique<auth::TokenVerifier>(std::move(verifier_options),
                                                          [&issuer, &clock] { return issuer.Jwks(clock.Now()); });
  KW_RETURN_IF_ERROR(parts->verifier->Refresh(clock.Now()));

  identity::PasswordHashParams hash_params;
  hash_params.memory_kib = config.password_hash.memory_kib;
  hash_params.iterations = config.password_hash.iterations;
  hash_params.parallelism = config.password_hash.parallelism;
  KW_RETURN_IF_ERROR(hash_params.Check());
  parts->hasher = std::make_unique<identity::PasswordHasher>(hash_params);
  parts->gate = std::make_unique<identity::HashingGate>(
      config.password_hash.concurrency == 0 ? identity::HashingGate::DefaultLimit() : config.password_hash.concurrency);
  LoginThrottlePolicy throttle;
  throttle.max_failures_per_account = config.login.max_failures_per_account;
  throttle.max_failures_per_address = config.login.max_failures_per_address;
  throttle.window = std::chrono::seconds(config.login.window_seconds);
  throttle.block = std::chrono::seconds(config.login.block_seconds);
  parts->throttle = std::make_unique<LoginThrottle>(database, throttle);
  if (config.mail.enabled()) {
    auto sender = ::keywarden::mail::OpenSmtpSender(config.mail);
    if (!sender.ok()) return sender.status().WithContext("mail");
    parts->mail = std::make_unique<::keywarden::mail::MailQueue>(*std::move(sender));
  }
  ::keywarden::mail::MailQueue* mail = parts->mail.get();
  // Each sends through the queue, so no request waits on SMTP; empty without mail.
  TwoFactorLogin::SendCode send_login_code;
  std::function<Status(const std::string&, const std::string&, const std::string&)> send_verification;
  std::function<Status(const std::string&, const std::string&)> send_email_change;
  std::function<Status(const std::string&, const std::string&)> send_verification_code;
  TokenEndpointOptions token_options;
  if (mail != nullptr) {
    send_login_code = [mail](const store::User& user, const std::string& code) {
      return mail->Enqueue(mail::TwoStepLoginCodeMessage(user.email, code, 10));
    };
    send_verification = [mail, url = config.public_url](const std::string& email, const std::string&,
                                                        const std::string& token) {
      return mail->Enqueue(mail::VerifyEmailMessage(
          email, url + "/#/finish-signup?token=" + token + "&email=" + email + "&fromEmail=true"));
    };
    send_email_change = [mail](const std::string& email, const std::string& code) {
      return mail->Enqueue(mail::EmailChangeCodeMessage(email, code, 15));
    };
    send_verification_code = [mail](const std::string& email, const std::string& code) {
      return mail->Enqueue(mail::VerificationCodeMessage(email, code, kVerificationCodeMinutes));
    };
    token_options.on_new_device = [mail, &clock](const store::User& user, const store::Device& device,
                                                 std::string_view address) {
      const Status queued = mail->Enqueue(mail::NewDeviceLoginMessage(
          user.email, mail::NewDeviceLogin{std::string(DeviceTypeName(device.type)), device.name, clock.Now(),
                                           std::string(address)}));
      if (!queued.ok()) telemetry::LogWarning("new-device notice not queued: " + queued.message());
    };
  }
  parts->two_factor = std::make_unique<TwoFactorLogin>(database, send_login_code);

  token_options.events = parts->events.get();
  parts->sso_logins = std::make_unique<sso::SsoLoginStore>();
  token_options.sso_logins = parts->sso_logins.get();
  token_options.refresh_token_lifetime = std::chrono::days(config.tokens.refresh_token_days);
  token_options.refresh_reuse_grace = std::chrono::seconds(config.tokens.refresh_reuse_grace_seconds);
  parts->token_endpoint = std::make_unique<TokenEndpoint>(database, issuer, *parts->hasher, *parts->gate,
                                                          *parts->throttle, *parts->two_factor, clock, token_options);

  parts->api = std::make_unique<api::ApiContext>(api::ApiContext{database, *parts->verifier, clock, *parts->events});
  // The blocking pool's threads are shared by every route; these keep the expensive ones from
  // taking all of them (http/concurrency_limit.h). Password checks: twice the hashes that may run
  // at once, so that one login's commit and token signing overlap the next one's hash. Whole-vault
  // reads: one per core, as each renders on a core and holds the vault in memory meanwhile.
  auto hashing_limit = std::make_shared<http::ConcurrencyLimit>(2 * parts->gate->limit(), token_options.hashing_wait);
  auto whole_vault_limit = std::make_shared<http::ConcurrencyLimit>(
      std::max(1U, std::thread::hardware_concurrency()), std::chrono::milliseconds(config.limits.request_timeout_ms));
  parts->registration = std::make_unique<RegistrationContext>(
      RegistrationContext{*parts->api, *parts->hasher, *parts->gate,
                          RegistrationOptions{config.accounts, send_verification, hashing_limit}});
  parts->accounts = std::make_unique<AccountRoutesContext>(AccountRoutesContext{
      *parts->api, *parts->hasher, *parts->gate, config.public_url,
      config.accounts.signups == ServerConfig::Accounts::Signups::kClosed, send_email_change, send_verification_code});
  parts->two_factor_routes = std::make_unique<TwoFactorRoutesContext>(
      TwoFactorRoutesContext{*parts->accounts, *parts->two_factor, "Keywarden"});

  std::function<Status(const ::keywarden::mail::Message&)> send_mail;
  if (mail != nullptr) {
    send_mail = [mail](const ::keywarden::mail::Message& message) { return mail->Enqueue(message); };
  }
  parts->organizations = std::make_unique<OrganizationRoutesContext>(
      OrganizationRoutesContext{*parts->accounts, config.organizations, send_mail});
  parts->identity_providers = std::make_unique<sso::IdentityProviders>(sso::IdentityProviderOptions{});
  parts->sso_login = std::make_unique<sso::SsoLoginContext>(
      sso::SsoLoginContext{*parts->api, *parts->sso_logins, *parts->identity_providers, config.public_url});
  parts->sso_link = std::make_unique<sso::SsoLinkContext>(sso::SsoLinkContext{*parts->api, *parts->sso_logins});

  service::ServiceHostOptions host;
  host.name = "keywarden server";
  host.server = ServerOptions(config);
  host.metrics_token = config.metrics.token;
  host.health = {{"database", [&database] {
                    KW_RETURN_IF_ERROR(database.Health());
                    return database.Read([](sql::Session& session) { return store::CountUsers(session).status(); });
                  }}};
  KW_ASSIGN_OR_RETURN(parts->host, service::ServiceHost::Create(std::move(host)));
  parts->accounts_sample = std::make_unique<telemetry::BackgroundSample>(
      [&database]() -> std::optional<double> {
        std::int64_t count = 0;
        const Status read = database.Read([&](sql::Session& session) -> Status {
          KW_ASSIGN_OR_RETURN(count, store::CountUsers(session));
          return OkStatus();
        });
        if (!read.ok()) return std::nullopt;
        return static_cast<double>(count);
      },
      std::chrono::seconds(config.metrics.sample_seconds));
  KW_RETURN_IF_ERROR(parts->host->metrics().AddGauge(
      "keywarden_accounts", "Accounts in the database (counted every metrics.sample_seconds)",
      [sample = parts->accounts_sample.get()] { return sample->value(); }));
  if (SqliteWriteCounts(database).has_value()) {
    KW_RETURN_IF_ERROR(parts->host->metrics().AddGauge(
        "keywarden_database_write_transactions", "SQLite write transactions since start (each write request's)",
        [&database] { return static_cast<double>(SqliteWriteCounts(database)->transactions); }));
    KW_RETURN_IF_ERROR(parts->host->metrics().AddGauge(
        "keywarden_database_commits", "SQLite commits since start: concurrent write transactions share one (one fsync)",
        [&database] { return static_cast<double>(SqliteWriteCounts(database)->commits); }));
  }

  auto sync_statements = std::make_shared<std::atomic<std::uint64_t>>(0);
  KW_RETURN_IF_ERROR(parts->host->metrics().AddGauge(
      "keywarden_sync_statements",
      "Statements the last sync read after authenticating its caller: a fixed number whatever the vault holds",
      [sync_statements] { return static_cast<double>(sync_statements->load(std::memory_order_relaxed)); }));

  http::Router& router = parts->host->router();
  router.Add("GET", "/identity/.well-known/openid-configuration", [&issuer](const http::HttpRequest&) {
    http::HttpResponse response;
    response.content_type = std::string(http::kJsonContentType);
    response.body = issuer.DiscoveryJson();
    return response;
  });
  router.Add(
      "GET", "/identity/.well-known/openid-configuration/jwks",
      [&issuer, &clock](const http::HttpRequest&) {
        auto jwks = issuer.Jwks(clock.Now());
        if (!jwks.ok()) return http::JsonError(503, "service unavailable, try again shortly");
        http::HttpResponse response;
        response.content_type = std::string(http::kJsonContentType);
        response.body = *std::move(jwks);
        return response;
      },
      http::Execution::kBlocking);
  TokenEndpoint* token_endpoint = parts->token_endpoint.get();
  router
      .Add(
          "POST", "/identity/connect/token",
          [token_endpoint](const http::HttpRequest& request) { return token_endpoint->Handle(request); },
          http::Execution::kBlocking)
      .Limit(hashing_limit, TokenEndpoint::IsPasswordGrant);
  AddRegistrationRoutes(router, *parts->registration);
  AddAccountRoutes(router, *parts->accounts);
  AddKeyConnectorRoutes(router, *parts->accounts);
  AddSetPasswordRoutes(router, *parts->accounts);
  key_management::AddKeyRotationRoutes(router, *parts->accounts);
  AddDeviceRoutes(router, *parts->api);
  devices::AddDeviceTrustRoutes(router, *parts->accounts);
  AddTwoFactorRoutes(router, *parts->two_factor_routes);
  AddVaultRoutes(router, *parts->accounts, VaultRouteOptions{whole_vault_limit, sync_statements});
  AddOrganizationRoutes(router, *parts->organizations);
  auth_requests::AddAuthRequestRoutes(router, *parts->organizations);
  auth_requests::AddOrganizationAuthRequestRoutes(router, *parts->organizations);
  sso::AddSsoConfigRoutes(router, *parts->organizations);
  sso::AddSsoLoginRoutes(router, *parts->sso_login);
  sso::AddSsoLinkRoutes(router, *parts->sso_link);
  AddEventRoutes(router, *parts->api);
  AddCollectRoute(router, *parts->api);
  parts->hub = std::make_unique<notifications::NotificationHub>(options.hub);
  notifications::AddHubRoutes(router, *parts->api, *parts->hub);
  {
    // On PostgreSQL the feed listens on a connection of its own, to the same database.
    std::optional<sql::PostgresOptions> listener;
    if (config.database.provider == config::DatabaseProvider::kPostgresql) {
      auto settings = sql::ParsePostgresConnectionString(config.database.postgresql);
      if (!settings.ok()) return InvalidArgumentError("database.postgresql: " + settings.status().message());
      listener = *std::move(settings);
    }
    auto feed = notifications::PushFeed::Start(database, std::move(listener), *parts->hub, clock, {});
    if (!feed.ok()) return feed.status();
    parts->push_feed = *std::move(feed);
  }
  collections::AddCollectionRoutes(router, *parts->api);
  collections::AddGroupRoutes(router, *parts->api);
  KW_RETURN_IF_ERROR(web_vault::AddWebVault(router, config.web_vault_dir));
  if (options.extra_routes) options.extra_routes(router);

  parts->housekeeper =
      std::make_unique<Housekeeper>(issuer, database, clock, TimeMs{1000} * config.login.window_seconds);
  KW_RETURN_IF_ERROR(parts->host->Start());
  if (CreatedByOpen(database)) telemetry::LogInfo("created a new database at " + config.database.sqlite_path);
  telemetry::LogInfo("keywarden server listening on " + config.listen.host + ":" + std::to_string(parts->host->port()) +
                     " for " + config.public_url);
  return std::unique_ptr<ServerService>(new ServerService(std::move(parts)));
}

}  // namespace keywarden::server
