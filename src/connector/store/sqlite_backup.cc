#include "connector/store/sqlite_backup.h"

#include <string_view>
#include <utility>

#include "connector/store/database_key_store.h"

namespace keywarden::connector::store {
namespace {

std::string Quoted(const std::string& path) { return "'" + path + "'"; }

// A check that the file is a connector database, recording what it holds in `info`.
sql::SqliteFileCheck InspectInto(SqliteDatabaseInfo& info) {
  return [&info](sql::SqliteFileReader& db, bool allow_newer) -> Status {
    KW_ASSIGN_OR_RETURN(std::int64_t tables, db.Integer("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND "
                                                        "name IN ('user_keys', 'data_keys')",
                                                        "to read the schema of"));
    KW_ASSIGN_OR_RETURN(std::int64_t version, db.Integer("PRAGMA user_version", "to read the schema version of"));
    if (tables != 2 || version < 1) return InvalidArgumentError(Quoted(db.path()) + " is not a Keywarden database");
    if (version > SqliteKeyStore::kSchemaVersion && !allow_newer) {
      return InvalidArgumentError(Quoted(db.path()) + " has schema version " + std::to_string(version) +
                                  ", newer than this keywarden understands (" +
                                  std::to_string(SqliteKeyStore::kSchemaVersion) + "); use a newer keywarden");
    }
    KW_ASSIGN_OR_RETURN(std::int64_t users, db.Integer("SELECT COUNT(*) FROM user_keys", "to count the keys in"));
    KW_ASSIGN_OR_RETURN(std::int64_t versions,
                        db.Integer("SELECT COUNT(DISTINCT version) FROM data_keys", "to count the data keys in"));
    info.schema_version = static_cast<int>(version);
    info.user_keys = static_cast<std::uint64_t>(users);
    info.data_key_versions = static_cast<std::uint64_t>(versions);
    return OkStatus();
  };
}

}  // namespace

Result<SqliteDatabaseInfo> InspectSqliteDatabase(const std::string& path) {
  SqliteDatabaseInfo info;
  KW_RETURN_IF_ERROR(sql::CheckSqliteFile(path, InspectInto(info)));
  return info;
}

Result<SqliteDatabaseInfo> BackupSqliteDatabase(const std::string& source, const std::string& destination,
                                                bool overwrite) {
  SqliteDatabaseInfo info;  // the last check's: the copy's
  KW_RETURN_IF_ERROR(sql::BackupSqliteFile(source, destination, overwrite, InspectInto(info)));
  return info;
}

Result<std::unique_ptr<StagedRestore>> StagedRestore::Stage(const std::string& backup, const std::string& target,
                                                            bool replace) {
  SqliteDatabaseInfo info;
  KW_ASSIGN_OR_RETURN(auto staged, sql::StagedSqliteRestore::Stage(backup, target, replace, InspectInto(info)));
  return std::unique_ptr<StagedRestore>(new StagedRestore(std::move(staged), info));
}

}  // namespace keywarden::connector::store
