#include "cli/connector/health.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "cli/common/output.h"
#include "cli/connector/load_config.h"
#include "http/http_client.h"
#include "net/url.h"

namespace keywarden::cli {
namespace {

struct HealthOptions {
  std::string url;
  std::string config_file;
};

// Where this machine reaches the configured listener: loopback for a wildcard address.
Result<std::string> DefaultUrl(const std::string& config_file) {
  KW_ASSIGN_OR_RETURN(connector::ConnectorConfig config, LoadCliConnectorConfig(config_file));
  if (config.tls.enabled()) {
    return InvalidArgumentError(
        "the connector serves TLS: give --url https://NAME:PORT/health with a name its certificate covers");
  }
  std::string host = config.listen.host;
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(config.listen.port) + "/health";
}

Status Health(const HealthOptions& options, JsonOutput& out) {
  std::string url = options.url;
  if (url.empty()) {
    KW_ASSIGN_OR_RETURN(url, DefaultUrl(options.config_file));
  }
  if (!IsValidUtf8(url)) return InvalidArgumentError("--url is not valid UTF-8");
  if (auto parsed = net::ParseHttpUrl(url); !parsed.ok()) {
    return InvalidArgumentError("--url: " + parsed.status().message());
  }
  http::HttpClientOptions client;
  client.timeout = std::chrono::seconds(3);  // inside a container health check's usual 5 s
  client.max_body_bytes = 64 * 1024;
  client.allow_plain_http = true;  // our own listener, which speaks plain http behind a proxy
  KW_ASSIGN_OR_RETURN(std::string body, http::HttpGet(url, client));
  const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  out.Add("url", url);
  out.Add("status", json.is_object() && json.contains("status") && json["status"].is_string()
                        ? json["status"].get<std::string>()
                        : "Healthy");
  return OkStatus();
}

}  // namespace

void AddHealthVerb(CLI::App& connector, SelectedVerb& selected) {
  CLI::App* sub = connector.add_subcommand("health", "Ask a running connector for /health (exit 0 when healthy)");
  auto options = std::make_shared<HealthOptions>();
  sub->add_option("--url", options->url, "the /health URL (default: this machine, the configured port)")
      ->type_name("URL");
  sub->add_option("--config", options->config_file, "TOML configuration file (default: $KEYWARDEN_CONFIG)")
      ->type_name("FILE");
  sub->callback([options, &selected] {
    selected.name = "connector health";
    selected.run = [options](JsonOutput& out) { return Health(*options, out); };
  });
}

}  // namespace keywarden::cli
