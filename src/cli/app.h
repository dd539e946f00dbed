// The `keywarden` command line: subcommands over libkeywarden.
//
// Each top-level subcommand lives in its own folder (crypto/, connector/) and registers its verbs on the parser.
// Parsing only records which verb was chosen; the verb runs afterwards, so its failures are reported as Status, never
// as parser errors.
#ifndef KEYWARDEN_CLI_APP_H_
#define KEYWARDEN_CLI_APP_H_

#include <functional>
#include <string>

#include "keywarden/status.h"

namespace keywarden::cli {

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure =
    1;                                // the input was well-formed but the operation failed (crypto, database, start-up)
inline constexpr int kExitUsage = 2;  // bad usage or malformed input

class JsonOutput;

// The verb a command line selected, set by the subcommand module's parse callback.
struct SelectedVerb {
  std::string name;                        // for error lines: "decrypt"
  std::function<Status(JsonOutput&)> run;  // fills the one JSON object the verb prints
  // For verbs that run as a process (a server) and decide their own output and exit code;
  // when set, `run` is not used.
  std::function<int()> run_process;
};

// Input problems (malformed, unsupported, out of range) are usage errors; the rest are
// failures of the operation itself.
int ExitCodeFor(ErrorCode code);

int Run(int argc, char** argv);

}  // namespace keywarden::cli

#endif  // KEYWARDEN_CLI_APP_H_
