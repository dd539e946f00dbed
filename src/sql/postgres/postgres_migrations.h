// Schema migrations (sql/migrations.h) on PostgreSQL.
//
// The version is the one row of table keywarden_schema. The caller runs MigratePostgres inside
// its own transaction (BEGIN ... COMMIT, so that it may retry after a conflict); the steps take
// a transaction-level advisory lock first, so instances starting together queue there and the
// later ones find the work done. DDL is transactional here: a failing step, once the caller
// rolls back, leaves nothing behind, version included.
#ifndef KEYWARDEN_SQL_POSTGRES_POSTGRES_MIGRATIONS_H_
#define KEYWARDEN_SQL_POSTGRES_POSTGRES_MIGRATIONS_H_

#include <span>

#include "keywarden/status.h"
#include "sql/migrations.h"
#include "sql/postgres/postgres_connection.h"

namespace keywarden::sql {

// Brings the database of `db`, inside the caller's open transaction, up to the last of `steps`.
Status MigratePostgres(PgConnection& db, std::span<const MigrationStep> steps, PgDeadline deadline);

}  // namespace keywarden::sql

#endif  // KEYWARDEN_SQL_POSTGRES_POSTGRES_MIGRATIONS_H_
