#include "cli/app.h"

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "cli/admin/admin_command.h"
#include "cli/common/output.h"
#include "cli/connector/connector_command.h"
#include "cli/crypto/crypto_command.h"
#include "cli/server/server_command.h"

namespace keywarden::cli {
namespace {

constexpr int kStdout = 1;
constexpr int kStderr = 2;

// CLI11 echoes unexpected arguments, and a misplaced one may be a secret. Flags are named up
// to any "=", other words only counted.
std::string ExtrasMessage(const CLI::App& app) {
  std::string flags;
  std::size_t words = 0;
  for (const std::string& arg : app.remaining(true)) {
    if (arg.size() > 1 && arg.front() == '-') {
      flags += (flags.empty() ? "" : " ") + arg.substr(0, arg.find('='));
    } else {
      ++words;
    }
  }
  std::string message = "unexpected arguments";
  if (!flags.empty()) message += ": " + flags;
  if (words > 0) message += (flags.empty() ? ": " : " and ") + std::to_string(words) + " unexpected value(s)";
  return message;
}

// When parsing stopped above a leaf (`keywarden crypto`, `keywarden crypto frobnicate`): what
// to say instead of CLI11's "A subcommand is required". Empty when a verb was reached.
std::string MissingCommandMessage(const CLI::App& app) {
  const CLI::App* level = &app;
  std::string path = "keywarden";
  while (!level->get_subcommands().empty()) {
    level = level->get_subcommands().front();
    path += " " + level->get_name();
  }
  const bool is_leaf = level->get_subcommands([](const CLI::App*) { return true; }).empty();
  if (is_leaf) return {};  // its extras are stray values, not commands
  const auto rest = level->remaining();
  const std::string see = " (see " + path + " --help)";
  if (rest.empty()) return "a command is required" + see;
  const std::string& word = rest.front();
  if (!word.empty() && word.front() == '-') return "unexpected argument " + word.substr(0, word.find('=')) + see;
  if (word.empty() || word.size() > 40) return "a command is required" + see;
  return "unknown command '" + word + "'" + see;
}

std::string UsageMessage(const CLI::App& app, const CLI::ParseError& error) {
  if (std::string message = MissingCommandMessage(app); !message.empty()) return message;
  if (dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr) return ExtrasMessage(app);
  return error.what();
}

int RunVerb(const SelectedVerb& verb) {
  if (verb.run_process) return verb.run_process();
  if (!verb.run) {
    PrintUsageLine(kStderr, "no verb given (see keywarden --help)");
    return kExitUsage;
  }
  JsonOutput out;
  Status status = verb.run(out);
  if (status.ok()) status = out.Print(kStdout);
  if (!status.ok()) {
    PrintErrorLine(kStderr, verb.name, status);
    return ExitCodeFor(status.code());
  }
  return kExitOk;
}

int RunOrThrow(int argc, char** argv) {
  CLI::App app{"keywarden: Bitwarden-compatible key management", "keywarden"};
  app.require_subcommand(1);
  SelectedVerb selected;
  // Each top-level subcommand registers itself here.
  AddCryptoCommand(app, selected);
  AddConnectorCommand(app, selected);
  AddServerCommand(app, selected);
  AddAdminCommand(app, selected);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help, std::cout, std::cerr);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help, std::cout, std::cerr);
  } catch (const CLI::ParseError& error) {
    PrintUsageLine(kStderr, UsageMessage(app, error));
    return kExitUsage;
  }
  return RunVerb(selected);
}

}  // namespace

int ExitCodeFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return kExitOk;
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kUnsupported:
    case ErrorCode::kOutOfRange: return kExitUsage;
    case ErrorCode::kAuthenticationFailed:
    case ErrorCode::kWrongKey:
    case ErrorCode::kInternal:
    case ErrorCode::kNotFound:
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kUnavailable:
    case ErrorCode::kConflict: return kExitFailure;
  }
  return kExitFailure;
}

int Run(int argc, char** argv) {
  // Nothing escapes: an exception here is a bug or resource exhaustion, reported in one line
  // without its message (which could quote input).
  try {
    return RunOrThrow(argc, argv);
  } catch (const CLI::Error&) {
    PrintUsageLine(kStderr, "invalid command line");
    return kExitUsage;
  } catch (const std::bad_alloc&) {
    PrintErrorLine(kStderr, "error", InternalError("out of memory"));
  } catch (...) {
    PrintErrorLine(kStderr, "error", InternalError("unexpected failure"));
  }
  return kExitFailure;
}

}  // namespace keywarden::cli
