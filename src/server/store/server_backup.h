// Backup and restore of the server's SQLite database: `keywarden server backup` and `restore`.
//
// The copying is sql/sqlite/sqlite_file_copy.h, as for the key connector: a backup is one
// consistent snapshot taken with SQLite's online backup API while the server keeps serving (every
// write acknowledged before it started is in it), written as one self-contained file of mode 0600
// that appears whole or not at all. A restore checks the backup first (a SQLite file holding the
// server's tables, with a schema this build understands), opens a copy beside the database as
// the server would (an older schema is migrated, SQLite's quick check must pass), and only then
// renames it into place; never while a server has the database open, and keeping the database it
// replaces as PATH.pre-restore-<UTC time>. Any failure leaves the database as it was.
//
// PostgreSQL has consistent dumps of its own (pg_dump, pg_restore): both calls answer
// kUnsupported saying so (docs/server-configuration.md, "Backup and restore").
#ifndef KEYWARDEN_SERVER_STORE_SERVER_BACKUP_H_
#define KEYWARDEN_SERVER_STORE_SERVER_BACKUP_H_

#include <cstdint>
#include <string>

#include "config/sections.h"
#include "keywarden/status.h"

namespace keywarden::server {

// What a copy of the server's database holds.
struct ServerDatabaseInfo {
  int schema_version = 0;  // PRAGMA user_version
  std::uint64_t users = 0;
  std::uint64_t ciphers = 0;
  std::uint64_t folders = 0;
};

// Copies the database `database` names to `destination` (kAlreadyExists when it exists and
// `overwrite` is false; kNotFound when there is no database). The database is only read, never
// migrated; one written by a newer build is copied as it is. Returns what the copy holds.
Result<ServerDatabaseInfo> BackupServerDatabase(const config::DatabaseSection& database, const std::string& destination,
                                                bool overwrite);

struct RestoredServerDatabase {
  ServerDatabaseInfo backup;  // as read from the backup, before any migration
  int schema_version = 0;     // after opening it as the server does
  std::string previous;       // where the replaced database now lives; "" when there was none
};

// Puts `backup` in place of the database `database` names. kAlreadyExists when a database exists
// and `replace` is false; kUnavailable while a process (a running server) has it open;
// kInvalidArgument when `backup` is not a server database this build understands.
Result<RestoredServerDatabase> RestoreServerDatabase(const config::DatabaseSection& database, const std::string& backup,
                                                     bool replace);

}  // namespace keywarden::server

#endif  // KEYWARDEN_SERVER_STORE_SERVER_BACKUP_H_
