// DatabaseKeyStore: the KeyStore on a database server (PostgreSQL, or MariaDB/MySQL) shared by any
// number of connector instances, written once over sql::Database.
//
// Concurrency and durability come from the server: every write is one transaction, concurrent
// writers from any instance queue on row locks, and the pool's retry rules (sql/database.h) say
// which failures run a call again. Where the dialects differ, a statement has its SQL in each
// (upserts, INSERT IGNORE, shared locks), and last-access batches are one array statement on
// PostgreSQL but sorted row updates on MariaDB, which has no arrays.
//
//  - Open runs the schema migrations under a lock (an advisory lock, or GET_LOCK()), so instances
//    starting together take turns; a schema newer than this build's is refused.
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
#include <memory>

#include "connector/store/key_store.h"
#include "sql/database.h"
#include "sql/mariadb/mariadb_options.h"
#include "sql/postgres/postgres_options.h"

namespace keywarden::connector::store {

// The schema version this build creates and understands (table keywarden_schema).
inline constexpr int kPostgresSchemaVersion = 2;
inline constexpr int kMariaDbSchemaVersion = 2;
// Pool size when the options set none.
inline constexpr std::size_t kDefaultPoolSize = 8;

class DatabaseKeyStore final : public KeyStore {
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
  Result<int> SchemaVersion() override;
  // Reads the schema table on the server (never answered from the pool alone).
  Status Ping() override;

  sql::Database& database() { return *database_; }

 private:
  bool Storable(std::string_view key) const { return key.size() <= max_key_bytes_; }
  Status CheckUserId(std::string_view user_id) const;
  Status CheckDataKey(const custody::WrappedDataKey& key) const;

  const std::unique_ptr<sql::Database> database_;
  const std::size_t max_key_bytes_;
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
