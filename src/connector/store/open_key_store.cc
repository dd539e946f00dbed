#include "connector/store/open_key_store.h"

#include <filesystem>
#include <string>
#include <system_error>

#include "connector/store/database_key_store.h"

namespace keywarden::connector {

Result<std::unique_ptr<connector::store::KeyStore>> OpenKeyStore(const ConnectorConfig::Database& database) {
  switch (database.provider) {
    case config::DatabaseProvider::kSqlite: {
      KW_ASSIGN_OR_RETURN(std::unique_ptr<connector::store::SqliteKeyStore> sqlite,
                          connector::store::SqliteKeyStore::Open(database.sqlite_path));
      return std::unique_ptr<connector::store::KeyStore>(std::move(sqlite));
    }
    case config::DatabaseProvider::kPostgresql: {
      auto options = sql::ParsePostgresConnectionString(database.postgresql);
      if (!options.ok()) return InvalidArgumentError("database.postgresql: " + options.status().message());
      KW_ASSIGN_OR_RETURN(auto postgres, connector::store::OpenPostgresKeyStore(*options, database.connections));
      return std::unique_ptr<connector::store::KeyStore>(std::move(postgres));
    }
    case config::DatabaseProvider::kMysql: {
      auto options = sql::ParseMariaDbConnectionString(database.mysql);
      if (!options.ok()) return InvalidArgumentError("database.mysql: " + options.status().message());
      KW_ASSIGN_OR_RETURN(auto mariadb, connector::store::OpenMariaDbKeyStore(*options, database.connections));
      return std::unique_ptr<connector::store::KeyStore>(std::move(mariadb));
    }
  }
  return InternalError("unknown database provider");
}

bool SameDatabase(const ConnectorConfig::Database& a, const ConnectorConfig::Database& b) {
  if (a.provider != b.provider) return false;
  if (a.provider == config::DatabaseProvider::kSqlite) {
    std::error_code error;
    if (std::filesystem::equivalent(a.sqlite_path, b.sqlite_path, error)) return true;
    const auto canonical_a = std::filesystem::weakly_canonical(a.sqlite_path, error);
    const auto canonical_b = std::filesystem::weakly_canonical(b.sqlite_path, error);
    return !error && canonical_a == canonical_b;
  }
  // Servers: the same hosts, ports and database name, whoever logs in.
  if (a.provider == config::DatabaseProvider::kPostgresql) {
    auto options_a = sql::ParsePostgresConnectionString(a.postgresql);
    auto options_b = sql::ParsePostgresConnectionString(b.postgresql);
    return options_a.ok() && options_b.ok() &&
           sql::DescribePostgresTarget(*options_a) == sql::DescribePostgresTarget(*options_b);
  }
  if (a.provider == config::DatabaseProvider::kMysql) {
    auto options_a = sql::ParseMariaDbConnectionString(a.mysql);
    auto options_b = sql::ParseMariaDbConnectionString(b.mysql);
    return options_a.ok() && options_b.ok() &&
           sql::DescribeMariaDbTarget(*options_a) == sql::DescribeMariaDbTarget(*options_b);
  }
  return false;
}

}  // namespace keywarden::connector
