#include "cli/server/backup.h"

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "cli/common/output.h"
#include "cli/server/load_config.h"
#include "server/store/server_backup.h"

namespace keywarden::cli {
namespace {

struct CopyOptions {
  std::string file;
  std::string config_file;
  bool force = false;
};

Status CheckFileFlag(const std::string& file, std::string_view flag) {
  if (file.empty()) return InvalidArgumentError(std::string(flag) + ": the path is empty");
  if (!IsValidUtf8(file)) return InvalidArgumentError(std::string(flag) + ": the path is not valid UTF-8");
  return OkStatus();
}

void AddCounts(const server::ServerDatabaseInfo& info, JsonOutput& out) {
  out.Add("users", std::to_string(info.users));
  out.Add("ciphers", std::to_string(info.ciphers));
  out.Add("folders", std::to_string(info.folders));
}

Status Backup(const CopyOptions& options, JsonOutput& out) {
  KW_RETURN_IF_ERROR(CheckFileFlag(options.file, "--out"));
  KW_ASSIGN_OR_RETURN(server::ServerConfig config, LoadCliServerConfig(options.config_file));
  auto info = server::BackupServerDatabase(config.database, options.file, options.force);
  if (!info.ok() && info.status().code() == ErrorCode::kAlreadyExists) {
    return AlreadyExistsError(info.status().message() + "; choose a new name, or give --force to overwrite it");
  }
  if (!info.ok()) return info.status();
  out.Add("backup", options.file);
  out.Add("database", config.database.sqlite_path);
  out.Add("schema_version", std::to_string(info->schema_version));
  AddCounts(*info, out);
  return OkStatus();
}

Status Restore(const CopyOptions& options, JsonOutput& out) {
  KW_RETURN_IF_ERROR(CheckFileFlag(options.file, "--from"));
  KW_ASSIGN_OR_RETURN(server::ServerConfig config, LoadCliServerConfig(options.config_file));
  auto restored = server::RestoreServerDatabase(config.database, options.file, options.force);
  if (!restored.ok() && restored.status().code() == ErrorCode::kAlreadyExists) {
    return AlreadyExistsError(restored.status().message() + "; stop the server and give --force to replace it");
  }
  if (!restored.ok()) return restored.status();
  out.Add("restored", config.database.sqlite_path);
  out.Add("from", options.file);
  out.Add("backup_schema_version", std::to_string(restored->backup.schema_version));
  out.Add("schema_version", std::to_string(restored->schema_version));
  AddCounts(restored->backup, out);
  if (!restored->previous.empty()) out.Add("previous", restored->previous);
  return OkStatus();
}

void AddConfigFlags(CLI::App& sub, CopyOptions& options, const char* force_help) {
  sub.add_flag("--force", options.force, force_help);
  sub.add_option("--config", options.config_file, "TOML configuration file (default: $KEYWARDEN_CONFIG)")
      ->type_name("FILE");
}

}  // namespace

void AddServerBackupVerbs(CLI::App& server, SelectedVerb& selected) {
  auto backup = std::make_shared<CopyOptions>();
  CLI::App* backup_sub = server.add_subcommand("backup", "Copy the SQLite database to a file while the server runs");
  backup_sub->add_option("--out,--to", backup->file, "the backup file to write (mode 0600)")
      ->type_name("FILE")
      ->required();
  AddConfigFlags(*backup_sub, *backup, "overwrite an existing backup file");
  backup_sub->callback([backup, &selected] {
    selected.name = "server backup";
    selected.run = [backup](JsonOutput& out) { return Backup(*backup, out); };
  });

  auto restore = std::make_shared<CopyOptions>();
  CLI::App* restore_sub =
      server.add_subcommand("restore", "Put a backup in place of the SQLite database (server stopped)");
  restore_sub->add_option("--from", restore->file, "the backup file to restore")->type_name("FILE")->required();
  AddConfigFlags(*restore_sub, *restore, "replace an existing database (kept as PATH.pre-restore-TIME)");
  restore_sub->callback([restore, &selected] {
    selected.name = "server restore";
    selected.run = [restore](JsonOutput& out) { return Restore(*restore, out); };
  });
}

}  // namespace keywarden::cli
