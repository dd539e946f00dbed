// Connection strings in the .NET `Key=Value;Key=Value` form, as the reference Key Connector's
// configuration writes them for PostgreSQL (Npgsql) and MySQL (MySqlConnector).
//
// Only the syntax lives here; what each key means is up to each backend's own parser (for
// PostgreSQL store/postgres_options.h). Errors name a key or a position, never a value: values
// include passwords.
#ifndef KEYWARDEN_SQL_CONNECTION_STRING_H_
#define KEYWARDEN_SQL_CONNECTION_STRING_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "keywarden/status.h"

namespace keywarden::sql {

// Splits `text` into (key, value) pairs, in order, keys lower-cased, as .NET's
// DbConnectionStringBuilder reads it:
//   - pairs are separated by ';'; empty pairs (";;", a trailing ';') are ignored;
//   - spaces around keys and unquoted values are trimmed; spaces inside are kept
//     ("User ID" -> "user id");
//   - "==" in a key stands for a literal '=';
//   - a value may be quoted with '"' or '\''; inside, the quote character is written twice
//     ("Password='it''s'" -> it's), and ';' and '=' are plain characters;
//   - an unquoted value runs to the next ';' and must not contain a quote character at its start.
// kInvalidArgument for a pair without '=', an empty key, an unterminated quote, text after a
// closing quote, or a key given twice (also in another case: "Host" and "HOST").
Result<std::vector<std::pair<std::string, std::string>>> ParseKeyValueConnectionString(std::string_view text);

}  // namespace keywarden::sql

#endif  // KEYWARDEN_SQL_CONNECTION_STRING_H_
