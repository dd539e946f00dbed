#include "connector/reference/reference_settings.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <tuple>

#include "base/ascii.h"
#include "keywarden/crypto/encoding.h"
#include "sql/mariadb/mariadb_options.h"
#include "sql/postgres/postgres_options.h"
#include "sql/sqlite/sqlite_path.h"

namespace keywarden::connector {
namespace {

constexpr std::string_view kPrefix = "keyconnectorsettings__";

std::string_view Trim(std::string_view s) {
  auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

SettingsFile::~SettingsFile() {
  for (auto& [name, value] : entries) WipeString(value);
}

ReferenceSettings::~ReferenceSettings() { WipeString(connection_string); }

Result<SettingsFile> ReadSettingsFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return UnavailableError("cannot read " + path + ": " + std::strerror(errno));
  SettingsFile file;
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string_view text = Trim(line);
    if (text.empty() || text.front() == '#') {
      WipeString(line);
      continue;
    }
    const std::size_t equals = line.find('=');
    const std::string where = path + " line " + std::to_string(number);
    if (equals == std::string::npos) {
      WipeString(line);
      return InvalidArgumentError(where + ": expected NAME=VALUE");
    }
    const std::string name(Trim(std::string_view(line).substr(0, equals)));
    if (name.empty()) {
      WipeString(line);
      return InvalidArgumentError(where + ": the name is empty");
    }
    file.entries.emplace_back(name, line.substr(equals + 1));
    WipeString(line);
  }
  if (in.bad()) return UnavailableError("cannot read " + path);
  return file;
}

Result<ReferenceSettings> LoadReferenceSettings(const SettingsFile& file) {
  ReferenceSettings settings;
  std::set<std::string> seen;
  // (provider, value, name as written) of each connection string given.
  std::vector<std::tuple<std::string, const std::string*, std::string>> connection_strings;
  for (const auto& [name, value] : file.entries) {
    const std::string lower = AsciiLower(name);
    if (!lower.starts_with(kPrefix)) continue;
    if (!seen.insert(lower).second) return InvalidArgumentError(name + " is set twice (names ignore case)");
    const std::string_view key = std::string_view(lower).substr(kPrefix.size());
    if (key == "database__provider") {
      settings.database_provider = AsciiLower(Trim(value));
    } else if (key == "database__jsonfilepath") {
      if (value.empty()) return InvalidArgumentError(name + " must not be empty");
      settings.json_file_path = value;
    } else if (key == "database__sqliteconnectionstring") {
      auto path = sql::ParseSqliteConnectionString(value);
      if (!path.ok()) return InvalidArgumentError(name + ": " + path.status().message());
      settings.sqlite_path = std::move(path).value();
    } else if (key == "database__postgresqlconnectionstring" || key == "database__mysqlconnectionstring") {
      connection_strings.emplace_back(key == "database__postgresqlconnectionstring" ? "postgresql" : "mysql", &value,
                                      name);
    }
  }

  const std::string& provider = settings.database_provider;
  if (provider == "sqlite" && settings.sqlite_path.empty()) {
    return InvalidArgumentError(
        "keyConnectorSettings__database__sqliteConnectionString is required for the sqlite database");
  }
  if (provider == "postgresql" || provider == "mysql") {
    const std::string wanted = provider == "postgresql" ? "postgresql" : "mysql";
    const auto found = std::find_if(connection_strings.begin(), connection_strings.end(),
                                    [&](const auto& entry) { return std::get<0>(entry) == wanted; });
    const std::string setting = provider == "postgresql" ? "keyConnectorSettings__database__postgreSqlConnectionString"
                                                         : "keyConnectorSettings__database__mySqlConnectionString";
    if (found == connection_strings.end()) {
      return InvalidArgumentError(setting + " is required for the " + provider + " database");
    }
    const std::string& text = *std::get<1>(*found);
    const Status parsed = provider == "postgresql" ? sql::ParsePostgresConnectionString(text).status()
                                                   : sql::ParseMariaDbConnectionString(text).status();
    if (!parsed.ok()) return InvalidArgumentError(std::get<2>(*found) + ": " + parsed.message());
    settings.connection_string = text;
  }
  if (provider == "sqlserver" || provider == "mongo") {
    return UnsupportedError("importing the reference's " + provider +
                            " database is not supported by this build (supported: json, sqlite, postgresql, mysql)");
  }
  if (provider != "json" && provider != "sqlite" && provider != "postgresql" && provider != "mysql") {
    return InvalidArgumentError("unknown database provider '" + provider +
                                "' in keyConnectorSettings__database__provider (the reference's are json, sqlite, "
                                "postgresql, mysql, sqlserver, mongo)");
  }
  KW_ASSIGN_OR_RETURN(settings.rsa_key, LoadReferenceRsaKey(file.entries));
  return settings;
}

}  // namespace keywarden::connector
