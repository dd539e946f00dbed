// Asking a running service for its /health: what `connector health` and `server health` share,
// for container health checks and monitoring.
#ifndef KEYWARDEN_CLI_COMMON_HEALTH_PROBE_H_
#define KEYWARDEN_CLI_COMMON_HEALTH_PROBE_H_

#include <string>
#include <string_view>

#include "config/listen.h"
#include "keywarden/status.h"

namespace keywarden::cli {

class JsonOutput;

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
