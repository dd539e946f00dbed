// `keywarden server health`: asks a running server whether it is healthy.
//
// health [--url URL] [--config FILE]
//   GETs the server's /health, for container health checks and monitoring. Without --url:
//   http://127.0.0.1:PORT/health with the configured port (the configured address when it names
//   one host rather than all of them); a server serving TLS itself needs --url with a name its
//   certificate covers. Exit 0 and {"url", "status"} when the server answers 200; else 1 (2 for
//   a configuration or usage problem) with one line on stderr.
#ifndef KEYWARDEN_CLI_SERVER_HEALTH_H_
#define KEYWARDEN_CLI_SERVER_HEALTH_H_

#include "cli/app.h"

namespace CLI {
class App;
}  // namespace CLI

namespace keywarden::cli {

void AddServerHealthVerb(CLI::App& server, SelectedVerb& selected);

}  // namespace keywarden::cli

#endif  // KEYWARDEN_CLI_SERVER_HEALTH_H_
