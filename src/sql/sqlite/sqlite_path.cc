#include "sql/sqlite/sqlite_path.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "base/ascii.h"

namespace keywarden::sql {
namespace {

std::string_view Trim(std::string_view s) {
  auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool IsPathKey(std::string_view key) {
  return EqualsIgnoreAsciiCase(key, "Data Source") || EqualsIgnoreAsciiCase(key, "DataSource") ||
         EqualsIgnoreAsciiCase(key, "Filename");
}

}  // namespace

Result<std::string> ParseSqliteConnectionString(std::string_view connection_string) {
  std::optional<std::string> path;
  while (!connection_string.empty()) {
    const std::size_t end = std::min(connection_string.find(';'), connection_string.size());
    const std::string_view token = Trim(connection_string.substr(0, end));
    connection_string.remove_prefix(std::min(end + 1, connection_string.size()));
    if (token.empty()) continue;  // "Data Source=x;" and ";;" are harmless

    const std::size_t eq = token.find('=');
    if (eq == std::string_view::npos) {
      return InvalidArgumentError("SQLite connection string setting without '=': expected 'Data Source=PATH'");
    }
    const std::string_view key = Trim(token.substr(0, eq));
    const std::string_view value = Trim(token.substr(eq + 1));
    if (!IsPathKey(key)) {
      return InvalidArgumentError("unsupported SQLite connection string setting '" + std::string(key) + "'");
    }
    if (path.has_value()) return InvalidArgumentError("SQLite connection string names the database file twice");
    if (value.empty()) return InvalidArgumentError("SQLite connection string has an empty 'Data Source'");
    path.emplace(value);
  }
  if (!path.has_value()) return InvalidArgumentError("SQLite connection string has no 'Data Source=PATH'");
  return *std::move(path);
}

}  // namespace keywarden::sql
