// OpenKeyStore: the configured database, behind the store::KeyStore interface.
//
// As in the reference, configuration picks the backend (`database.provider`); everything above
// the store (the service, the admin tools) sees only connector::store::KeyStore.
#ifndef KEYWARDEN_CONNECTOR_STORE_OPEN_KEY_STORE_H_
#define KEYWARDEN_CONNECTOR_STORE_OPEN_KEY_STORE_H_

#include <memory>

#include "connector/config/connector_config.h"
#include "connector/store/key_store.h"
#include "keywarden/status.h"

namespace keywarden::connector {

// Opens (and migrates) the database `database` names. Errors name the database setting, never
// a password from a connection string.
Result<std::unique_ptr<connector::store::KeyStore>> OpenKeyStore(const ConnectorConfig::Database& database);

// True when `a` and `b` are the same database: for SQLite the same file, whatever the path
// that names it (links, "..", relative paths); for PostgreSQL and MySQL the same hosts, ports and
// database name, as the connection strings write them.
bool SameDatabase(const ConnectorConfig::Database& a, const ConnectorConfig::Database& b);

}  // namespace keywarden::connector

#endif  // KEYWARDEN_CONNECTOR_STORE_OPEN_KEY_STORE_H_
