// Whole-file copies of a SQLite database, for a service's `backup` and `restore` verbs (the key
// connector's and the server's): what is generic about them lives here, and each service says
// through a SqliteFileCheck what makes a file its own database.
//
// Both work on files, never through an open sql::Database, and never migrate or change the
// database they read: a newer binary taking a backup leaves an older service's database as it is.
//
//  - BackupSqliteFile copies a consistent snapshot with SQLite's online backup API (one read
//    transaction, so a service may keep writing meanwhile) into a new self-contained file: one
//    file in rollback-journal mode, no -wal beside it, mode 0600. It appears whole or not at all:
//    written beside the destination under a temporary name, checked, synced, then renamed.
//  - StagedSqliteRestore puts a backup back in two steps, so that the caller can open the copy
//    (migrate it, check it with its keys) before anything changes. Stage copies the backup beside
//    the target and runs the check on it; Commit refuses while another process has the target
//    open, keeps the database it replaces under a new name (a hard link, so nothing is copied),
//    and renames the copy into place. Until Commit has renamed, the target is untouched; a failure
//    at any step leaves it as it was.
//
// Thread-safety: each call works on its own connections; nothing is shared between calls.
#ifndef KEYWARDEN_SQL_SQLITE_SQLITE_FILE_COPY_H_
#define KEYWARDEN_SQL_SQLITE_SQLITE_FILE_COPY_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "keywarden/status.h"

namespace keywarden::sql {

// A read-only look inside a SQLite file, lent to a SqliteFileCheck for the length of the call.
class SqliteFileReader {
 public:
  virtual const std::string& path() const = 0;
  // The first column of the first row of `sql` as an integer (0 when there is no row or it is
  // NULL). Errors name `what` ("to count the users in") and the file: kInvalidArgument for a
  // file that is not SQLite or is damaged, kUnavailable for locks and I/O, kInternal otherwise.
  virtual Result<std::int64_t> Integer(const char* sql, std::string_view what) = 0;

 protected:
  ~SqliteFileReader() = default;
};

// Says whether a file holds the caller's database: OK, or kInvalidArgument saying why not (not
// its tables, a schema version too new). `allow_newer`: a schema newer than this build's passes
// (a backup copies it as it is; a restore must understand what it puts back). A check may record
// what it read (counts to report); it runs more than once per copy, on each file in turn.
using SqliteFileCheck = std::function<Status(SqliteFileReader& file, bool allow_newer)>;

// Runs `check` (allow_newer false) on the database at `path`, opened without changing it.
// kNotFound when there is no file.
Status CheckSqliteFile(const std::string& path, const SqliteFileCheck& check);

// Copies the database at `source` to `destination`, running `check` (allow_newer true) on the
// source before and on the copy before it is renamed into place. kNotFound when `source` does
// not exist, kAlreadyExists when `destination` does and `overwrite` is false, kInvalidArgument
// when both name the same file or the check fails.
Status BackupSqliteFile(const std::string& source, const std::string& destination, bool overwrite,
                        const SqliteFileCheck& check);

class StagedSqliteRestore {
 public:
  // Copies `backup` beside `target` (same folder, so the final rename is atomic) and runs `check`
  // (allow_newer false) on the backup and on the copy. kNotFound when `backup` or the target's
  // folder does not exist, kAlreadyExists when `target` exists and `replace` is false,
  // kInvalidArgument when the check refuses.
  static Result<std::unique_ptr<StagedSqliteRestore>> Stage(const std::string& backup, const std::string& target,
                                                            bool replace, const SqliteFileCheck& check);

  ~StagedSqliteRestore();  // removes the staged copy unless it was committed
  StagedSqliteRestore(const StagedSqliteRestore&) = delete;
  StagedSqliteRestore& operator=(const StagedSqliteRestore&) = delete;

  // The copy, for the caller to open and check; it must be closed again before Commit.
  const std::string& staged_path() const { return staged_; }

  // Puts the staged copy in place of the target, with the replaced file's owner and mode (or
  // mode 0600, owned like the folder, when there was none). Returns where the replaced database
  // now lives, PATH.pre-restore-<UTC time> ("" when there was none). kUnavailable when another
  // process (a running service) has the target open.
  Result<std::string> Commit();

 private:
  StagedSqliteRestore(std::string target, std::string staged)
      : target_(std::move(target)), staged_(std::move(staged)) {}

  std::string target_;
  std::string staged_;
  bool committed_ = false;
};

}  // namespace keywarden::sql

#endif  // KEYWARDEN_SQL_SQLITE_SQLITE_FILE_COPY_H_
