#include "cli/connector/health.h"

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "cli/common/health_probe.h"
#include "cli/common/output.h"
#include "cli/connector/load_config.h"

namespace keywarden::cli {
namespace {

struct HealthOptions {
  std::string url;
  std::string config_file;
};

Status Health(const HealthOptions& options, JsonOutput& out) {
  std::string url = options.url;
  if (url.empty()) {
    KW_ASSIGN_OR_RETURN(connector::ConnectorConfig config, LoadCliConnectorConfig(options.config_file));
    KW_ASSIGN_OR_RETURN(url, LocalHealthUrl(config.listen, config.tls.enabled(), "the connector"));
  }
  return ProbeHealth(url, out);
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
