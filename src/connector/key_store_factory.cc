#include "connector/key_store_factory.h"

#include "store/mariadb_key_store.h"
#include "store/postgres_key_store.h"
#include "store/sqlite_key_store.h"

namespace keywarden::connector {

Result<std::unique_ptr<store::KeyStore>> OpenKeyStore(const ConnectorConfig::Database& database) {
  if (database.provider == "sqlite") {
    KW_ASSIGN_OR_RETURN(std::unique_ptr<store::SqliteKeyStore> sqlite, store::SqliteKeyStore::Open(database.sqlite_path));
    return std::unique_ptr<store::KeyStore>(std::move(sqlite));
  }
  if (database.provider == "postgresql") {
    auto options = store::ParsePostgresConnectionString(database.postgresql);
    if (!options.ok()) return InvalidArgumentError("database.postgresql: " + options.status().message());
    KW_ASSIGN_OR_RETURN(std::unique_ptr<store::PostgresKeyStore> postgres,
                        store::PostgresKeyStore::Open(*options, database.connections));
    return std::unique_ptr<store::KeyStore>(std::move(postgres));
  }
  if (database.provider == "mysql") {
    auto options = store::ParseMariaDbConnectionString(database.mysql);
    if (!options.ok()) return InvalidArgumentError("database.mysql: " + options.status().message());
    KW_ASSIGN_OR_RETURN(std::unique_ptr<store::MariaDbKeyStore> mariadb,
                        store::MariaDbKeyStore::Open(*options, static_cast<int>(database.connections)));
    return std::unique_ptr<store::KeyStore>(std::move(mariadb));
  }
  return UnsupportedError("database provider '" + database.provider + "' is not supported by this build");
}

}  // namespace keywarden::connector
