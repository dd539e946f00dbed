#include "cli/admin/verb.h"

#include <unistd.h>

#include <CLI/CLI.hpp>

#include "cli/admin/session.h"

namespace keywarden::cli::admin {
namespace {

constexpr int kStdout = 1;
constexpr int kStderr = 2;

void WriteAll(int fd, const std::string& text) {
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n <= 0) return;
    written += static_cast<std::size_t>(n);
  }
}

void PrintFailure(const std::string& name, const Status& status) {
  std::string line = "keywarden: " + name + ": " + status.message();
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  WriteAll(kStderr, line + "\n");
}

int ExitStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kOutOfRange:
    case ErrorCode::kUnsupported: return kExitUsage;
    default: return kExitFailure;
  }
}

}  // namespace

CLI::App* VerbAdder::Add(CLI::App& group, const std::string& name, const std::string& description, VerbFunction run,
                         NeedsPassword password) {
  CLI::App* verb = group.add_subcommand(name, description);
  auto options = std::make_shared<CommonOptions>();
  verb->add_option("--server", options->server, "the server's URL (default: the one logged in to)")->type_name("URL");
  verb->add_option("--session-file", options->session_file,
                   "the session (default: $XDG_CONFIG_HOME/keywarden/admin-session.json)")
      ->type_name("FILE");
  verb->add_flag("--json", options->json, "print one JSON object instead of a table");
  if (password == NeedsPassword::kYes) {
    verb->add_option("--password-file", options->password_file,
                     "read the master password from FILE ('-': standard input); default: prompt")
        ->type_name("FILE");
  }
  const std::string full_name = group.get_parent() != nullptr && group.get_parent()->get_parent() != nullptr
                                    ? group.get_parent()->get_name() + " " + group.get_name() + " " + name
                                    : group.get_name() + " " + name;
  SelectedVerb* selected = &selected_;  // outlives parsing; this adder need not
  verb->callback([selected, options, run, full_name] {
    selected->name = full_name;
    selected->run_process = [options, run, full_name] { return RunAdminVerb(full_name, *options, run); };
  });
  return verb;
}

int RunAdminVerb(const std::string& name, CommonOptions options, const VerbFunction& run) {
  if (options.session_file.empty()) {
    auto path = DefaultSessionPath();
    if (!path.ok()) {
      PrintFailure(name, path.status());
      return kExitUsage;
    }
    options.session_file = *path;
  }
  Result<Report> report = run(options);
  if (!report.ok()) {
    PrintFailure(name, report.status());
    return ExitStatusFor(report.status().code());
  }
  WriteAll(kStdout, RenderReport(*report, options.json));
  return kExitOk;
}

}  // namespace keywarden::cli::admin
