#include "cli/connector/serve.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/common/config_file.h"
#include "cli/common/output.h"
#include "cli/common/shutdown_signal.h"
#include "config/listen.h"
#include "connector/config/connector_config.h"
#include "connector/connector_service.h"
#include "connector/dev_mode.h"
#include "connector/store/open_key_store.h"
#include "custody/data_keyring.h"
#include "custody/open_rsa_key_provider.h"
#include "http/http_client.h"
#include "jose/jwks.h"
#include "telemetry/log.h"

namespace keywarden::cli {
namespace {

constexpr int kStdout = 1;
constexpr int kStderr = 2;
constexpr std::chrono::milliseconds kDrain{10'000};
// Lines still queued at exit get this long; a log reader that stalled must not hold the exit up.
constexpr std::chrono::milliseconds kLogDrain{3'000};

struct ServeOptions {
  std::string config_file;
  std::string listen;
  bool dev = false;
};

// Configuration and usage problems exit 2; a part that cannot start (key file, database,
// identity server, listen address) exits 1, whatever the kind of its error.
int ConfigurationFailed(std::string_view context, const Status& status) {
  PrintErrorLine(kStderr, context, status);
  return kExitUsage;
}

int StartFailed(std::string_view context, const Status& status) {
  PrintErrorLine(kStderr, context, status);
  return kExitFailure;
}

int Serve(const ServeOptions& options) {
  ShutdownSignal shutdown;
  std::optional<config::ListenAddress> listen;
  if (!options.listen.empty()) {
    auto parsed = config::ParseListen(options.listen);
    if (!parsed.ok()) return ConfigurationFailed("connector serve: --listen", parsed.status());
    listen = *parsed;
  }

  std::unique_ptr<connector::DevEnvironment> dev;
  std::unique_ptr<connector::ConnectorService> service;
  if (options.dev) {
    if (!options.config_file.empty()) {
      return ConfigurationFailed(
          "connector serve --dev",
          InvalidArgumentError("--dev brings its own key, database and issuer; it takes no --config"));
    }
    auto env = connector::DevEnvironment::Create(listen.value_or(config::ListenAddress{"127.0.0.1", 5000}));
    if (!env.ok()) {
      return env.status().code() == ErrorCode::kInvalidArgument
                 ? ConfigurationFailed("connector serve --dev", env.status())
                 : StartFailed("connector serve --dev", env.status());
    }
    dev = std::move(env).value();
    auto started = connector::ConnectorService::Start(dev->config(), dev->service_options());
    if (!started.ok()) return StartFailed("connector serve --dev", started.status());
    service = std::move(started).value();
    auto banner = dev->Banner(service->port());
    if (!banner.ok()) return StartFailed("connector serve --dev", banner.status());
    std::cout << *banner << std::flush;
  } else {
    auto config = connector::LoadConnectorConfig(ConfigFilePath(options.config_file, connector::kConfigPathVariable),
                                                 connector::ProcessEnvironment());
    if (!config.ok()) return ConfigurationFailed("connector serve: configuration", config.status());
    if (listen) config->listen = *listen;
    auto started = connector::ConnectorService::Start(*config);
    if (!started.ok()) return StartFailed("connector serve", started.status());
    service = std::move(started).value();
  }
  shutdown.Wait();
  service->Stop(kDrain);
  telemetry::FlushLogs(kLogDrain);  // the last audit lines, unless nobody reads them any more
  return kExitOk;
}

// Runs one step of `check`, recording "ok" or the error under `name`.
bool Step(JsonOutput& out, std::string_view name, const Status& status, int exit_code, int& first_failure) {
  out.Add(name, status.ok() ? "ok" : status.ToString());
  if (!status.ok() && first_failure == kExitOk) {
    first_failure = exit_code;
    PrintErrorLine(kStderr, "connector check: " + std::string(name), status);
  }
  return status.ok();
}

int Check(const std::string& config_file) {
  JsonOutput out;
  int failure = kExitOk;
  auto config = connector::LoadConnectorConfig(ConfigFilePath(config_file, connector::kConfigPathVariable),
                                               connector::ProcessEnvironment());
  if (Step(out, "configuration", config.status(), kExitUsage, failure)) {
    auto provider = custody::OpenRsaKeyProvider(config->rsa_key);
    if (Step(out, "key_provider", provider.status(), kExitCheckKeyProvider, failure)) {
      out.Add("key_fingerprint", (*provider)->PublicKeyFingerprint());
      for (const std::string& warning : (*provider)->Warnings()) out.Add("key_provider_warning", warning);
      auto store = connector::OpenKeyStore(config->database);
      Status database = store.status();
      if (store.ok()) database = custody::DataKeyring::Open(**store, **provider).status();
      Step(out, "database", database, kExitCheckDatabase, failure);
    }
    auto discovery = connector::FetchDiscovery(*config);
    Status identity = discovery.status();
    if (discovery.ok()) {
      http::HttpClientOptions client;
      client.allow_plain_http = config->auth.allow_insecure_identity_server;
      auto jwks = http::HttpGet(discovery->jwks_uri, client);
      identity = jwks.status();
      if (jwks.ok()) {
        // As the service judges a fetch: unusable keys are skipped (and named), none usable fails.
        std::vector<std::string> skipped;
        auto set = jose::ParseJwks(*jwks, &skipped);
        identity = set.status();
        if (set.ok() && set->empty()) identity = UnavailableError("the JWKS holds no usable signing key");
        std::string warning;
        for (const std::string& reason : skipped) warning += (warning.empty() ? "" : "; ") + reason;
        if (!warning.empty()) out.Add("identity_server_warning", "JWKS keys skipped: " + warning);
      }
    }
    Step(out, "identity_server", identity, kExitCheckIdentityServer, failure);
  }
  (void)out.Print(kStdout);
  return failure;
}

}  // namespace

void AddServeVerb(CLI::App& connector, SelectedVerb& selected) {
  CLI::App* sub = connector.add_subcommand("serve", "Run the Key Connector until SIGTERM");
  auto options = std::make_shared<ServeOptions>();
  sub->add_option("--config", options->config_file, "TOML configuration file (default: $KEYWARDEN_CONFIG)")
      ->type_name("FILE");
  sub->add_option("--listen", options->listen, "HOST:PORT to listen on (default 0.0.0.0:5000)")->type_name("HOST:PORT");
  sub->add_flag("--dev", options->dev,
                "development mode: fresh key and database, built-in token issuer, loopback only");
  sub->callback([options, &selected] {
    selected.name = "connector serve";
    selected.run_process = [options] { return Serve(*options); };
  });
}

void AddCheckVerb(CLI::App& connector, SelectedVerb& selected) {
  CLI::App* sub = connector.add_subcommand("check", "Validate the configuration and reach every dependency");
  auto config_file = std::make_shared<std::string>();
  sub->add_option("--config", *config_file, "TOML configuration file (default: $KEYWARDEN_CONFIG)")->type_name("FILE");
  sub->callback([config_file, &selected] {
    selected.name = "connector check";
    selected.run_process = [config_file] { return Check(*config_file); };
  });
}

}  // namespace keywarden::cli
