// Schema migrations (sql/migrations.h) on SQLite.
//
// The version is PRAGMA user_version. All steps run inside one BEGIN IMMEDIATE transaction: a
// second process opening the same new file waits for the write lock (its busy timeout) and then
// finds the work done. A failing step rolls everything back, version included.
#ifndef KEYWARDEN_SQL_SQLITE_SQLITE_MIGRATIONS_H_
#define KEYWARDEN_SQL_SQLITE_SQLITE_MIGRATIONS_H_

#include <span>

#include "keywarden/status.h"
#include "sql/migrations.h"

struct sqlite3;

namespace keywarden::sql {

// Brings the database open on `db` (outside any transaction) up to the last of `steps`.
Status MigrateSqlite(sqlite3* db, std::span<const MigrationStep> steps);

// PRAGMA user_version of the database open on `db`.
Result<int> SqliteUserVersion(sqlite3* db);

}  // namespace keywarden::sql

#endif  // KEYWARDEN_SQL_SQLITE_SQLITE_MIGRATIONS_H_
