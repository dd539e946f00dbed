#include "cli/server/server_command.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "cli/common/config_file.h"
#include "cli/common/health_probe.h"
#include "cli/common/output.h"
#include "cli/common/shutdown_signal.h"
#include "cli/server/backup.h"
#include "cli/server/load_config.h"
#include "config/listen.h"
#include "config/sources.h"
#include "custody/file/file_rsa_key_provider.h"
#include "custody/open_signing_key.h"
#include "server/config/server_config.h"
#include "server/dev/dev_environment.h"
#include "server/server_service.h"
#include "server/store/server_database.h"
#include "service/malloc_arenas.h"
#include "telemetry/log.h"

namespace keywarden::cli {
namespace {

constexpr int kStdout = 1;
constexpr int kStderr = 2;
constexpr int kExitCheckSigningKey = 3;
constexpr int kExitCheckDatabase = 4;
constexpr std::chrono::milliseconds kDrain{10'000};
constexpr std::chrono::milliseconds kLogDrain{3'000};

struct ServeOptions {
  std::string config_file;
  std::string listen;
  bool dev = false;
};

int Fail(std::string_view context, const Status& status, int code) {
  PrintErrorLine(kStderr, context, status);
  return code;
}

int Serve(const ServeOptions& options) {
  // Before the server's threads exist: one arena per core, not glibc's eight, each of which keeps
  // up to twice the largest answer it freed (service/malloc_arenas.h).
  (void)service::LimitMallocArenas(static_cast<int>(std::max(1U, std::thread::hardware_concurrency())));
  ShutdownSignal shutdown;
  std::optional<config::ListenAddress> listen;
  if (!options.listen.empty()) {
    auto parsed = config::ParseListen(options.listen);
    if (!parsed.ok()) return Fail("server serve: --listen", parsed.status(), kExitUsage);
    listen = *parsed;
  }
  std::unique_ptr<server::DevEnvironment> dev;
  std::unique_ptr<server::ServerService> service;
  if (options.dev) {
    if (!options.config_file.empty()) {
      return Fail("server serve --dev",
                  InvalidArgumentError("--dev brings its own database, key and certificate; it takes no --config"),
                  kExitUsage);
    }
    auto env = server::DevEnvironment::Create(listen.value_or(config::ListenAddress{"127.0.0.1", 0}));
    if (!env.ok()) {
      return Fail("server serve --dev", env.status(),
                  env.status().code() == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure);
    }
    dev = std::move(env).value();
    if (Status account = dev->CreateTestAccount(); !account.ok()) {
      return Fail("server serve --dev: test account", account, kExitFailure);
    }
    auto started = server::ServerService::Start(dev->config());
    if (!started.ok()) return Fail("server serve --dev", started.status(), kExitFailure);
    service = std::move(started).value();
    std::cout << dev->Banner() << std::flush;
  } else {
    auto config = server::LoadServerConfig(ConfigFilePath(options.config_file, server::kServerConfigPathVariable),
                                           config::ProcessEnvironment());
    if (!config.ok()) return Fail("server serve: configuration", config.status(), kExitUsage);
    if (listen) config->listen = *listen;
    auto started = server::ServerService::Start(*config);
    if (!started.ok()) return Fail("server serve", started.status(), kExitFailure);
    service = std::move(started).value();
  }
  shutdown.Wait();
  service->Stop(kDrain);
  telemetry::FlushLogs(kLogDrain);
  return kExitOk;
}

bool Step(JsonOutput& out, std::string_view name, const Status& status, int exit_code, int& first_failure) {
  out.Add(name, status.ok() ? "ok" : status.ToString());
  if (!status.ok() && first_failure == kExitOk) {
    first_failure = exit_code;
    PrintErrorLine(kStderr, "server check: " + std::string(name), status);
  }
  return status.ok();
}

int Check(const std::string& config_file) {
  JsonOutput out;
  int failure = kExitOk;
  auto config = server::LoadServerConfig(ConfigFilePath(config_file, server::kServerConfigPathVariable),
                                         config::ProcessEnvironment());
  if (Step(out, "configuration", config.status(), kExitUsage, failure)) {
    custody::SigningKeySettings key_settings;
    key_settings.provider = config->signing_key.provider;
    key_settings.key_file = config->signing_key.key_file;
    if (config->signing_key.key_password) key_settings.key_password = config->signing_key.key_password->Clone();
    auto key = custody::OpenSigningKey(key_settings);
    if (Step(out, "signing_key", key.status(), kExitCheckSigningKey, failure)) out.Add("signing_key_id", (*key)->kid());
    auto database = server::OpenServerDatabase(config->database);
    Step(out, "database", database.status(), kExitCheckDatabase, failure);
  }
  (void)out.Print(kStdout);
  return failure;
}

}  // namespace

void AddServerCommand(CLI::App& root, SelectedVerb& selected) {
  CLI::App* command = root.add_subcommand("server", "The Keywarden server for the official Bitwarden clients");
  command->require_subcommand(1);

  CLI::App* init = command->add_subcommand("init", "Create the token-signing key");
  auto key_file = std::make_shared<std::string>();
  init->add_option("--key-file", *key_file, "where to write the key (PEM)")->required()->type_name("PATH");
  init->callback([key_file, &selected] {
    selected.name = "server init";
    selected.run = [key_file](JsonOutput& out) -> Status {
      if (key_file->empty()) return InvalidArgumentError("--key-file: the path is empty");
      KW_ASSIGN_OR_RETURN(std::string fingerprint,
                          custody::CreateKeyFile(*key_file, custody::KeyFileFormat::kPemPkcs8, nullptr));
      out.Add("key_file", *key_file);
      out.Add("fingerprint", fingerprint);
      return OkStatus();
    };
  });

  CLI::App* serve = command->add_subcommand("serve", "Run the server until SIGTERM");
  auto options = std::make_shared<ServeOptions>();
  serve->add_option("--config", options->config_file, "TOML configuration file (default: $KEYWARDEN_CONFIG)")
      ->type_name("FILE");
  serve->add_option("--listen", options->listen, "HOST:PORT to listen on (default 127.0.0.1:8080)")
      ->type_name("HOST:PORT");
  serve->add_flag("--dev", options->dev,
                  "development mode: throwaway database, key and TLS certificate, a test account; loopback only");
  serve->callback([options, &selected] {
    selected.name = "server serve";
    selected.run_process = [options] { return Serve(*options); };
  });

  CLI::App* check = command->add_subcommand("check", "Validate the configuration and open every dependency");
  auto config_file = std::make_shared<std::string>();
  check->add_option("--config", *config_file, "TOML configuration file (default: $KEYWARDEN_CONFIG)")
      ->type_name("FILE");
  check->callback([config_file, &selected] {
    selected.name = "server check";
    selected.run_process = [config_file] { return Check(*config_file); };
  });

  AddServerBackupVerbs(*command, selected);
  AddHealthVerb(*command, selected, "server", [](const std::string& file) -> Result<std::string> {
    KW_ASSIGN_OR_RETURN(const server::ServerConfig config, LoadCliServerConfig(file));
    return LocalHealthUrl(config.listen, config.tls.enabled(), "the server");
  });

  CLI::App* settings = command->add_subcommand("settings", "List every setting");
  settings->callback([&selected] {
    selected.name = "server settings";
    selected.run_process = [] {
      std::cout << server::DescribeServerSettings();
      return kExitOk;
    };
  });
}

}  // namespace keywarden::cli
