// Whole-file copies of the connector's SQLite database: `connector backup` and `connector restore`.
//
// Both work on files, never through an open SqliteKeyStore, and never migrate or change the
// database they read: a newer binary taking a backup leaves an older connector's database as it is.
//
//  - BackupSqliteDatabase copies a consistent snapshot with SQLite's online backup API (one read
//    transaction, so a connector may keep writing meanwhile) into a new self-contained file: one
//    file in rollback-journal mode, no -wal beside it, mode 0600. It appears whole or not at all:
//    written beside the destination under a temporary name, checked, synced, then renamed.
//  - StagedRestore puts a backup back in two steps, so that the caller can open the copy with the
//    configured RSA key before anything changes. Stage copies the backup beside the target and
//    checks that it is a Keywarden database whose schema this build understands; Commit refuses
//    while another process has the target open, keeps the database it replaces under a new name
//    (a hard link, so nothing is copied), and renames the copy into place. Until Commit has
//    renamed, the target is untouched; a failure at any step leaves it as it was.
#ifndef KEYWARDEN_CONNECTOR_STORE_SQLITE_BACKUP_H_
#define KEYWARDEN_CONNECTOR_STORE_SQLITE_BACKUP_H_

#include <cstdint>
#include <memory>
#include <string>

#include "keywarden/status.h"

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

  ~StagedRestore();  // removes the staged copy unless it was committed
  StagedRestore(const StagedRestore&) = delete;
  StagedRestore& operator=(const StagedRestore&) = delete;

  // The copy, for the caller to open and check; it must be closed again before Commit.
  const std::string& staged_path() const { return staged_; }
  // The backup's contents as staged (before any migration).
  const SqliteDatabaseInfo& info() const { return info_; }

  // Puts the staged copy in place of the target, with the replaced file's owner and mode (or
  // mode 0600, owned like the folder, when there was none). Returns where the replaced database
  // now lives ("" when there was none). kUnavailable when another process has the target open.
  Result<std::string> Commit();

 private:
  StagedRestore(std::string target, std::string staged, SqliteDatabaseInfo info)
      : target_(std::move(target)), staged_(std::move(staged)), info_(info) {}

  std::string target_;
  std::string staged_;
  SqliteDatabaseInfo info_;
  bool committed_ = false;
};

}  // namespace keywarden::connector::store

#endif  // KEYWARDEN_CONNECTOR_STORE_SQLITE_BACKUP_H_
