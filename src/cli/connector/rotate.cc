#include "cli/connector/rotate.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>

#include "cli/common/output.h"
#include "cli/common/progress.h"
#include "cli/connector/load_config.h"
#include "cli/connector/serve.h"
#include "connector/config/connector_config.h"
#include "connector/store/open_key_store.h"
#include "connector/user_keys/data_key_rotation.h"
#include "custody/data_keyring.h"
#include "custody/open_rsa_key_provider.h"
#include "custody/rsa_key_rotation.h"

namespace keywarden::cli {
namespace {

constexpr int kStdout = 1;
constexpr int kStderr = 2;

int Failed(std::string_view context, const Status& status, int exit_code) {
  PrintErrorLine(kStderr, context, status);
  return exit_code;
}

// The summary and notes hold no secret: printed straight, in one write.
void WriteAll(int fd, std::string_view rest) {
  while (!rest.empty()) {
    const ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
}

void PrintJson(const nlohmann::ordered_json& json) { WriteAll(kStdout, json.dump() + "\n"); }

// What both verbs start from: the configuration, its RSA key and its database.
struct Setup {
  connector::ConnectorConfig config;
  std::unique_ptr<custody::RsaKeyProvider> provider;
  std::unique_ptr<connector::store::KeyStore> store;
};

// Loads everything --config names; on failure prints the line and returns the exit code.
std::variant<Setup, int> Load(std::string_view verb, const std::string& config_flag) {
  const std::string context = "connector " + std::string(verb);
  Setup setup;
  auto config = LoadCliConnectorConfig(config_flag);
  if (!config.ok()) return Failed(context + ": configuration", config.status(), kExitUsage);
  setup.config = std::move(config).value();
  auto provider = custody::OpenRsaKeyProvider(setup.config.rsa_key);
  if (!provider.ok()) return Failed(context + ": RSA key", provider.status(), kExitCheckKeyProvider);
  setup.provider = std::move(provider).value();
  auto store = connector::OpenKeyStore(setup.config.database);
  if (!store.ok()) return Failed(context + ": database", store.status(), kExitCheckDatabase);
  setup.store = std::move(store).value();
  return setup;
}

// A rotation that stopped part-way: 2 when the input was at fault (the same key twice), else 1.
// What was written stays consistent, and running the verb again resumes.
int RotationFailed(std::string_view context, const Status& status) {
  const int code = ExitCodeFor(status.code()) == kExitUsage ? kExitUsage : kExitFailure;
  return Failed(context, status, code);
}

// ---- rotate-data-key ----

struct DataKeyOptions {
  std::string config_file;
  std::size_t batch = connector::DataKeyRotationOptions{}.batch_size;
  std::uint32_t pause_ms = 0;
  bool quiet = false;
  bool new_version = false;
};

int RotateDataKey(const DataKeyOptions& options) {
  constexpr std::string_view kContext = "connector rotate-data-key";
  auto loaded = Load("rotate-data-key", options.config_file);
  if (const int* code = std::get_if<int>(&loaded)) return *code;
  Setup& setup = std::get<Setup>(loaded);

  // The data keys must open with this RSA key before anything starts (exit 4, as `check`).
  auto stored = setup.store->ListDataKeys();
  Status data_keys = stored.status();
  if (stored.ok() && stored->empty()) {
    data_keys =
        NotFoundError("the database holds no data key yet, so there is nothing to rotate (is it the connector's?)");
  } else if (stored.ok()) {
    data_keys = custody::DataKeyring::Open(*setup.store, *setup.provider).status();
  }
  if (!data_keys.ok()) return Failed(std::string(kContext) + ": data key", data_keys, kExitCheckDatabase);

  const auto start = std::chrono::steady_clock::now();
  auto summary = [&] {
    // Gone (its bar's line ended) before anything else is printed.
    ProgressReporter progress(kStderr, "rotate-data-key", options.quiet);
    connector::DataKeyRotationOptions rotation;
    rotation.batch_size = options.batch;
    rotation.pause = std::chrono::milliseconds(options.pause_ms);
    if (options.new_version) rotation.reuse_newest_within = std::chrono::seconds(0);
    rotation.on_progress = [&progress](const connector::DataKeyRotationProgress& p) {
      const std::string phase = "pass " + std::to_string(p.pass);
      const std::string detail = std::to_string(p.resealed) + " re-sealed";
      if (p.pass_done) {
        progress.Finish(phase, p.rows_seen, p.rows_total, detail);
      } else {
        progress.Update(phase, p.rows_seen, p.rows_total, detail);
      }
    };
    return connector::RotateDataKey(*setup.store, *setup.provider, rotation);
  }();
  if (!summary.ok()) {
    // Nothing is lost: every page that was written is complete, and a new run resumes.
    return RotationFailed(kContext, summary.status());
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (summary->reused_recent_version && !options.quiet) {
    WriteAll(kStderr, "rotate-data-key: every key was already under data key version " +
                          std::to_string(summary->version) + ", made " + std::to_string(summary->version_age.count()) +
                          " s ago: that rotation was finished, no version added (--new-version adds one)\n");
  }

  nlohmann::ordered_json json;
  json["data_key_version"] = summary->version;
  json["data_key_versions"] = summary->versions;
  json["created_version"] = summary->created_version;
  json["resumed"] = !summary->created_version;
  json["resealed"] = summary->resealed;
  json["already_current"] = summary->already_current;
  json["rewritten_meanwhile"] = summary->rewritten_meanwhile;
  json["failed"] = summary->failed;
  json["failed_user_ids"] = summary->failed_user_ids;
  json["verified"] = summary->verified;
  json["passes"] = summary->passes;
  json["seconds"] = static_cast<double>(static_cast<std::int64_t>(seconds * 100)) / 100;
  PrintJson(json);
  if (summary->failed > 0) {
    return Failed(kContext,
                  AuthenticationError(std::to_string(summary->failed) +
                                      " stored keys do not open (altered, or copied from another user's row) and "
                                      "were left as they are; first: " +
                                      summary->failed_user_ids.front()),
                  kExitFailure);
  }
  return kExitOk;
}

// ---- rotate-rsa-key ----

struct RsaKeyOptions {
  std::string config_file;
  std::string to;
  bool keep_old = false;
};

// NEWCONFIG must describe the same database: the rotation re-wraps in place.
Status CheckSameDatabase(const connector::ConnectorConfig& current, const connector::ConnectorConfig& next) {
  if (connector::SameDatabase(current.database, next.database)) return OkStatus();
  return InvalidArgumentError(
      "--to names another database than --config (compare their [database] sections); rotate-rsa-key "
      "re-wraps the data keys in place (to move to another database, use transfer)");
}

int RotateRsaKey(const RsaKeyOptions& options) {
  constexpr std::string_view kContext = "connector rotate-rsa-key";
  auto next = connector::LoadConnectorConfig(options.to, {});
  if (!next.ok()) return Failed(std::string(kContext) + ": --to", next.status(), kExitUsage);
  auto loaded = Load("rotate-rsa-key", options.config_file);
  if (const int* code = std::get_if<int>(&loaded)) return *code;
  Setup& setup = std::get<Setup>(loaded);
  if (Status same = CheckSameDatabase(setup.config, *next); !same.ok()) return Failed(kContext, same, kExitUsage);
  auto new_key = custody::OpenRsaKeyProvider(next->rsa_key);
  if (!new_key.ok()) return Failed(std::string(kContext) + ": new RSA key", new_key.status(), kExitCheckKeyProvider);

  auto summary = custody::RotateRsaKey(*setup.store, *setup.provider, **new_key, options.keep_old);
  if (!summary.ok()) return RotationFailed(kContext, summary.status());
  nlohmann::ordered_json json;
  json["old_fingerprint"] = summary->old_fingerprint;
  json["new_fingerprint"] = summary->new_fingerprint;
  json["data_key_versions"] = summary->versions;
  json["wrapped"] = summary->wrapped;
  json["already_wrapped"] = summary->already_wrapped;
  json["retired"] = summary->retired;
  json["kept_old"] = summary->kept_old;
  PrintJson(json);
  return kExitOk;
}

}  // namespace

void AddRotateDataKeyVerb(CLI::App& connector, SelectedVerb& selected) {
  CLI::App* sub = connector.add_subcommand(
      "rotate-data-key", "Add a data key version and re-seal every stored key under it (resumes a cut-short run)");
  auto options = std::make_shared<DataKeyOptions>();
  sub->add_option("--config", options->config_file, "TOML configuration file (default: $KEYWARDEN_CONFIG)")
      ->type_name("FILE");
  sub->add_option("--batch", options->batch, "rows per transaction (default 2000)")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  sub->add_option("--pause-ms", options->pause_ms, "pause between batches, to ease the load on the database")
      ->type_name("MS")
      ->check(CLI::Range(0u, 60000u));
  sub->add_flag("--quiet", options->quiet, "no progress on stderr");
  sub->add_flag("--new-version", options->new_version,
                "add a version even when every key is under one made less than an hour ago (which a run "
                "killed after re-sealing leaves, and is otherwise finished)");
  sub->callback([options, &selected] {
    selected.name = "connector rotate-data-key";
    selected.run_process = [options] { return RotateDataKey(*options); };
  });
}

void AddRotateRsaKeyVerb(CLI::App& connector, SelectedVerb& selected) {
  CLI::App* sub = connector.add_subcommand(
      "rotate-rsa-key", "Wrap the data keys with the RSA key of another configuration, verify, retire the old key");
  auto options = std::make_shared<RsaKeyOptions>();
  sub->add_option("--config", options->config_file, "TOML configuration file (default: $KEYWARDEN_CONFIG)")
      ->type_name("FILE");
  sub->add_option("--to", options->to, "the configuration with the new [rsa_key], read alone (no environment)")
      ->type_name("NEWCONFIG")
      ->required();
  sub->add_flag("--keep-old", options->keep_old, "keep the current key's wrappings (retire them with a later run)");
  sub->callback([options, &selected] {
    selected.name = "connector rotate-rsa-key";
    selected.run_process = [options] { return RotateRsaKey(*options); };
  });
}

}  // namespace keywarden::cli
