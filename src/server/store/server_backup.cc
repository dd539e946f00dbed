#include "server/store/server_backup.h"

#include <memory>
#include <utility>

#include "server/store/internal/schema_migrations.h"
#include "server/store/server_database.h"
#include "sql/migrations.h"
#include "sql/sqlite/sqlite_file_copy.h"

namespace keywarden::server {
namespace {

std::string Quoted(const std::string& path) { return "'" + path + "'"; }

// Whole-file copies are SQLite's; PostgreSQL has its own consistent dumps.
Status OnlySqlite(const config::DatabaseSection& database, bool backup) {
  if (database.provider == config::DatabaseProvider::kSqlite) return OkStatus();
  const char* tool = backup ? "back it up with pg_dump" : "restore it with pg_restore";
  return UnsupportedError(std::string("the database is ") +
                          std::string(config::DatabaseProviderName(database.provider)) + ": " + tool +
                          " (docs/server-configuration.md: Backup and restore)");
}

// A check that the file is the server's database, recording what it holds in `info`.
sql::SqliteFileCheck InspectInto(ServerDatabaseInfo& info) {
  return [&info](sql::SqliteFileReader& db, bool allow_newer) -> Status {
    KW_ASSIGN_OR_RETURN(std::int64_t tables, db.Integer("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND "
                                                        "name IN ('users', 'devices', 'folders', 'ciphers')",
                                                        "to read the schema of"));
    KW_ASSIGN_OR_RETURN(std::int64_t version, db.Integer("PRAGMA user_version", "to read the schema version of"));
    if (tables != 4 || version < 1) {
      return InvalidArgumentError(Quoted(db.path()) + " is not a Keywarden server database");
    }
    const int latest = sql::LatestVersion(store::internal::SqliteMigrationSteps());
    if (version > latest && !allow_newer) {
      return InvalidArgumentError(Quoted(db.path()) + " has schema version " + std::to_string(version) +
                                  ", newer than this keywarden understands (" + std::to_string(latest) +
                                  "); use a newer keywarden");
    }
    KW_ASSIGN_OR_RETURN(std::int64_t users, db.Integer("SELECT COUNT(*) FROM users", "to count the users in"));
    KW_ASSIGN_OR_RETURN(std::int64_t ciphers, db.Integer("SELECT COUNT(*) FROM ciphers", "to count the items in"));
    KW_ASSIGN_OR_RETURN(std::int64_t folders, db.Integer("SELECT COUNT(*) FROM folders", "to count the folders in"));
    info.schema_version = static_cast<int>(version);
    info.users = static_cast<std::uint64_t>(users);
    info.ciphers = static_cast<std::uint64_t>(ciphers);
    info.folders = static_cast<std::uint64_t>(folders);
    return OkStatus();
  };
}

// Opens the staged copy as `serve` would (migrations, SQLite's quick check) and closes it again.
// Returns the schema version it then has.
Result<int> OpenAsTheServerWould(const config::DatabaseSection& database, const std::string& staged) {
  config::DatabaseSection copy = database;
  copy.sqlite_path = staged;
  {
    auto opened = OpenServerDatabase(copy);
    if (!opened.ok()) return opened.status().WithContext("the backup does not open as the server's database");
  }
  ServerDatabaseInfo migrated;
  KW_RETURN_IF_ERROR(sql::CheckSqliteFile(staged, InspectInto(migrated)));
  return migrated.schema_version;
}

}  // namespace

Result<ServerDatabaseInfo> BackupServerDatabase(const config::DatabaseSection& database, const std::string& destination,
                                                bool overwrite) {
  KW_RETURN_IF_ERROR(OnlySqlite(database, /*backup=*/true));
  ServerDatabaseInfo info;  // the last check's: the copy's
  KW_RETURN_IF_ERROR(sql::BackupSqliteFile(database.sqlite_path, destination, overwrite, InspectInto(info)));
  return info;
}

Result<RestoredServerDatabase> RestoreServerDatabase(const config::DatabaseSection& database, const std::string& backup,
                                                     bool replace) {
  KW_RETURN_IF_ERROR(OnlySqlite(database, /*backup=*/false));
  RestoredServerDatabase restored;
  KW_ASSIGN_OR_RETURN(auto staged, sql::StagedSqliteRestore::Stage(backup, database.sqlite_path, replace,
                                                                   InspectInto(restored.backup)));
  KW_ASSIGN_OR_RETURN(restored.schema_version, OpenAsTheServerWould(database, staged->staged_path()));
  KW_ASSIGN_OR_RETURN(restored.previous, staged->Commit());
  return restored;
}

}  // namespace keywarden::server
