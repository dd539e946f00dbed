#include "connector/key_store_factory.h"

#include "store/sqlite_key_store.h"

namespace keywarden::connector {

Result<std::unique_ptr<store::KeyStore>> OpenKeyStore(const ConnectorConfig::Database& database) {
  if (database.provider == "sqlite") {
    KW_ASSIGN_OR_RETURN(std::unique_ptr<store::SqliteKeyStore> sqlite, store::SqliteKeyStore::Open(database.sqlite_path));
    return std::unique_ptr<store::KeyStore>(std::move(sqlite));
  }
  return UnsupportedError("database provider '" + database.provider + "' is not supported by this build");
}

}  // namespace keywarden::connector
