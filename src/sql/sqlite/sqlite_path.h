// The reference Key Connector's SQLite connection string, reduced to the one thing we use: a path.
//
// The reference takes `keyConnectorSettings__database__sqliteConnectionString`, for example
// "Data Source=/etc/bitwarden/data.db". Keys are case-insensitive and `;`-separated, with spaces
// around tokens ignored. Only the file name is honoured; any other setting (Mode, Cache,
// Password, ...) is refused by name rather than silently dropped, so a configuration that
// expects, say, an encrypted or read-only database does not quietly get something else.
#ifndef KEYWARDEN_SQL_SQLITE_SQLITE_PATH_H_
#define KEYWARDEN_SQL_SQLITE_SQLITE_PATH_H_

#include <string>
#include <string_view>

#include "keywarden/status.h"

namespace keywarden::sql {

// "Data Source=PATH" (also "DataSource" or "Filename") -> PATH. kInvalidArgument for a missing
// or empty path, a token without '=', a repeated path, or any other key.
Result<std::string> ParseSqliteConnectionString(std::string_view connection_string);

}  // namespace keywarden::sql

#endif  // KEYWARDEN_SQL_SQLITE_SQLITE_PATH_H_
