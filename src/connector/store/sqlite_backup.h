// Whole-file copies of the connector's SQLite database: `connector backup` and `connector restore`.
//
// The copying itself is sql/sqlite/sqlite_file_copy.h (shared with the server); this layer says
// what a connector database is (its tables, a schema version this build understands) and counts
// what a copy holds. The same guarantees hold: a consistent snapshot taken while the connector
// writes, a file that appears whole or not at all, a restore staged beside the target and renamed
// into place only after the caller has checked it, never while a process has the target open.
#ifndef KEYWARDEN_CONNECTOR_STORE_SQLITE_BACKUP_H_
#define KEYWARDEN_CONNECTOR_STORE_SQLITE_BACKUP_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "keywarden/status.h"
#include "sql/sqlite/sqlite_file_copy.h"

namespace keywarden::connector::store {

struct SqliteDatabaseInfo {
  int schema_version = 0;  // PRAGMA user_version
  std::uint64_t user_keys = 0;
  std::uint64_t data_key_versions = 0;
};

// What the Keywarden database at `path` holds, read without changing it. kInvalidArgument when
// the file is not SQLite, not a Keywarden database, or has a schema newer than this build's.
Result<SqliteDatabaseInfo> InspectSqliteDatabase(const std::string& path);

// Copies the database at `source` to `destination`. kNotFound when `source` does not exist,
// kAlreadyExists when `destination` does and `overwrite` is false. A source written by a newer
// build is copied as it is. Returns what the copy holds.
Result<SqliteDatabaseInfo> BackupSqliteDatabase(const std::string& source, const std::string& destination,
                                                bool overwrite);

class StagedRestore {
 public:
  // Copies `backup` beside `target` (same folder, so the final rename is atomic). kAlreadyExists
  // when `target` exists and `replace` is false; kInvalidArgument when `backup` is not a
  // Keywarden database this build understands.
  static Result<std::unique_ptr<StagedRestore>> Stage(const std::string& backup, const std::string& target,
                                                      bool replace);

  ~StagedRestore() = default;  // removes the staged copy unless it was committed
  StagedRestore(const StagedRestore&) = delete;
  StagedRestore& operator=(const StagedRestore&) = delete;

  // The copy, for the caller to open and check; it must be closed again before Commit.
  const std::string& staged_path() const { return staged_->staged_path(); }
  // The backup's contents as staged (before any migration).
  const SqliteDatabaseInfo& info() const { return info_; }

  // Puts the staged copy in place of the target, with the replaced file's owner and mode (or
  // mode 0600, owned like the folder, when there was none). Returns where the replaced database
  // now lives ("" when there was none). kUnavailable when another process has the target open.
  Result<std::string> Commit() { return staged_->Commit(); }

 private:
  StagedRestore(std::unique_ptr<sql::StagedSqliteRestore> staged, SqliteDatabaseInfo info)
      : staged_(std::move(staged)), info_(info) {}

  std::unique_ptr<sql::StagedSqliteRestore> staged_;
  SqliteDatabaseInfo info_;
};

}  // namespace keywarden::connector::store

#endif  // KEYWARDEN_CONNECTOR_STORE_SQLITE_BACKUP_H_
