// SqliteDatabase: the sql::Database in one SQLite file, shared by the threads of a process and by
// any processes (admin tools) that open the same file.
//
//  - WAL journal with synchronous=FULL: a write that returned OK survives a power cut, and
//    readers never wait for the writer. A new file is created 0600.
//  - Read runs on a small pool of read-only connections. A read reuses the read transaction
//    (snapshot) already open on its connection until this Database commits a write or
//    `snapshot_window` passes: starting a WAL read transaction costs two fcntl locks and an fstat,
//    more than a key lookup. So this Database's own writes are visible to the next read at once,
//    other processes' after at most snapshot_window. A background thread ends snapshots left idle,
//    so they never hold back WAL checkpoints.
//  - Transact goes through one writer connection with group commit: callers queue their work, the
//    first in line opens one transaction for everything queued, runs each work inside its own
//    savepoint (so one caller's failure does not undo another's), commits once, and hands every
//    caller its own result. N concurrent writes share one fsync.
//  - Open runs the schema migrations under BEGIN IMMEDIATE (sql/sqlite/sqlite_migrations.h), so
//    several processes opening the same new file take turns. It refuses a file it cannot write
//    (read-only, or a write that fails: a full disk) and one that fails SQLite's quick integrity
//    check, rather than serve until the first write fails or a damaged page is met.
//  - A file deleted, renamed or replaced while open would keep taking writes into an inode that
//    no path reaches any more, lost at the next restart. Each group commit first checks that the
//    path still names the file Open opened (one stat), and refuses the whole batch otherwise;
//    Health() says so too, and reports a write that failed in the database until one succeeds.
//
// SQLite failures are kUnavailable (busy, locked, I/O, disk full, cannot open), kAlreadyExists
// (a unique key) or kInternal, with a one-line message that never includes row contents.
#ifndef KEYWARDEN_SQL_SQLITE_SQLITE_DATABASE_H_
#define KEYWARDEN_SQL_SQLITE_SQLITE_DATABASE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "sql/database.h"
#include "sql/migrations.h"

namespace keywarden::sql {

struct SqliteOptions {
  // Connections for concurrent reads (at least 1).
  int read_connections = 4;
  // How long a statement waits for a lock held by another connection or process.
  std::chrono::milliseconds busy_timeout{5000};
  // The most transactions one group commit carries.
  std::size_t max_batch = 1024;
  // How long a read may reuse a snapshot (see above); 0 = a fresh one every read.
  std::chrono::milliseconds snapshot_window{10};
};

class SqliteConnection;  // one sqlite3 handle and its prepared statements (sqlite_database.cc)

class SqliteDatabase final : public Database {
 public:
  // Opens or creates the database at `path` and brings its schema up to the last of
  // `migrations`. A database whose schema is newer is refused (kInvalidArgument), as are a file
  // that is not a SQLite database or fails the quick integrity check (kInternal), a file this
  // process cannot write to (kUnavailable) and ":memory:" (connections could not share it).
  static Result<std::unique_ptr<SqliteDatabase>> Open(const std::string& path, const SqliteOptions& options,
                                                      std::span<const MigrationStep> migrations);

  // No call may be in flight on another thread.
  ~SqliteDatabase() override;
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  Dialect dialect() const override { return Dialect::kSqlite; }
  using Database::Read;
  Status Read(const Work& work, Freshness freshness) override KW_EXCLUDES(read_mu_);
  Status Transact(const Work& work) override KW_EXCLUDES(write_mu_);
  // The read connections and the writer, all opened by Open.
  std::size_t open_connections() const override { return pool_size(); }
  std::size_t pool_size() const override { return static_cast<std::size_t>(options_.read_connections) + 1; }

  // The file check and the last write's outcome (sql::Database::Health); messages name the path.
  Status Health() const override KW_EXCLUDES(health_mu_);
  // True when Open found no schema (a new file, or an empty one) and created it: a new, empty
  // database, which a service that expected its data should say loudly.
  bool created() const { return created_; }

  // Group commits and transactions committed or attempted by the writer since Open (metrics;
  // tests see group commit at work: commit_count() < write_count() under concurrent writes).
  std::uint64_t commit_count() const { return commit_count_.load(std::memory_order_relaxed); }
  std::uint64_t write_count() const { return write_count_.load(std::memory_order_relaxed); }
  // Transactions waiting for, or inside, the current group commit.
  std::size_t pending_writes() const KW_EXCLUDES(write_mu_);

 private:
  struct Write;
  class ReaderLease;

  // The file Open opened, by device and inode: what the path must still name.
  struct FileId {
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
  };

  SqliteDatabase(std::string path, FileId file, bool created, std::unique_ptr<SqliteConnection> writer,
                 std::vector<std::unique_ptr<SqliteConnection>> readers, const SqliteOptions& options);

  // OK while `path_` names the file Open opened; kUnavailable (deleted, replaced) otherwise.
  Status CheckFile() const;
  // The leader records each group commit's outcome for Health().
  void RecordWrite(const Status& outcome) KW_EXCLUDES(health_mu_);

  // For a kRecent read: the snapshot on `reader`, kept if still fresh, else ended and begun anew.
  Status UseSnapshot(SqliteConnection& reader);
  static void EndSnapshot(SqliteConnection& reader);
  // The janitor: ends snapshots of idle read connections once they are older than the window.
  void EndIdleSnapshots() KW_EXCLUDES(read_mu_);
  // Leader only, inside the open transaction: runs and commits `batch`, setting each status.
  void RunBatch(const std::vector<Write*>& batch);

  const SqliteOptions options_;
  const std::string path_;
  const FileId file_;
  const bool created_;
  const std::unique_ptr<SqliteConnection> writer_;  // used only by the current group-commit leader

  mutable Mutex write_mu_;
  std::deque<Write*> write_queue_ KW_GUARDED_BY(write_mu_);  // front() is the leader

  Mutex read_mu_;
  std::condition_variable read_cv_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_readers_ KW_GUARDED_BY(read_mu_);
  bool stopping_ KW_GUARDED_BY(read_mu_) = false;
  std::condition_variable janitor_cv_;
  std::thread janitor_;

  // The last group commit's failure in the database itself (I/O, full disk, corruption, a missing
  // table, a replaced file); OK once one succeeds. The flag spares successful commits the lock.
  mutable Mutex health_mu_;
  Status last_write_failure_ KW_GUARDED_BY(health_mu_);
  std::atomic<bool> write_failing_{false};

  std::atomic<std::uint64_t> write_generation_{0};  // bumped after every commit
  std::atomic<std::uint64_t> commit_count_{0};
  std::atomic<std::uint64_t> write_count_{0};
};

}  // namespace keywarden::sql

#endif  // KEYWARDEN_SQL_SQLITE_SQLITE_DATABASE_H_
