#include "server/store/server_database.h"

#include <string>
#include <utility>

#include "server/store/internal/schema_migrations.h"
#include "sql/postgres/postgres_database.h"
#include "sql/postgres/postgres_options.h"
#include "sql/sqlite/sqlite_database.h"

namespace keywarden::server {

Result<std::unique_ptr<sql::Database>> OpenServerDatabase(const config::DatabaseSection& section) {
  switch (section.provider) {
    case config::DatabaseProvider::kSqlite: {
      KW_ASSIGN_OR_RETURN(auto sqlite, sql::SqliteDatabase::Open(section.sqlite_path, sql::SqliteOptions{},
                                                                 store::internal::SqliteMigrationSteps()));
      return std::unique_ptr<sql::Database>(std::move(sqlite));
    }
    case config::DatabaseProvider::kPostgresql: {
      auto options = sql::ParsePostgresConnectionString(section.postgresql);
      if (!options.ok()) return InvalidArgumentError("database.postgresql: " + options.status().message());
      KW_ASSIGN_OR_RETURN(auto postgres, sql::PostgresDatabase::Open(*options, section.connections,
                                                                     store::internal::PostgresMigrationSteps()));
      return std::unique_ptr<sql::Database>(std::move(postgres));
    }
    case config::DatabaseProvider::kMysql:
      return InvalidArgumentError("database.provider: mysql is supported by the key connector, not the server");
  }
  return InternalError("unknown database provider");
}

bool CreatedByOpen(const sql::Database& database) {
  const auto* sqlite = dynamic_cast<const sql::SqliteDatabase*>(&database);
  return sqlite != nullptr && sqlite->created();
}

std::optional<WriteCounts> SqliteWriteCounts(const sql::Database& database) {
  const auto* sqlite = dynamic_cast<const sql::SqliteDatabase*>(&database);
  if (sqlite == nullptr) return std::nullopt;
  return WriteCounts{sqlite->write_count(), sqlite->commit_count()};
}

}  // namespace keywarden::server
