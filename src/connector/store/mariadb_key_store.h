// MariaDbKeyStore: the KeyStore on a MariaDB (10.6 and later) or MySQL (8.0 and later) server,
// through MariaDB Connector/C. Several connector instances may share one database.
//
//  - A pool of up to max_pool_size connections, each with its statements prepared once. A
//    connection is opened when a call needs one and none is idle; one that fails at the
//    connection level (lost, timed out, server restarted) is dropped, so the store recovers by
//    itself when the server returns. A call that fails that way on a connection that had been
//    idle is tried once more on a fresh connection, unless it may already have committed.
//  - InnoDB tables, binary (VARBINARY/BLOB) ids and ciphertexts compared byte for byte, utf8mb4
//    sessions in strict SQL mode. Every write is one transaction; a deadlock is retried.
//  - Open runs the schema migrations under GET_LOCK() named after the database, so instances
//    starting together take turns; a schema newer than kSchemaVersion is refused.
//  - InitDataKey is INSERT IGNORE of the version, then a locking read of what is stored: two
//    instances racing on an empty database both come away with the first one's key.
//  - While the server cannot be reached, every call returns kUnavailable within about the
//    connect, read or write timeout.
//
// Messages never include row contents or the password.
#ifndef KEYWARDEN_CONNECTOR_STORE_MARIADB_KEY_STORE_H_
#define KEYWARDEN_CONNECTOR_STORE_MARIADB_KEY_STORE_H_

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "connector/store/key_store.h"
#include "sql/mariadb/mariadb_options.h"

namespace keywarden::sql {
class MariaDbConnection;  // sql/mariadb/mariadb_connection.h
}  // namespace keywarden::sql

namespace keywarden::connector::store {

class MariaDbKeyStore final : public KeyStore {
 public:
  // The schema version this build creates and understands (table keywarden_schema).
  static constexpr int kSchemaVersion = 2;
  // Pool size when the options set none.
  static constexpr int kDefaultPoolSize = 8;

  // Connects, and creates or migrates the schema. kInvalidArgument for bad options or a schema
  // newer than kSchemaVersion; kUnavailable when the server cannot be reached or refuses the login.
  // `default_pool_size` applies when options.max_pool_size is unset.
  static Result<std::unique_ptr<MariaDbKeyStore>> Open(const sql::MariaDbOptions& options,
                                                       int default_pool_size = kDefaultPoolSize);

  // No call may be in flight on another thread.
  ~MariaDbKeyStore() override;
  MariaDbKeyStore(const MariaDbKeyStore&) = delete;
  MariaDbKeyStore& operator=(const MariaDbKeyStore&) = delete;

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
  Status Ping() override;

 private:
  using Connection = sql::MariaDbConnection;
  using Work = std::function<Status(Connection&)>;
  enum class Kind { kRead, kWrite };
  class Lease;  // borrows a pool slot for one call

  MariaDbKeyStore(sql::MariaDbOptions options, int pool_size, std::unique_ptr<Connection> first);

  // Runs `work` on a pooled connection: as it is (kRead) or inside one transaction (kWrite),
  // with the retries described above.
  Status Run(Kind kind, const Work& work);

  const sql::MariaDbOptions options_;
  const int pool_size_;
  std::mutex mu_;
  std::condition_variable idle_cv_;
  // Idle slots; a null slot has no open connection yet (or its last one was dropped).
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace keywarden::connector::store

#endif  // KEYWARDEN_CONNECTOR_STORE_MARIADB_KEY_STORE_H_
