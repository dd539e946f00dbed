// The key stores' schema steps, one list per dialect, compiled in from
// src/connector/store/migrations/<dialect>/V<nnn>__<name>.sql (see cmake/Migrations.cmake).
//
// Version numbers mean the same tables in every dialect. SQLite and PostgreSQL start at 1;
// MariaDB's first schema is version 2, which the others reach in two steps, so its list starts
// at 2 and there is no MariaDB database at version 1. SQLite alone has step 3 (user_keys
// clustered on its id).
#ifndef KEYWARDEN_CONNECTOR_STORE_INTERNAL_SCHEMA_MIGRATIONS_H_
#define KEYWARDEN_CONNECTOR_STORE_INTERNAL_SCHEMA_MIGRATIONS_H_

#include <span>

#include "sql/migrations.h"

namespace keywarden::connector::store::internal {

std::span<const sql::MigrationStep> SqliteMigrationSteps();
std::span<const sql::MigrationStep> PostgresMigrationSteps();
std::span<const sql::MigrationStep> MariaDbMigrationSteps();

}  // namespace keywarden::connector::store::internal

#endif  // KEYWARDEN_CONNECTOR_STORE_INTERNAL_SCHEMA_MIGRATIONS_H_
