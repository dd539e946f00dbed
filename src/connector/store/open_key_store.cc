#include "connector/store/open_key_store.h"

#include "connector/store/mariadb_key_store.h"
#include "connector/store/postgres_key_store.h"
#include "connector/store/sqlite_key_store.h"

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
      KW_ASSIGN_OR_RETURN(std::unique_ptr<connector::store::PostgresKeyStore> postgres,
                          connector::store::PostgresKeyStore::Open(*options, database.connections));
      return std::unique_ptr<connector::store::KeyStore>(std::move(postgres));
    }
    case config::DatabaseProvider::kMysql: {
      auto options = sql::ParseMariaDbConnectionString(database.mysql);
      if (!options.ok()) return InvalidArgumentError("database.mysql: " + options.status().message());
      KW_ASSIGN_OR_RETURN(std::unique_ptr<connector::store::MariaDbKeyStore> mariadb,
                          connector::store::MariaDbKeyStore::Open(*options, static_cast<int>(database.connections)));
      return std::unique_ptr<connector::store::KeyStore>(std::move(mariadb));
    }
  }
  return InternalError("unknown database provider");
}

}  // namespace keywarden::connector
