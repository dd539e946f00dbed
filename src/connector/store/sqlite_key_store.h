// SqliteKeyStore: the KeyStore in one SQLite file.
//
// Durability and concurrency:
//  - WAL journal with synchronous=FULL: a write that returned OK survives a power cut, and
//    readers never wait for the writer.
//  - A small pool of read connections serves GetUserKey, CountUserKeys, ListDataKeys and Ping.
//    GetUserKey, the hot path, reuses a read transaction (snapshot) on its connection until this
//    store commits a write or `snapshot_window` passes: starting a WAL read transaction costs
//    two fcntl locks and an fstat, more than the lookup itself. This store's own writes are
//    visible to the next read at once; another process's writes after at most snapshot_window.
//    A background thread ends snapshots left idle, so they never hold back WAL checkpoints.
//  - Writes go through one writer connection with group commit: callers queue their write, the
//    first in line opens one transaction for everything queued, applies each write inside its own
//    savepoint (so one caller's kAlreadyExists does not undo another's insert), commits once, and
//    hands every caller its own result. N concurrent PUTs share one fsync.
//  - Open runs the schema migrations under BEGIN IMMEDIATE, so several processes opening the same
//    new file serialise; InitDataKey likewise, so they all end up with the same data key.
//
// SQLite failures are kUnavailable (busy, locked, I/O, disk full, cannot open) or kInternal,
// with a one-line message that never includes row contents.
#ifndef KEYWARDEN_CONNECTOR_STORE_SQLITE_KEY_STORE_H_
#define KEYWARDEN_CONNECTOR_STORE_SQLITE_KEY_STORE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "connector/store/key_store.h"

namespace keywarden::connector::store {

namespace internal {
class SqliteConnection;  // one sqlite3 handle and its prepared statements (sqlite_key_store.cc)
}  // namespace internal

struct SqliteOptions {
  // Connections for concurrent reads (at least 1).
  int read_connections = 4;
  // How long a statement waits for a lock held by another connection or process.
  std::chrono::milliseconds busy_timeout{5000};
  // The most writes one group commit carries.
  std::size_t max_batch = 1024;
  // How long GetUserKey may reuse a read snapshot (see above); 0 = a fresh one every read.
  std::chrono::milliseconds snapshot_window{10};
};

class SqliteKeyStore final : public KeyStore {
 public:
  // The schema version this build creates and understands (PRAGMA user_version).
  static constexpr int kSchemaVersion = 3;

  // Opens or creates the database at `path` and brings its schema up to date. A database whose
  // schema is newer than kSchemaVersion is refused (kInvalidArgument), as is a file that is not
  // a SQLite database (kInternal).
  static Result<std::unique_ptr<SqliteKeyStore>> Open(const std::string& path, const SqliteOptions& options = {});

  // No call may be in flight on another thread.
  ~SqliteKeyStore() override;
  SqliteKeyStore(const SqliteKeyStore&) = delete;
  SqliteKeyStore& operator=(const SqliteKeyStore&) = delete;

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

  // Transactions committed and writes applied by the writer since Open (metrics; tests use them
  // to see group commit at work: commit_count() < write_count() under concurrent writes).
  std::uint64_t commit_count() const { return commit_count_.load(std::memory_order_relaxed); }
  std::uint64_t write_count() const { return write_count_.load(std::memory_order_relaxed); }
  // Writes waiting for, or inside, the current group commit.
  std::size_t pending_writes() const;

 private:
  using Connection = internal::SqliteConnection;
  using WriteFn = std::function<Status(Connection&)>;
  struct Write;
  class ReaderLease;  // borrows a read connection for one call

  SqliteKeyStore(std::unique_ptr<Connection> writer, std::vector<std::unique_ptr<Connection>> readers,
                 const SqliteOptions& options);

  // GetUserKey's snapshot on `reader`: kept if still fresh, else ended and begun anew.
  Status UseSnapshot(Connection& reader);
  // Ends `reader`'s snapshot, if any (the other reads run in autocommit mode).
  static void EndSnapshot(Connection& reader);
  // The janitor: ends snapshots of idle read connections once they are older than the window.
  void EndIdleSnapshots();

  // Runs `apply` on the writer inside a group-commit transaction; returns its own result, or the
  // transaction's failure.
  Status SubmitWrite(WriteFn apply);
  // Leader only, inside the open transaction: applies and commits `batch`, setting each status.
  void RunBatch(const std::vector<Write*>& batch);

  const SqliteOptions options_;
  std::unique_ptr<Connection> writer_;  // used only by the current group-commit leader

  mutable std::mutex write_mu_;
  std::deque<Write*> write_queue_;  // front() is the leader

  std::mutex read_mu_;
  std::condition_variable read_cv_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;

  std::atomic<std::uint64_t> write_generation_{0};  // bumped after every commit
  bool stopping_ = false;                           // guarded by read_mu_
  std::condition_variable janitor_cv_;
  std::thread janitor_;

  std::atomic<std::uint64_t> commit_count_{0};
  std::atomic<std::uint64_t> write_count_{0};
};

}  // namespace keywarden::connector::store

#endif  // KEYWARDEN_CONNECTOR_STORE_SQLITE_KEY_STORE_H_
