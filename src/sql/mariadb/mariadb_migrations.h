// Schema migrations (sql/migrations.h) on MariaDB.
//
// The version is the one row of table keywarden_schema. The steps run under GET_LOCK() named
// after the database, so instances starting at once take turns: the second finds the schema
// current and changes nothing. DDL commits by itself in MariaDB, so a step is not atomic with
// its version record: a step must be safe to run again after a crash half-way (IF NOT EXISTS),
// and a failing step leaves the recorded version where it was.
//
// A step may hold several statements: MariaDB runs one per call, so the step's text is split at
// each ';' that ends a line.
#ifndef KEYWARDEN_SQL_MARIADB_MARIADB_MIGRATIONS_H_
#define KEYWARDEN_SQL_MARIADB_MARIADB_MIGRATIONS_H_

#include <chrono>
#include <span>

#include "keywarden/status.h"
#include "sql/mariadb/mariadb_connection.h"
#include "sql/migrations.h"

namespace keywarden::sql {

// Brings the database of `db` up to the last of `steps`, waiting at most `lock_timeout` for
// another instance's migration (then kUnavailable).
Status MigrateMariaDb(MariaDbConnection& db, std::span<const MigrationStep> steps, std::chrono::seconds lock_timeout);

// The version keywarden_schema holds; 0 when it holds none (a new database).
Result<int> MariaDbSchemaVersion(MariaDbConnection& db);

}  // namespace keywarden::sql

#endif  // KEYWARDEN_SQL_MARIADB_MARIADB_MIGRATIONS_H_
