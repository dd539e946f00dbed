// The server's schema steps, one list per dialect, embedded from store/migrations/<dialect>/.
#ifndef KEYWARDEN_SERVER_STORE_INTERNAL_SCHEMA_MIGRATIONS_H_
#define KEYWARDEN_SERVER_STORE_INTERNAL_SCHEMA_MIGRATIONS_H_

#include <span>

#include "sql/migrations.h"

namespace keywarden::server::store::internal {

std::span<const sql::MigrationStep> SqliteMigrationSteps();
std::span<const sql::MigrationStep> PostgresMigrationSteps();

}  // namespace keywarden::server::store::internal

#endif  // KEYWARDEN_SERVER_STORE_INTERNAL_SCHEMA_MIGRATIONS_H_
