// SQLite result codes as Status, the same way for every SQLite user.
//
// Busy, locked, I/O and space problems are kUnavailable (they pass: retry later); the rest
// (corruption, not a database, misuse) are kInternal, for someone to look at. The message uses
// sqlite3_errstr, not sqlite3_errmsg: the generic text for the code can never quote row content.
#ifndef KEYWARDEN_SQL_SQLITE_SQLITE_ERROR_H_
#define KEYWARDEN_SQL_SQLITE_SQLITE_ERROR_H_

#include <string_view>

#include "keywarden/status.h"

namespace keywarden::sql {

// Whether `rc` (primary or extended) is a passing condition.
bool IsTransientSqliteError(int rc);

// "SQLite failed <what>: <generic text>", kUnavailable or kInternal as above.
Status SqliteError(int rc, std::string_view what);

}  // namespace keywarden::sql

#endif  // KEYWARDEN_SQL_SQLITE_SQLITE_ERROR_H_
