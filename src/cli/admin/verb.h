// How an admin verb is declared and run: every verb takes --server, --session-file and --json
// (and --password-file when it needs keys), runs after parsing, and prints a Report on success
// or exactly one line on stderr on failure:
//   keywarden: admin <group> <verb>: <message>
// Exit status: 0 success; 2 bad usage or input (kInvalidArgument, kOutOfRange, kUnsupported);
// 1 any other failure (the server refused, not found, wrong password, server unreachable).
#ifndef KEYWARDEN_CLI_ADMIN_VERB_H_
#define KEYWARDEN_CLI_ADMIN_VERB_H_

#include <functional>
#include <memory>
#include <string>

#include "cli/admin/report.h"
#include "cli/app.h"
#include "keywarden/status.h"

namespace CLI {
class App;
}  // namespace CLI

namespace keywarden::cli::admin {

struct CommonOptions {
  std::string server;
  std::string session_file;  // the default path (session.h) once the verb runs
  std::string password_file;
  bool json = false;
};

using VerbFunction = std::function<Result<Report>(const CommonOptions&)>;

enum class NeedsPassword { kNo, kYes };

class VerbAdder {
 public:
  explicit VerbAdder(SelectedVerb& selected) : selected_(selected) {}

  // `name` under `group` ("admin member"), with the common options; `run` reads the verb's own
  // options, which the caller binds on the returned App to state `run` shares.
  CLI::App* Add(CLI::App& group, const std::string& name, const std::string& description, VerbFunction run,
                NeedsPassword password = NeedsPassword::kNo);

 private:
  SelectedVerb& selected_;
};

// Runs one verb as described above; returns the exit status.
int RunAdminVerb(const std::string& name, CommonOptions options, const VerbFunction& run);

}  // namespace keywarden::cli::admin

#endif  // KEYWARDEN_CLI_ADMIN_VERB_H_
