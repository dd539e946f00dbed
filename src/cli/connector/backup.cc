#include "cli/connector/backup.h"

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "cli/common/output.h"
#include "cli/connector/load_config.h"
#include "connector/store/database_key_store.h"
#include "connector/store/sqlite_backup.h"
#include "custody/data_keyring.h"
#include "custody/open_rsa_key_provider.h"

namespace keywarden::cli {
namespace {

struct CopyOptions {
  std::string file;
  std::string config_file;
  bool force = false;
};

// Whole-file copies are SQLite's; the server databases have their own consistent dump tools.
Status OnlySqlite(const connector::ConnectorConfig& config, std::string_view verb) {
  const config::DatabaseProvider provider = config.database.provider;
  if (provider == config::DatabaseProvider::kSqlite) return OkStatus();
  const std::string see = " (README: Backup and restore)";
  const bool backup = verb == "backup";
  if (provider == config::DatabaseProvider::kPostgresql) {
    return UnsupportedError(std::string("the database is PostgreSQL: ") +
                            (backup ? "back it up with pg_dump" : "restore it with pg_restore") + see);
  }
  return UnsupportedError(std::string("the database is MariaDB/MySQL: ") +
                          (backup ? "back it up with mariadb-dump" : "restore it with mariadb") + see);
}

Status Backup(const CopyOptions& options, JsonOutput& out) {
  if (options.file.empty()) return InvalidArgumentError("--to: the path is empty");
  if (!IsValidUtf8(options.file)) return InvalidArgumentError("--to: the path is not valid UTF-8");
  KW_ASSIGN_OR_RETURN(connector::ConnectorConfig config, LoadCliConnectorConfig(options.config_file));
  KW_RETURN_IF_ERROR(OnlySqlite(config, "backup"));
  if (!IsValidUtf8(config.database.sqlite_path)) return InvalidArgumentError("the database path is not valid UTF-8");
  auto info = connector::store::BackupSqliteDatabase(config.database.sqlite_path, options.file, options.force);
  if (!info.ok() && info.status().code() == ErrorCode::kAlreadyExists) {
    return AlreadyExistsError(info.status().message() + "; choose a new name, or give --force to overwrite it");
  }
  if (!info.ok()) return info.status();
  out.Add("backup", options.file);
  out.Add("database", config.database.sqlite_path);
  out.Add("schema_version", std::to_string(info->schema_version));
  out.Add("user_keys", std::to_string(info->user_keys));
  out.Add("data_key_versions", std::to_string(info->data_key_versions));
  return OkStatus();
}

// Opens the staged copy as the connector would (migrating an older schema) and checks that the
// configured key opens its data keys and every stored key. Returns the schema version reached.
Result<int> VerifyStaged(const std::string& staged, const connector::ConnectorConfig& config) {
  auto provider = custody::OpenRsaKeyProvider(config.rsa_key);
  if (!provider.ok()) return provider.status().WithContext("RSA key");
  KW_ASSIGN_OR_RETURN(auto store, connector::store::SqliteKeyStore::Open(staged));
  auto keyring = custody::DataKeyring::Open(*store, **provider);
  if (!keyring.ok()) {
    return Status(keyring.status().code(),
                  "the configured RSA key does not open this backup: " + keyring.status().message());
  }
  std::uint64_t unreadable = 0;
  std::string after;
  while (true) {
    KW_ASSIGN_OR_RETURN(std::vector<connector::store::UserKeyRecord> page, store->ListUserKeys(after, 1000));
    if (page.empty()) break;
    for (const connector::store::UserKeyRecord& record : page) {
      if (!(*keyring)->Open(record.user_id, record.data_key_version, record.sealed).ok()) ++unreadable;
    }
    after = page.back().user_id;
  }
  if (unreadable > 0) {
    return AuthenticationError(std::to_string(unreadable) +
                               " stored key(s) in this backup do not open with the configured RSA key");
  }
  return store->SchemaVersion();
}

Status Restore(const CopyOptions& options, JsonOutput& out) {
  if (options.file.empty()) return InvalidArgumentError("--from: the path is empty");
  if (!IsValidUtf8(options.file)) return InvalidArgumentError("--from: the path is not valid UTF-8");
  KW_ASSIGN_OR_RETURN(connector::ConnectorConfig config, LoadCliConnectorConfig(options.config_file));
  KW_RETURN_IF_ERROR(OnlySqlite(config, "restore"));
  const std::string& target = config.database.sqlite_path;
  if (!IsValidUtf8(target)) return InvalidArgumentError("the database path is not valid UTF-8");
  auto staged = connector::store::StagedRestore::Stage(options.file, target, options.force);
  if (!staged.ok() && staged.status().code() == ErrorCode::kAlreadyExists) {
    return AlreadyExistsError(staged.status().message() + "; stop the connector and give --force to replace it");
  }
  if (!staged.ok()) return staged.status();
  KW_ASSIGN_OR_RETURN(int schema_version, VerifyStaged((*staged)->staged_path(), config));
  KW_ASSIGN_OR_RETURN(std::string previous, (*staged)->Commit());
  out.Add("restored", target);
  out.Add("from", options.file);
  out.Add("backup_schema_version", std::to_string((*staged)->info().schema_version));
  out.Add("schema_version", std::to_string(schema_version));
  out.Add("user_keys", std::to_string((*staged)->info().user_keys));
  if (!previous.empty()) out.Add("previous", previous);
  return OkStatus();
}

CLI::App* AddCopyVerb(CLI::App& connector, const char* name, const char* description, const char* file_flag,
                      const char* file_help, const char* force_help, std::shared_ptr<CopyOptions> options) {
  CLI::App* sub = connector.add_subcommand(name, description);
  sub->add_option(file_flag, options->file, file_help)->type_name("FILE")->required();
  sub->add_flag("--force", options->force, force_help);
  sub->add_option("--config", options->config_file, "TOML configuration file (default: $KEYWARDEN_CONFIG)")
      ->type_name("FILE");
  return sub;
}

}  // namespace

void AddBackupVerb(CLI::App& connector, SelectedVerb& selected) {
  auto options = std::make_shared<CopyOptions>();
  CLI::App* sub =
      AddCopyVerb(connector, "backup", "Copy the SQLite database to a file while the connector runs", "--to",
                  "the backup file to write (mode 0600)", "overwrite an existing backup file", options);
  sub->callback([options, &selected] {
    selected.name = "connector backup";
    selected.run = [options](JsonOutput& out) { return Backup(*options, out); };
  });
}

void AddRestoreVerb(CLI::App& connector, SelectedVerb& selected) {
  auto options = std::make_shared<CopyOptions>();
  CLI::App* sub = AddCopyVerb(connector, "restore", "Put a backup in place of the SQLite database (connector stopped)",
                              "--from", "the backup file to restore",
                              "replace an existing database (kept as PATH.pre-restore-TIME)", options);
  sub->callback([options, &selected] {
    selected.name = "connector restore";
    selected.run = [options](JsonOutput& out) { return Restore(*options, out); };
  });
}

}  // namespace keywarden::cli
