// DatabaseKeyStore: the KeyStore, written once over sql::Database: in a SQLite file (the default,
// SqliteKeyStore below) or on a PostgreSQL or MariaDB/MySQL server shared by any number of
// connector instances.
//
// Concurrency and durability come from the database: every write is one transaction (on SQLite,
// concurrent ones share one commit), concurrent writers from any instance queue on row locks, and
// the retry rules of sql/database.h say which failures run a call again. Where the dialects
// differ, a statement has its SQL in each (upserts, INSERT IGNORE, shared locks, the schema
// version), and last-access batches are one array statement on PostgreSQL but sorted row updates
// elsewhere.
//
//  - Open runs the schema migrations under a lock (BEGIN IMMEDIATE, an advisory lock, or
//    GET_LOCK()), so instances starting together take turns; a schema newer than this build's is
//    refused.
//  - InitDataKey inserts the version unless it exists, then reads what won, in one transaction:
//    racing instances all end up with the first data key.
//  - MariaDB keeps ids and fingerprints as VARBINARY(255), compared and ordered byte for byte;
//    longer ones are refused on write and cannot be found on read.
//
// Errors: kUnavailable for connection problems, timeouts and busy pools, kInternal for the rest;
// messages carry the SQLSTATE or error number, never a row's contents or the password.
#ifndef KEYWARDEN_CONNECTOR_STORE_DATABASE_KEY_STORE_H_
#define KEYWARDEN_CONNECTOR_STORE_DATABASE_KEY_STORE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "connector/store/key_store.h"
#include "sql/database.h"
#include "sql/mariadb/mariadb_options.h"
#include "sql/postgres/postgres_options.h"
#include "sql/sqlite/sqlite_database.h"

namespace keywarden::connector::store {

// The schema version this build creates and understands (table keywarden_schema).
inline constexpr int kPostgresSchemaVersion = 2;
inline constexpr int kMariaDbSchemaVersion = 2;
// Pool size when the options set none.
inline constexpr std::size_t kDefaultPoolSize = 8;

class DatabaseKeyStore : public KeyStore {
 public:
  explicit DatabaseKeyStore(std::unique_ptr<sql::Database> database);
  DatabaseKeyStore(const DatabaseKeyStore&) = delete;
  DatabaseKeyStore& operator=(const DatabaseKeyStore&) = delete;

  Result<UserKeyRecord> GetUserKey(std::string_view user_id) override;
  Status InsertUserKey(const UserKeyRecord& record) override;
  Status UpsertUserKey(const UserKeyRecord& record) override;
  Status DeleteUserKey(std::string_view user_id) override;
  Status RecordLastAccess(std::span<const LastAccess> accesses) override;
  Result<std::uint64_t> CountUserKeys() override;
  Result<std::vector<UserKeyRecord>> ListUserKeys(std::string_view after, std::size_t limit) override;
  Result<std::size_t> ResealUserKeys(std::span<const Reseal> reseals) override;
  Status PutUserKeysExact(std::span<const UserKeyRecord> records) override;
  Result<custody::WrappedDataKey> InitDataKey(const custody::WrappedDataKey& candidate) override;
  Status PutDataKeyWrapping(const custody::WrappedDataKey& wrapping) override;
  Status DeleteDataKeyWrapping(std::uint32_t version, std::string_view provider_key_fingerprint) override;
  Result<std::vector<custody::WrappedDataKey>> ListDataKeys() override;
  Result<std::vector<std::uint32_t>> SealedDataKeyVersions() override;
  Result<int> SchemaVersion() override;
  // sql::Database::Health, then a read of every table on the server (never answered from the
  // pool alone).
  Status Ping() override;

  sql::Database& database() { return *database_; }

 private:
  bool Storable(std::string_view key) const { return key.size() <= max_key_bytes_; }
  Status CheckUserId(std::string_view user_id) const;
  Status CheckDataKey(const custody::WrappedDataKey& key) const;

  const std::unique_ptr<sql::Database> database_;
  const std::size_t max_key_bytes_;
};

// The store in one SQLite file, typed so that its writer's group-commit counters can be read.
using SqliteOptions = sql::SqliteOptions;
class SqliteKeyStore final : public DatabaseKeyStore {
 public:
  // The schema version this build creates and understands (PRAGMA user_version).
  static constexpr int kSchemaVersion = 3;

  // Opens or creates the database at `path` (sql/sqlite/sqlite_database.h) and brings its schema
  // up to date; a newer schema is refused (kInvalidArgument), as is a file that is not a SQLite
  // database (kInternal).
  static Result<std::unique_ptr<SqliteKeyStore>> Open(const std::string& path, const SqliteOptions& options = {});

  // Open found no schema and created one: a new, empty database.
  bool created() const override;

  std::uint64_t commit_count() const;
  std::uint64_t write_count() const;
  std::size_t pending_writes() const;

 private:
  explicit SqliteKeyStore(std::unique_ptr<sql::SqliteDatabase> database);
  const sql::SqliteDatabase& sqlite_;
};

// Connects, and creates or migrates the schema. kUnavailable when the server cannot be reached
// (the reason names host and port), kInvalidArgument for bad options or a newer schema.
// `default_pool_size` applies when the options set no pool size.
Result<std::unique_ptr<DatabaseKeyStore>> OpenPostgresKeyStore(const sql::PostgresOptions& options,
                                                               std::size_t default_pool_size = kDefaultPoolSize);
Result<std::unique_ptr<DatabaseKeyStore>> OpenMariaDbKeyStore(const sql::MariaDbOptions& options,
                                                              std::size_t default_pool_size = kDefaultPoolSize);

}  // namespace keywarden::connector::store

#endif  // KEYWARDEN_CONNECTOR_STORE_DATABASE_KEY_STORE_H_
