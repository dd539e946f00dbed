// PostgresKeyStore: the KeyStore on a PostgreSQL server, shared by any number of connector
// instances.
//
// Concurrency and durability come from PostgreSQL itself: each write is one statement or one
// transaction, committed by the server (synchronous_commit as the server is configured), and
// concurrent writers from any instance simply queue on row locks. Calls borrow a connection from
// a pool (opened on demand up to the pool size); statements are prepared once per connection.
//
//  - Open runs the schema migrations inside a transaction holding a transaction-level advisory
//    lock, so instances starting together serialise: the first migrates, the others wait and
//    find the work done. A database whose schema is newer than this build's is refused.
//  - InitDataKey is INSERT ... ON CONFLICT DO NOTHING, then a read of what won, in one
//    transaction: racing instances all end up with the first data key.
//  - Faults: every call has a deadline (the connection string's command timeout, plus a margin
//    for the server's own statement_timeout to fire first). A server that is down or unreachable
//    makes calls fail kUnavailable within that time; broken connections are dropped, and the next
//    call opens a new one, so the store recovers on its own when the server is back. Reads and
//    idempotent writes that hit a pooled connection the server had meanwhile closed are retried
//    once on a fresh connection; other writes are not (they may have committed).
//
// Errors: kUnavailable for connection problems, timeouts, shutdowns and conflicts, kInternal
// for the rest, with SQLSTATE and never a row's contents or the password.
#ifndef KEYWARDEN_CONNECTOR_STORE_POSTGRES_KEY_STORE_H_
#define KEYWARDEN_CONNECTOR_STORE_POSTGRES_KEY_STORE_H_

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "connector/store/key_store.h"
#include "sql/postgres/postgres_options.h"

namespace keywarden::sql {
class PgConnection;  // sql/postgres/postgres_connection.h
}  // namespace keywarden::sql

namespace keywarden::connector::store {

class PostgresKeyStore final : public KeyStore {
 public:
  // The schema version this build creates and understands (table keywarden_schema).
  static constexpr int kSchemaVersion = 2;
  // Pool size when the connection string has no "Maximum Pool Size".
  static constexpr std::size_t kDefaultPoolSize = 8;

  // Connects, and creates or migrates the schema. kUnavailable when the server cannot be reached
  // (the reason names host and port), kInvalidArgument for a schema newer than kSchemaVersion.
  // `default_pool_size` applies when options.max_pool_size is unset.
  static Result<std::unique_ptr<PostgresKeyStore>> Open(const sql::PostgresOptions& options,
                                                        std::size_t default_pool_size = kDefaultPoolSize);

  // No call may be in flight on another thread.
  ~PostgresKeyStore() override;
  PostgresKeyStore(const PostgresKeyStore&) = delete;
  PostgresKeyStore& operator=(const PostgresKeyStore&) = delete;

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
  // Runs a query on the server (never answered from the pool alone).
  Status Ping() override;

  // Connections open now (idle and in use); at most pool_size().
  std::size_t open_connections() const;
  std::size_t pool_size() const { return pool_size_; }

 private:
  using Connection = sql::PgConnection;
  // How a call may be repeated after its connection broke (see the header comment).
  enum class Retry { kNever, kOnStaleConnection };
  using Body = std::function<Status(Connection&, std::chrono::steady_clock::time_point deadline)>;

  PostgresKeyStore(const sql::PostgresOptions& options, std::size_t pool_size);

  // Runs `body` on a pooled connection with autocommit (one statement, or reads).
  Status Run(Retry retry, const Body& body);
  // Runs `body` inside BEGIN ... COMMIT; rolled back if it fails. Repeated when the server
  // reports a conflict (deadlock, serialization) or a stale pooled connection failed before COMMIT.
  Status Transact(const Body& body);
  Status Migrate();

  std::chrono::steady_clock::time_point NewDeadline() const;
  Result<std::unique_ptr<Connection>> Acquire(std::chrono::steady_clock::time_point deadline, bool* reused);
  void Release(std::unique_ptr<Connection> connection);

  const sql::PostgresOptions options_;
  const std::size_t pool_size_;

  mutable std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;  // idle + borrowed + being opened
};

}  // namespace keywarden::connector::store

#endif  // KEYWARDEN_CONNECTOR_STORE_POSTGRES_KEY_STORE_H_
