// OpenKeyStore: the configured database, behind the KeyStore interface.
//
// As in the reference, configuration picks the backend (`database.provider`); everything above
// the store (the service, the admin tools) sees only store::KeyStore.
#ifndef KEYWARDEN_CONNECTOR_KEY_STORE_FACTORY_H_
#define KEYWARDEN_CONNECTOR_KEY_STORE_FACTORY_H_

#include <memory>

#include "connector/config.h"
#include "keywarden/status.h"
#include "store/key_store.h"

namespace keywarden::connector {

// Opens (and migrates) the database `database` names. Errors name the database setting, never
// a password from a connection string.
Result<std::unique_ptr<store::KeyStore>> OpenKeyStore(const ConnectorConfig::Database& database);

}  // namespace keywarden::connector

#endif  // KEYWARDEN_CONNECTOR_KEY_STORE_FACTORY_H_
