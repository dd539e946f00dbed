#include "sql/sqlite/sqlite_error.h"

#include <sqlite3.h>

#include <string>
#include <utility>

namespace keywarden::sql {

bool IsTransientSqliteError(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
    case SQLITE_READONLY:
    case SQLITE_NOMEM: return true;
    default: return false;
  }
}

Status SqliteError(int rc, std::string_view what) {
  std::string message = "SQLite failed " + std::string(what) + ": " + sqlite3_errstr(rc);
  return IsTransientSqliteError(rc) ? UnavailableError(std::move(message)) : InternalError(std::move(message));
}

}  // namespace keywarden::sql
