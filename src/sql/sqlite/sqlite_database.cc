#include "sql/sqlite/sqlite_database.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <unordered_map>
#include <utility>

#include "sql/sqlite/sqlite_error.h"
#include "sql/sqlite/sqlite_migrations.h"

namespace keywarden::sql {

// One sqlite3 handle, used by one thread at a time, with its statements prepared once and reused.
class SqliteConnection {
 public:
  static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path, bool create,
                                                        const SqliteOptions& options) {
    sqlite3* db = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    std::unique_ptr<SqliteConnection> connection(new SqliteConnection(db));  // closes db even on failure
    if (rc != SQLITE_OK) return SqliteError(rc, "to open '" + path + "'");
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, static_cast<int>(std::min<std::int64_t>(options.busy_timeout.count(), INT32_MAX)));
    return connection;
  }

  ~SqliteConnection() {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  sqlite3* db() const { return db_; }

  // The reusable read transaction (SqliteDatabase::UseSnapshot).
  bool snapshot_open = false;
  std::uint64_t snapshot_generation = 0;
  std::chrono::steady_clock::time_point snapshot_started;

  // `sql` (with $n placeholders) must have static storage: its address keys the cache.
  Result<sqlite3_stmt*> Prepare(const char* sql) {
    if (auto it = statements_.find(sql); it != statements_.end()) return it->second;
    // ?NNN is SQLite's own numbered parameter.
    std::string numbered(sql);
    for (std::size_t i = 0; i + 1 < numbered.size(); ++i) {
      if (numbered[i] == '$' && numbered[i + 1] >= '1' && numbered[i + 1] <= '9') numbered[i] = '?';
    }
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, numbered.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return SqliteError(rc, "to prepare a statement");
    statements_.emplace(sql, stmt);
    return stmt;
  }

  // Runs a statement without parameters whose rows, if any, are ignored (transaction control,
  // pragmas); `sql` must have static storage, as for Prepare.
  Status Exec(const char* sql, std::string_view what) {
    KW_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
    int rc = sqlite3_step(stmt);
    while (rc == SQLITE_ROW) rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    return rc == SQLITE_DONE ? OkStatus() : SqliteError(rc, what);
  }

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> statements_;
};

namespace {

// Resets and unbinds a cached statement when its use ends, whatever the outcome.
class StatementUse {
 public:
  explicit StatementUse(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~StatementUse() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;

 private:
  sqlite3_stmt* stmt_;
};

// Values are bound SQLITE_STATIC: `value` outlives the statement's use.
int Bind(sqlite3_stmt* stmt, int index, const Params::Value& value) {
  static const char kEmpty[1] = {};  // a null pointer would bind NULL, not an empty value
  if (std::holds_alternative<Params::Null>(value)) return sqlite3_bind_null(stmt, index);
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return sqlite3_bind_int64(stmt, index, *integer);
  if (const auto* text = std::get_if<Params::TextValue>(&value)) {
    if (text->text.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) return SQLITE_TOOBIG;
    return sqlite3_bind_text(stmt, index, text->text.empty() ? kEmpty : text->text.data(),
                             static_cast<int>(text->text.size()), SQLITE_STATIC);
  }
  if (const auto* bytes = std::get_if<Params::BytesValue>(&value)) {
    if (bytes->bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) return SQLITE_TOOBIG;
    return sqlite3_bind_blob(stmt, index, bytes->bytes.empty() ? kEmpty : static_cast<const void*>(bytes->bytes.data()),
                             static_cast<int>(bytes->bytes.size()), SQLITE_STATIC);
  }
  return SQLITE_MISUSE;  // arrays, refused before binding
}

class SqliteSession final : public Session {
 public:
  explicit SqliteSession(SqliteConnection& connection) : connection_(connection) {}

  // The first failure of SQLite itself since the session began (not a unique key taken, which is
  // an answer): what makes a write "failed" for SqliteDatabase::Health.
  const Status& engine_failure() const { return engine_failure_; }

  Result<Rows> Execute(const Statement& statement, const Params& params) override {
    KW_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, PrepareAndBind(statement, params));
    StatementUse use(stmt);
    std::vector<std::vector<Rows::Cell>> rows;
    while (true) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) {
          return AlreadyExistsError(SqliteError(rc, statement.what).message());
        }
        return Failed(SqliteError(rc, statement.what));
      }
      auto& cells = rows.emplace_back(static_cast<std::size_t>(sqlite3_column_count(stmt)));
      for (std::size_t column = 0; column < cells.size(); ++column) {
        const int c = static_cast<int>(column);
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_NULL: break;
          case SQLITE_INTEGER: cells[column] = static_cast<std::int64_t>(sqlite3_column_int64(stmt, c)); break;
          default: {
            const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt, c));
            const int size = sqlite3_column_bytes(stmt, c);
            cells[column] = data == nullptr ? std::string() : std::string(data, static_cast<std::size_t>(size));
          }
        }
      }
    }
    return Rows(std::move(rows), static_cast<std::uint64_t>(sqlite3_changes(connection_.db())));
  }

  Status ForEachRow(const Statement& statement, const Params& params, const RowVisitor& visit) override {
    KW_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, PrepareAndBind(statement, params));
    StatementUse use(stmt);
    const SqliteRow row(stmt);
    while (true) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) return OkStatus();
      if (rc != SQLITE_ROW) return Failed(SqliteError(rc, statement.what));
      KW_RETURN_IF_ERROR(visit(row));
    }
  }

 private:
  // The current row of a stepping statement.
  class SqliteRow final : public RowView {
   public:
    explicit SqliteRow(sqlite3_stmt* stmt) : stmt_(stmt) {}
    Result<std::int64_t> Int(std::size_t column) const override {
      if (Type(column) != SQLITE_INTEGER) {
        return InternalError("the database returned an unexpected value where an integer belongs");
      }
      return static_cast<std::int64_t>(sqlite3_column_int64(stmt_, static_cast<int>(column)));
    }
    std::optional<std::int64_t> OptionalInt(std::size_t column) const override {
      if (Type(column) != SQLITE_INTEGER) return std::nullopt;
      return static_cast<std::int64_t>(sqlite3_column_int64(stmt_, static_cast<int>(column)));
    }
    std::string_view Text(std::size_t column) const override {
      const int type = Type(column);
      if (type != SQLITE_TEXT && type != SQLITE_BLOB) return {};
      const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_, static_cast<int>(column)));
      const int size = sqlite3_column_bytes(stmt_, static_cast<int>(column));
      return data == nullptr ? std::string_view() : std::string_view(data, static_cast<std::size_t>(size));
    }

   private:
    // A column past the last reads as NULL, as in Rows.
    int Type(std::size_t column) const {
      if (column >= static_cast<std::size_t>(sqlite3_column_count(stmt_))) return SQLITE_NULL;
      return sqlite3_column_type(stmt_, static_cast<int>(column));
    }
    sqlite3_stmt* stmt_;
  };

  // The cached statement for `statement`, with `params` bound; the caller resets it (StatementUse).
  Result<sqlite3_stmt*> PrepareAndBind(const Statement& statement, const Params& params) {
    for (const Params::Value& value : params.values()) {
      if (std::holds_alternative<Params::TextArrayValue>(value) ||
          std::holds_alternative<Params::IntArrayValue>(value)) {
        return InternalError("SQLite has no array parameters");
      }
    }
    Result<sqlite3_stmt*> prepared = connection_.Prepare(statement.SqlFor(Dialect::kSqlite));
    if (!prepared.ok()) return Failed(prepared.status());  // a missing table fails here
    sqlite3_stmt* stmt = *prepared;
    const auto& values = params.values();
    if (static_cast<std::size_t>(sqlite3_bind_parameter_count(stmt)) != values.size()) {
      sqlite3_clear_bindings(stmt);
      return InternalError("statement parameter count mismatch");
    }
    for (std::size_t i = 0; i < values.size(); ++i) {
      const int rc = Bind(stmt, static_cast<int>(i + 1), values[i]);
      if (rc != SQLITE_OK) {
        sqlite3_clear_bindings(stmt);
        return Failed(SqliteError(rc, statement.what));
      }
    }
    return stmt;
  }

  Status Failed(Status status) {
    if (engine_failure_.ok()) engine_failure_ = status;
    return status;
  }

  SqliteConnection& connection_;
  Status engine_failure_;
};

// PRAGMA quick_check: O(N) over the file, skipping only the index-to-table cross checks; about
// half a second per million keys. "ok", or the first problem it found.
Status QuickCheck(sqlite3* db, const std::string& path) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &stmt, nullptr);
  std::string verdict;
  if (rc == SQLITE_OK) {
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
      const auto* text = sqlite3_column_text(stmt, 0);
      if (text != nullptr) verdict = reinterpret_cast<const char*>(text);
      rc = SQLITE_OK;
    }
  }
  sqlite3_finalize(stmt);
  if (rc == SQLITE_OK && verdict == "ok") return OkStatus();
  std::string why = rc != SQLITE_OK ? std::string(sqlite3_errstr(rc)) : verdict;
  for (char& c : why) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  if (why.size() > 200) why.resize(200);
  return InternalError("the SQLite database '" + path + "' failed its integrity check (PRAGMA quick_check: " + why +
                       "); restore it from a backup");
}

// Open's proof that the file takes writes: a transaction that rewrites the schema version with
// its own value still writes and syncs a page. A read-only file, a full disk or a file size limit
// fail here, at start-up, instead of at a user's first write.
Status ProbeWrite(sqlite3* db, const std::string& path, int version) {
  const std::string sql = "BEGIN IMMEDIATE; PRAGMA user_version = " + std::to_string(version) + "; COMMIT";
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK) return OkStatus();
  if (sqlite3_get_autocommit(db) == 0) (void)sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  const Status error = SqliteError(rc, "to write");
  return Status(error.code(), "cannot write to the SQLite database '" + path + "': " + error.message());
}

// Changing the journal mode needs an exclusive lock, and SQLite answers SQLITE_BUSY at once,
// without the busy handler, while another process is opening the same new file. So: retry.
Status EnableWal(SqliteConnection& connection, std::chrono::milliseconds patience) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (true) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(connection.db(), "PRAGMA journal_mode=WAL", -1, &stmt, nullptr);
    std::string mode;
    if (rc == SQLITE_OK) {
      rc = sqlite3_step(stmt);
      if (rc == SQLITE_ROW) {
        const auto* text = sqlite3_column_text(stmt, 0);
        if (text != nullptr) mode = reinterpret_cast<const char*>(text);
        rc = SQLITE_OK;
      }
    }
    sqlite3_finalize(stmt);
    if (rc == SQLITE_OK) {
      if (mode == "wal") return OkStatus();
      return UnavailableError("SQLite could not switch the database to WAL journal mode");
    }
    const int primary = rc & 0xff;
    if ((primary != SQLITE_BUSY && primary != SQLITE_LOCKED) || std::chrono::steady_clock::now() >= deadline) {
      return SqliteError(rc, "to switch to WAL journal mode");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

// A queued transaction; lives on its caller's stack until `done`.
struct SqliteDatabase::Write {
  explicit Write(const Work& w) : work(w) {}
  const Work& work;
  Status status;
  bool done = false;
  std::condition_variable cv;
};

class SqliteDatabase::ReaderLease {
 public:
  explicit ReaderLease(SqliteDatabase& database) KW_EXCLUDES(database.read_mu_) : database_(database) {
    MutexLock lock(database_.read_mu_);
    database_.read_cv_.wait(lock.unique_lock(),
                            [&]() KW_REQUIRES(database_.read_mu_) { return !database_.idle_readers_.empty(); });
    connection_ = std::move(database_.idle_readers_.back());
    database_.idle_readers_.pop_back();
  }
  ~ReaderLease() KW_EXCLUDES(database_.read_mu_) {
    {
      MutexLock lock(database_.read_mu_);
      database_.idle_readers_.push_back(std::move(connection_));
    }
    database_.read_cv_.notify_one();
  }
  ReaderLease(const ReaderLease&) = delete;
  ReaderLease& operator=(const ReaderLease&) = delete;

  SqliteConnection& operator*() { return *connection_; }

 private:
  SqliteDatabase& database_;
  std::unique_ptr<SqliteConnection> connection_;
};

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::Open(const std::string& path, const SqliteOptions& options,
                                                             std::span<const MigrationStep> migrations) {
  if (path.empty()) return InvalidArgumentError("SQLite database path is empty");
  if (path == ":memory:") {
    return InvalidArgumentError("an in-memory SQLite database cannot be shared by connections; give a file path");
  }
  if (options.read_connections < 1) return InvalidArgumentError("SQLite needs at least one read connection");

  // A new database holds wrapped and sealed keys only, but still is nobody else's business:
  // create it 0600 (SQLite gives its -wal and -shm files the same mode) rather than by umask.
  if (const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600); fd >= 0) ::close(fd);
  KW_ASSIGN_OR_RETURN(auto writer, SqliteConnection::Open(path, /*create=*/true, options));
  // SQLite quietly opens a file it may not write read-only; every write would then fail.
  if (sqlite3_db_readonly(writer->db(), "main") == 1) {
    return UnavailableError("cannot write to the SQLite database '" + path +
                            "': the file is read-only for this process");
  }
  // The first statements read the file: a file that is not a database fails here.
  Status wal = EnableWal(*writer, options.busy_timeout);
  if (!wal.ok()) return Status(wal.code(), "cannot use '" + path + "': " + wal.message());
  KW_RETURN_IF_ERROR(writer->Exec("PRAGMA synchronous=FULL", "to set synchronous=FULL"));
  KW_RETURN_IF_ERROR(QuickCheck(writer->db(), path));
  KW_ASSIGN_OR_RETURN(const int found_version, SqliteUserVersion(writer->db()));
  KW_RETURN_IF_ERROR(MigrateSqlite(writer->db(), migrations));
  KW_ASSIGN_OR_RETURN(const int version, SqliteUserVersion(writer->db()));
  KW_RETURN_IF_ERROR(ProbeWrite(writer->db(), path, version));
  struct stat opened {};
  if (::stat(path.c_str(), &opened) != 0) {
    return UnavailableError("cannot stat the SQLite database '" + path + "': " + std::strerror(errno));
  }
  const FileId file{static_cast<std::uint64_t>(opened.st_dev), static_cast<std::uint64_t>(opened.st_ino)};

  std::vector<std::unique_ptr<SqliteConnection>> readers;
  for (int i = 0; i < options.read_connections; ++i) {
    KW_ASSIGN_OR_RETURN(auto reader, SqliteConnection::Open(path, /*create=*/false, options));
    KW_RETURN_IF_ERROR(reader->Exec("PRAGMA query_only=ON", "to make a read connection"));
    readers.push_back(std::move(reader));
  }
  return std::unique_ptr<SqliteDatabase>(
      new SqliteDatabase(path, file, /*created=*/found_version == 0, std::move(writer), std::move(readers), options));
}

SqliteDatabase::SqliteDatabase(std::string path, FileId file, bool created, std::unique_ptr<SqliteConnection> writer,
                               std::vector<std::unique_ptr<SqliteConnection>> readers, const SqliteOptions& options)
    : options_(options), path_(std::move(path)), file_(file), created_(created), writer_(std::move(writer)) {
  {
    MutexLock lock(read_mu_);
    idle_readers_ = std::move(readers);
  }
  if (options_.snapshot_window.count() > 0) janitor_ = std::thread([this] { EndIdleSnapshots(); });
}

SqliteDatabase::~SqliteDatabase() {
  {
    MutexLock lock(read_mu_);
    stopping_ = true;
  }
  janitor_cv_.notify_all();
  if (janitor_.joinable()) janitor_.join();
  MutexLock lock(read_mu_);
  for (auto& reader : idle_readers_) EndSnapshot(*reader);
}

Status SqliteDatabase::UseSnapshot(SqliteConnection& reader) {
  const std::uint64_t generation = write_generation_.load(std::memory_order_acquire);
  const auto now = std::chrono::steady_clock::now();
  if (reader.snapshot_open &&
      (reader.snapshot_generation != generation || now - reader.snapshot_started >= options_.snapshot_window)) {
    EndSnapshot(reader);
  }
  if (reader.snapshot_open || options_.snapshot_window.count() <= 0) return OkStatus();
  // Deferred: the snapshot is taken by the first SELECT, after `generation` was read, so it
  // holds every write counted in it.
  KW_RETURN_IF_ERROR(reader.Exec("BEGIN", "to start a read transaction"));
  reader.snapshot_open = true;
  reader.snapshot_generation = generation;
  reader.snapshot_started = now;
  return OkStatus();
}

void SqliteDatabase::EndSnapshot(SqliteConnection& reader) {
  if (!reader.snapshot_open) return;
  reader.snapshot_open = false;
  if (sqlite3_get_autocommit(reader.db()) == 0) (void)reader.Exec("COMMIT", "to end a read transaction");
}

void SqliteDatabase::EndIdleSnapshots() {
  MutexLock lock(read_mu_);
  while (!stopping_) {
    janitor_cv_.wait_for(lock.unique_lock(), options_.snapshot_window);
    const auto now = std::chrono::steady_clock::now();
    for (auto& reader : idle_readers_) {
      if (reader->snapshot_open && now - reader->snapshot_started >= options_.snapshot_window) EndSnapshot(*reader);
    }
  }
}

Status SqliteDatabase::Read(const Work& work, Freshness freshness) {
  ReaderLease reader(*this);
  if (freshness == Freshness::kRecent) {
    KW_RETURN_IF_ERROR(UseSnapshot(*reader));
  } else {
    EndSnapshot(*reader);  // autocommit: each statement sees the latest commit
  }
  SqliteSession session(*reader);
  Status status = work(session);
  // A failed read may have left the snapshot unusable: take a fresh one next time. (kNotFound is
  // an answer, not a failure.)
  if (!status.ok() && status.code() != ErrorCode::kNotFound) EndSnapshot(*reader);
  return status;
}

Status SqliteDatabase::CheckFile() const {
  struct stat now {};
  if (::stat(path_.c_str(), &now) != 0) {
    if (errno == ENOENT) {
      return UnavailableError("the SQLite database '" + path_ +
                              "' was deleted or moved while in use: writes are refused, since they would be lost; "
                              "put the file back and restart");
    }
    return UnavailableError("cannot stat the SQLite database '" + path_ + "': " + std::strerror(errno));
  }
  if (static_cast<std::uint64_t>(now.st_dev) != file_.device || static_cast<std::uint64_t>(now.st_ino) != file_.inode) {
    return UnavailableError("the SQLite database '" + path_ +
                            "' was replaced by another file while in use: writes are refused, since they would be "
                            "lost; put the file back, or restart to use the new one");
  }
  return OkStatus();
}

void SqliteDatabase::RecordWrite(const Status& outcome) {
  if (outcome.ok() && !write_failing_.load(std::memory_order_relaxed)) return;
  MutexLock lock(health_mu_);
  last_write_failure_ = outcome;
  write_failing_.store(!outcome.ok(), std::memory_order_relaxed);
}

Status SqliteDatabase::Health() const {
  KW_RETURN_IF_ERROR(CheckFile());
  if (!write_failing_.load(std::memory_order_relaxed)) return OkStatus();
  MutexLock lock(health_mu_);
  if (last_write_failure_.ok()) return OkStatus();
  return Status(last_write_failure_.code(), "the last write failed: " + last_write_failure_.message());
}

std::size_t SqliteDatabase::pending_writes() const {
  MutexLock lock(write_mu_);
  return write_queue_.size();
}

// Group commit, leader/follower: the caller at the front of the queue becomes the leader and
// commits for everyone queued; the others sleep until their work is done or they are in front.
Status SqliteDatabase::Transact(const Work& work) {
  Write write(work);
  MutexLock lock(write_mu_);
  write_queue_.push_back(&write);
  write.cv.wait(lock.unique_lock(),
                [&]() KW_REQUIRES(write_mu_) { return write.done || write_queue_.front() == &write; });
  if (write.done) return write.status;

  // Lock the database before choosing the batch: whatever queues while we wait for another
  // process's transaction rides along in ours.
  lock.Unlock();
  const Status begun = writer_->Exec("BEGIN IMMEDIATE", "to start a write transaction");
  lock.Lock();
  const std::size_t size = std::min(write_queue_.size(), std::max<std::size_t>(options_.max_batch, 1));
  std::vector<Write*> batch(write_queue_.begin(), write_queue_.begin() + static_cast<std::ptrdiff_t>(size));
  lock.Unlock();

  if (begun.ok()) {
    RunBatch(batch);
    if (std::any_of(batch.begin(), batch.end(), [](const Write* w) { return w->status.ok(); })) NotifyCommitted();
  } else {
    for (Write* w : batch) w->status = begun;
    RecordWrite(begun);
  }

  lock.Lock();
  write_queue_.erase(write_queue_.begin(), write_queue_.begin() + static_cast<std::ptrdiff_t>(size));
  for (Write* w : batch) {
    w->done = true;
    if (w != &write) w->cv.notify_one();
  }
  if (!write_queue_.empty()) write_queue_.front()->cv.notify_one();
  return write.status;
}

void SqliteDatabase::RunBatch(const std::vector<Write*>& batch) {
  SqliteConnection& db = *writer_;
  SqliteSession session(db);
  // A failure that ends the whole transaction. First, the path must still name our file (checked
  // with the write lock held, just before the batch runs; a deletion during its commit, a window
  // of one fsync, is seen by the next batch and by Health).
  Status fatal = CheckFile();
  for (Write* w : batch) {
    if (!fatal.ok()) break;
    write_count_.fetch_add(1, std::memory_order_relaxed);
    // A savepoint per work: one that fails is undone alone, the rest of the batch stays.
    fatal = db.Exec("SAVEPOINT kw_write", "to start a write");
    if (!fatal.ok()) break;
    w->status = w->work(session);
    if (!w->status.ok() && sqlite3_get_autocommit(db.db()) == 0) {
      fatal = db.Exec("ROLLBACK TO kw_write", "to undo a failed write");
    }
    // Some errors (I/O, disk full) make SQLite roll back the whole transaction by itself.
    if (fatal.ok() && sqlite3_get_autocommit(db.db()) != 0) {
      fatal = w->status.ok() ? UnavailableError("SQLite ended the write transaction") : w->status;
    }
    if (fatal.ok()) fatal = db.Exec("RELEASE kw_write", "to finish a write");
    if (!fatal.ok()) break;
  }
  if (fatal.ok()) {
    fatal = db.Exec("COMMIT", "to commit");
    if (fatal.ok()) {
      write_generation_.fetch_add(1, std::memory_order_release);
      commit_count_.fetch_add(1, std::memory_order_relaxed);
      RecordWrite(session.engine_failure());  // a work that failed in SQLite, undone alone
      return;
    }
  }
  RecordWrite(fatal);
  if (sqlite3_get_autocommit(db.db()) == 0) (void)db.Exec("ROLLBACK", "to roll back");
  // Nothing in the batch was stored: work that had succeeded (or never ran) reports why.
  for (Write* w : batch) {
    if (w->status.ok()) w->status = fatal;
  }
}

}  // namespace keywarden::sql
