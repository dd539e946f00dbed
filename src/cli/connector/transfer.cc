#include "cli/connector/transfer.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cctype>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/common/output.h"
#include "cli/common/progress.h"
#include "cli/connector/load_config.h"
#include "connector/config/connector_config.h"
#include "connector/reference/reference_import.h"
#include "connector/reference/reference_settings.h"
#include "connector/store/open_key_store.h"
#include "connector/transfer/copy_user_keys.h"
#include "connector/transfer/transfer_deployment.h"

namespace keywarden::cli {
namespace {

constexpr int kStdout = 1;
constexpr int kStderr = 2;

struct CopyFlags {
  bool skip_unreadable = false;
  bool overwrite = false;
  std::size_t batch = 500;
};

void AddCopyFlags(CLI::App& sub, CopyFlags& flags) {
  sub.add_flag("--skip-unreadable", flags.skip_unreadable,
               "skip rows that cannot be read and list them, instead of stopping at the first");
  sub.add_flag("--overwrite", flags.overwrite,
               "replace destination rows that hold a different key (default: stop at the first)");
  sub.add_option("--batch", flags.batch, "rows per transaction (default 500)")
      ->type_name("N")
      ->check(CLI::Range(1, 10000));
}

// The environment without any setting in it (KEYWARDEN_*, keyConnectorSettings__*): transfer's
// two configurations are each read from their file alone.
std::vector<std::pair<std::string, std::string>> EnvironmentWithoutSettings() {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& [name, value] : connector::ProcessEnvironment()) {
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower.starts_with("keywarden_") || lower.starts_with("keyconnectorsettings__")) continue;
    out.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

// Progress goes to standard error only when a person is watching it (stderr of scripts and
// tests carries nothing but an error line).
connector::CopyOptions MakeCopyOptions(const CopyFlags& flags, ProgressReporter& progress) {
  connector::CopyOptions options;
  options.batch_size = flags.batch;
  options.skip_unreadable = flags.skip_unreadable;
  options.overwrite = flags.overwrite;
  options.progress = [&progress](std::uint64_t rows) { progress.Update("copying", rows, 0, ""); };
  return options;
}

void FinishProgress(ProgressReporter& progress, const connector::CopySummary& summary) {
  const std::uint64_t rows = summary.transferred + summary.replaced + summary.already_present + summary.skipped.size();
  progress.Finish("copying", rows, 0, std::to_string(summary.verified) + " written and verified");
}

nlohmann::ordered_json SummaryJson(const connector::CopySummary& summary) {
  nlohmann::ordered_json out;
  out["transferred"] = summary.transferred;
  out["already_present"] = summary.already_present;
  out["replaced"] = summary.replaced;
  out["skipped"] = summary.skipped.size();
  out["skipped_ids"] = summary.skipped;
  out["verified"] = summary.verified;
  return out;
}

int PrintSummary(const nlohmann::ordered_json& summary) {
  const std::string text = summary.dump() + "\n";
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(kStdout, text.data() + written, text.size() - written);
    if (n <= 0) return kExitFailure;
    written += static_cast<std::size_t>(n);
  }
  return kExitOk;
}

int Fail(std::string_view context, const Status& status, int exit_code) {
  PrintErrorLine(kStderr, context, status);
  return exit_code;
}

// ---- transfer ----

struct TransferOptions {
  std::string from;
  std::string to;
  CopyFlags flags;
};

int Transfer(const TransferOptions& options) {
  constexpr std::string_view kContext = "connector transfer";
  const auto environment = EnvironmentWithoutSettings();
  auto from = connector::LoadConnectorConfig(options.from, environment);
  if (!from.ok()) return Fail(std::string(kContext) + ": --from " + options.from, from.status(), kExitUsage);
  auto to = connector::LoadConnectorConfig(options.to, environment);
  if (!to.ok()) return Fail(std::string(kContext) + ": --to " + options.to, to.status(), kExitUsage);
  if (connector::SameDatabase(from->database, to->database)) {
    return Fail(kContext, InvalidArgumentError("--from and --to name the same database"), kExitUsage);
  }
  ProgressReporter progress(kStderr, "transfer", /*quiet=*/::isatty(kStderr) != 1);
  auto summary = connector::TransferUserKeys(*from, *to, MakeCopyOptions(options.flags, progress));
  if (!summary.ok()) return Fail(kContext, summary.status(), kExitFailure);
  FinishProgress(progress, *summary);
  return PrintSummary(SummaryJson(*summary));
}

// ---- import-reference ----

struct ImportOptions {
  std::string from;
  std::string config_file;
  CopyFlags flags;
};

int ImportReference(const ImportOptions& options) {
  constexpr std::string_view kContext = "connector import-reference";
  auto file = connector::ReadSettingsFile(options.from);
  if (!file.ok()) return Fail(std::string(kContext) + ": --from", file.status(), kExitUsage);
  auto reference = connector::LoadReferenceSettings(*file);
  if (!reference.ok()) return Fail(std::string(kContext) + ": --from " + options.from, reference.status(), kExitUsage);
  auto destination = LoadCliConnectorConfig(options.config_file);
  if (!destination.ok()) return Fail(std::string(kContext) + ": configuration", destination.status(), kExitUsage);

  ProgressReporter progress(kStderr, "import-reference", /*quiet=*/::isatty(kStderr) != 1);
  auto summary = connector::ImportReference(*reference, *destination, MakeCopyOptions(options.flags, progress));
  if (!summary.ok()) return Fail(kContext, summary.status(), kExitFailure);
  FinishProgress(progress, summary->copy);
  nlohmann::ordered_json out = SummaryJson(summary->copy);
  out["data_keys"] = summary->data_keys;
  out["opened_with_other_data_key"] = summary->opened_with_other_data_key;
  return PrintSummary(out);
}

}  // namespace

void AddTransferVerb(CLI::App& connector, SelectedVerb& selected) {
  CLI::App* sub = connector.add_subcommand(
      "transfer", "Copy every user key from one deployment's database and RSA key to another's, verified");
  auto options = std::make_shared<TransferOptions>();
  sub->add_option("--from", options->from, "the source deployment's TOML configuration")
      ->type_name("CONFIG")
      ->required();
  sub->add_option("--to", options->to, "the destination deployment's TOML configuration")
      ->type_name("CONFIG")
      ->required();
  AddCopyFlags(*sub, options->flags);
  sub->callback([options, &selected] {
    selected.name = "connector transfer";
    selected.run_process = [options] { return Transfer(*options); };
  });
}

void AddImportReferenceVerb(CLI::App& connector, SelectedVerb& selected) {
  CLI::App* sub = connector.add_subcommand(
      "import-reference",
      "Import the reference Key Connector's user keys (JSON file, SQLite, PostgreSQL, MySQL), verified");
  auto options = std::make_shared<ImportOptions>();
  sub->add_option("--from", options->from, "the reference's settings: a file of keyConnectorSettings__NAME=VALUE lines")
      ->type_name("SETTINGS")
      ->required();
  sub->add_option("--config", options->config_file, "Keywarden's TOML configuration (default: $KEYWARDEN_CONFIG)")
      ->type_name("FILE");
  AddCopyFlags(*sub, options->flags);
  sub->callback([options, &selected] {
    selected.name = "connector import-reference";
    selected.run_process = [options] { return ImportReference(*options); };
  });
}

}  // namespace keywarden::cli
