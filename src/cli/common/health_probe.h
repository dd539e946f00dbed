// Asking a running service for its /health: `keywarden connector health` and `keywarden server
// health`, for container health checks and monitoring.
//
// health [--url URL] [--config FILE]
//   GETs the service's /health. Without --url: http://127.0.0.1:PORT/health with the configured
//   port (the configured address when it names one host rather than all of them); a service
//   serving TLS itself needs --url with a name its certificate covers. Configuration is found as
//   `serve` finds it. Exit 0 and {"url", "status"} when the service answers 200; else 1 (2 for a
//   configuration or usage problem) with one line on stderr.
#ifndef KEYWARDEN_CLI_COMMON_HEALTH_PROBE_H_
#define KEYWARDEN_CLI_COMMON_HEALTH_PROBE_H_

#include <functional>
#include <string>
#include <string_view>

#include "cli/app.h"
#include "config/listen.h"
#include "keywarden/status.h"

namespace CLI {
class App;
}  // namespace CLI

namespace keywarden::cli {

class JsonOutput;

// The local /health URL of a service, from its configuration file ("" for $KEYWARDEN_CONFIG):
// usually LocalHealthUrl of the file's listen address.
using LocalHealthUrlFromConfig = std::function<Result<std::string>(const std::string& config_file)>;

// Adds the `health` verb above under `parent`. `service` names the service in help and in the
// verb's name ("connector": "connector health").
void AddHealthVerb(CLI::App& parent, SelectedVerb& selected, const std::string& service,
                   LocalHealthUrlFromConfig local_url);

// Where this machine reaches a service listening on `listen`: http://HOST:PORT/health, with
// loopback for a wildcard address (0.0.0.0, ::, or none). kInvalidArgument when the service
// serves TLS (`tls`), whose certificate names a host only the operator knows: give --url then.
// `service` names it in that message ("the connector").
Result<std::string> LocalHealthUrl(const config::ListenAddress& listen, bool tls, std::string_view service);

// GETs `url` (at most 3 s, inside a container health check's usual 5 s) and, when it answers
// 200, adds {"url", "status"} to `out`. Any other answer, a timeout or a refused connection is an
// error (exit 1); a malformed URL is kInvalidArgument (exit 2).
Status ProbeHealth(const std::string& url, JsonOutput& out);

}  // namespace keywarden::cli

#endif  // KEYWARDEN_CLI_COMMON_HEALTH_PROBE_H_
