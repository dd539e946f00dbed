// The server's database: SQLite by default, PostgreSQL for several instances sharing one.
//
// Opening brings the schema up to date (store/migrations/<dialect>/, applied once, in order, by
// whichever instance opens first). Every piece of the server's state lives here, so that
// instances behind a load balancer need nothing else in common.
#ifndef KEYWARDEN_SERVER_STORE_SERVER_DATABASE_H_
#define KEYWARDEN_SERVER_STORE_SERVER_DATABASE_H_

#include <cstdint>
#include <memory>
#include <optional>

#include "config/sections.h"
#include "keywarden/status.h"
#include "sql/database.h"

namespace keywarden::server {

// Opens the database `section` names (sqlite or postgresql; mysql is refused as not supported
// by the server). Errors name the setting or the file, never a password.
Result<std::unique_ptr<sql::Database>> OpenServerDatabase(const config::DatabaseSection& section);

// True when the database was created by this open (a new SQLite file): a server that expected
// its data should say so loudly.
bool CreatedByOpen(const sql::Database& database);

// Write transactions since the database was opened, and the commits that carried them. On SQLite
// concurrent writers share one commit (one fsync), so commits < transactions under load; these
// feed /metrics, where an operator sees how much the sharing saves. nullopt on PostgreSQL, where
// each transaction is committed on its own connection.
struct WriteCounts {
  std::uint64_t transactions = 0;
  std::uint64_t commits = 0;
};
std::optional<WriteCounts> SqliteWriteCounts(const sql::Database& database);

}  // namespace keywarden::server

#endif  // KEYWARDEN_SERVER_STORE_SERVER_DATABASE_H_
