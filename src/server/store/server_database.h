// The server's database: SQLite by default, PostgreSQL for several instances sharing one.
//
// Opening brings the schema up to date (store/migrations/<dialect>/, applied once, in order, by
// whichever instance opens first). Every piece of the server's state lives here, so that
// instances behind a load balancer need nothing else in common.
#ifndef KEYWARDEN_SERVER_STORE_SERVER_DATABASE_H_
#define KEYWARDEN_SERVER_STORE_SERVER_DATABASE_H_

#include <memory>

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

}  // namespace keywarden::server

#endif  // KEYWARDEN_SERVER_STORE_SERVER_DATABASE_H_
