#include "connector/store/sqlite_key_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <limits>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>

#include "connector/store/internal/schema_migrations.h"
#include "connector/store/internal/stored_rows.h"
#include "sql/sqlite/sqlite_error.h"
#include "sql/sqlite/sqlite_migrations.h"

namespace keywarden::connector::store {

using sql::SqliteError;

namespace internal {

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

  // GetUserKey's reusable read transaction (SqliteKeyStore::UseSnapshot).
  bool snapshot_open = false;
  std::uint64_t snapshot_generation = 0;
  std::chrono::steady_clock::time_point snapshot_started;

  // `sql` must be a string literal: its address keys the cache.
  Result<sqlite3_stmt*> Prepare(const char* sql) {
    if (auto it = statements_.find(sql); it != statements_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return SqliteError(rc, "to prepare a statement");
    statements_.emplace(sql, stmt);
    return stmt;
  }

  // Runs SQL text once, uncached (pragmas).
  Status ExecOnce(const std::string& sql, std::string_view what) {
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
    return rc == SQLITE_OK ? OkStatus() : SqliteError(rc, what);
  }

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> statements_;
};

}  // namespace internal

namespace {

using internal::SqliteConnection;

// One use of a cached statement: bind, step, read columns; reset and unbound when destroyed.
// The first failure (prepare, bind, step) sticks and is what Step() reports.
class Query {
 public:
  Query(SqliteConnection& connection, const char* sql, std::string_view what) : db_(connection.db()), what_(what) {
    auto stmt = connection.Prepare(sql);
    if (stmt.ok()) {
      stmt_ = *stmt;
    } else {
      status_ = stmt.status();
    }
  }
  ~Query() {
    if (stmt_ == nullptr) return;
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  // Bound values are not copied (SQLITE_STATIC): they must outlive the query.
  Query& Text(int index, std::string_view text) {
    static const char kEmpty[] = "";
    if (!Bindable(text.size())) return *this;
    return Check(sqlite3_bind_text(stmt_, index, text.empty() ? kEmpty : text.data(), static_cast<int>(text.size()),
                                   SQLITE_STATIC));
  }
  Query& Blob(int index, std::span<const std::uint8_t> blob) {
    // A null pointer would bind NULL, not an empty blob.
    static const std::uint8_t kEmpty[1] = {};
    if (!Bindable(blob.size())) return *this;
    return Check(sqlite3_bind_blob(stmt_, index, blob.empty() ? kEmpty : blob.data(), static_cast<int>(blob.size()),
                                   SQLITE_STATIC));
  }
  Query& Int(int index, std::int64_t value) {
    if (!Bindable(0)) return *this;
    return Check(sqlite3_bind_int64(stmt_, index, value));
  }
  Query& Int(int index, std::optional<std::int64_t> value) {
    if (value.has_value()) return Int(index, *value);
    if (!Bindable(0)) return *this;
    return Check(sqlite3_bind_null(stmt_, index));
  }

  // true: a row is ready; false: done.
  Result<bool> Step() {
    if (!status_.ok()) return status_;
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    status_ = SqliteError(rc, what_);
    return status_;
  }
  // Steps a statement that returns no rows.
  Status Run() {
    auto row = Step();
    return row.ok() ? OkStatus() : row.status();
  }
  // Rows changed by the last Run().
  int changes() const { return sqlite3_changes(db_); }

  std::int64_t ColumnInt(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::optional<std::int64_t> ColumnOptionalInt(int column) const {
    if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
    return ColumnInt(column);
  }
  std::string ColumnText(int column) const {
    const auto* text = sqlite3_column_text(stmt_, column);
    const int size = sqlite3_column_bytes(stmt_, column);
    return text == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(text), size);
  }
  std::vector<std::uint8_t> ColumnBlob(int column) const {
    const auto* blob = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, column));
    const int size = sqlite3_column_bytes(stmt_, column);
    return blob == nullptr ? std::vector<std::uint8_t>() : std::vector<std::uint8_t>(blob, blob + size);
  }

 private:
  // False once something failed (nothing more is bound) or when `size` exceeds SQLite's int.
  bool Bindable(std::size_t size) {
    if (!status_.ok()) return false;
    if (size > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
      status_ = InvalidArgumentError("value too large for SQLite");
      return false;
    }
    return true;
  }
  Query& Check(int rc) {
    if (status_.ok() && rc != SQLITE_OK) status_ = SqliteError(rc, what_);
    return *this;
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string_view what_;
  Status status_;
};

Status Exec(SqliteConnection& connection, const char* sql, std::string_view what) {
  return Query(connection, sql, what).Run();
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

// A queued write; lives on its caller's stack until `done`.
struct SqliteKeyStore::Write {
  explicit Write(WriteFn fn) : apply(std::move(fn)) {}
  WriteFn apply;
  Status status;
  bool done = false;
  std::condition_variable cv;
};

class SqliteKeyStore::ReaderLease {
 public:
  explicit ReaderLease(SqliteKeyStore& store) : store_(store) {
    std::unique_lock lock(store_.read_mu_);
    store_.read_cv_.wait(lock, [&] { return !store_.idle_readers_.empty(); });
    connection_ = std::move(store_.idle_readers_.back());
    store_.idle_readers_.pop_back();
  }
  ~ReaderLease() {
    {
      std::lock_guard lock(store_.read_mu_);
      store_.idle_readers_.push_back(std::move(connection_));
    }
    store_.read_cv_.notify_one();
  }
  ReaderLease(const ReaderLease&) = delete;
  ReaderLease& operator=(const ReaderLease&) = delete;

  Connection& operator*() { return *connection_; }
  Connection* operator->() { return connection_.get(); }

 private:
  SqliteKeyStore& store_;
  std::unique_ptr<Connection> connection_;
};

Result<std::unique_ptr<SqliteKeyStore>> SqliteKeyStore::Open(const std::string& path, const SqliteOptions& options) {
  if (sql::LatestVersion(internal::SqliteMigrationSteps()) != kSchemaVersion) {
    return InternalError("SQLite kSchemaVersion does not name the last embedded schema migration");
  }
  if (path.empty()) return InvalidArgumentError("SQLite database path is empty");
  if (path == ":memory:") {
    return InvalidArgumentError("an in-memory SQLite database cannot be shared by connections; give a file path");
  }
  if (options.read_connections < 1) return InvalidArgumentError("SQLite needs at least one read connection");

  // A new database holds wrapped and sealed keys only, but still is nobody else's business:
  // create it 0600 (SQLite gives its -wal and -shm files the same mode) rather than by umask.
  if (const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600); fd >= 0) ::close(fd);
  KW_ASSIGN_OR_RETURN(auto writer, Connection::Open(path, /*create=*/true, options));
  // The first statements read the file: a file that is not a database fails here.
  Status wal = EnableWal(*writer, options.busy_timeout);
  if (!wal.ok()) return Status(wal.code(), "cannot use '" + path + "': " + wal.message());
  KW_RETURN_IF_ERROR(writer->ExecOnce("PRAGMA synchronous=FULL", "to set synchronous=FULL"));
  KW_RETURN_IF_ERROR(sql::MigrateSqlite(writer->db(), internal::SqliteMigrationSteps()));

  std::vector<std::unique_ptr<Connection>> readers;
  for (int i = 0; i < options.read_connections; ++i) {
    KW_ASSIGN_OR_RETURN(auto reader, Connection::Open(path, /*create=*/false, options));
    KW_RETURN_IF_ERROR(reader->ExecOnce("PRAGMA query_only=ON", "to make a read connection"));
    readers.push_back(std::move(reader));
  }
  return std::unique_ptr<SqliteKeyStore>(new SqliteKeyStore(std::move(writer), std::move(readers), options));
}

SqliteKeyStore::SqliteKeyStore(std::unique_ptr<Connection> writer, std::vector<std::unique_ptr<Connection>> readers,
                               const SqliteOptions& options)
    : options_(options), writer_(std::move(writer)), idle_readers_(std::move(readers)) {
  if (options_.snapshot_window.count() > 0) janitor_ = std::thread([this] { EndIdleSnapshots(); });
}

SqliteKeyStore::~SqliteKeyStore() {
  {
    std::lock_guard lock(read_mu_);
    stopping_ = true;
  }
  janitor_cv_.notify_all();
  if (janitor_.joinable()) janitor_.join();
  for (auto& reader : idle_readers_) EndSnapshot(*reader);
}

Status SqliteKeyStore::UseSnapshot(Connection& reader) {
  const std::uint64_t generation = write_generation_.load(std::memory_order_acquire);
  const auto now = std::chrono::steady_clock::now();
  if (reader.snapshot_open &&
      (reader.snapshot_generation != generation || now - reader.snapshot_started >= options_.snapshot_window)) {
    EndSnapshot(reader);
  }
  if (reader.snapshot_open || options_.snapshot_window.count() <= 0) return OkStatus();
  // Deferred: the snapshot is taken by the first SELECT, after `generation` was read, so it
  // holds every write counted in it.
  KW_RETURN_IF_ERROR(Exec(reader, "BEGIN", "to start a read transaction"));
  reader.snapshot_open = true;
  reader.snapshot_generation = generation;
  reader.snapshot_started = now;
  return OkStatus();
}

void SqliteKeyStore::EndSnapshot(Connection& reader) {
  if (!reader.snapshot_open) return;
  reader.snapshot_open = false;
  if (sqlite3_get_autocommit(reader.db()) == 0) (void)Exec(reader, "COMMIT", "to end a read transaction");
}

void SqliteKeyStore::EndIdleSnapshots() {
  std::unique_lock lock(read_mu_);
  while (!stopping_) {
    janitor_cv_.wait_for(lock, options_.snapshot_window);
    const auto now = std::chrono::steady_clock::now();
    for (auto& reader : idle_readers_) {
      if (reader->snapshot_open && now - reader->snapshot_started >= options_.snapshot_window) EndSnapshot(*reader);
    }
  }
}

std::size_t SqliteKeyStore::pending_writes() const {
  std::lock_guard lock(write_mu_);
  return write_queue_.size();
}

// Group commit, leader/follower: the caller at the front of the queue becomes the leader and
// commits for everyone queued; the others sleep until their write is done or they are in front.
Status SqliteKeyStore::SubmitWrite(WriteFn apply) {
  Write write(std::move(apply));
  std::unique_lock lock(write_mu_);
  write_queue_.push_back(&write);
  write.cv.wait(lock, [&] { return write.done || write_queue_.front() == &write; });
  if (write.done) return write.status;

  // Lock the database before choosing the batch: whatever queues while we wait for another
  // process's transaction rides along in ours.
  lock.unlock();
  const Status begun = Exec(*writer_, "BEGIN IMMEDIATE", "to start a write transaction");
  lock.lock();
  const std::size_t size = std::min(write_queue_.size(), std::max<std::size_t>(options_.max_batch, 1));
  std::vector<Write*> batch(write_queue_.begin(), write_queue_.begin() + static_cast<std::ptrdiff_t>(size));
  lock.unlock();

  if (begun.ok()) {
    RunBatch(batch);
  } else {
    for (Write* w : batch) w->status = begun;
  }

  lock.lock();
  write_queue_.erase(write_queue_.begin(), write_queue_.begin() + static_cast<std::ptrdiff_t>(size));
  for (Write* w : batch) {
    w->done = true;
    if (w != &write) w->cv.notify_one();
  }
  if (!write_queue_.empty()) write_queue_.front()->cv.notify_one();
  return write.status;
}

void SqliteKeyStore::RunBatch(const std::vector<Write*>& batch) {
  Connection& db = *writer_;
  Status fatal;  // a failure that ends the whole transaction
  for (Write* w : batch) {
    write_count_.fetch_add(1, std::memory_order_relaxed);
    // A savepoint per write: a write that fails is undone alone, the rest of the batch stays.
    fatal = Exec(db, "SAVEPOINT kw_write", "to start a write");
    if (!fatal.ok()) break;
    w->status = w->apply(db);
    if (!w->status.ok() && sqlite3_get_autocommit(db.db()) == 0) {
      fatal = Exec(db, "ROLLBACK TO kw_write", "to undo a failed write");
    }
    // Some errors (I/O, disk full) make SQLite roll back the whole transaction by itself.
    if (fatal.ok() && sqlite3_get_autocommit(db.db()) != 0) {
      fatal = w->status.ok() ? UnavailableError("SQLite ended the write transaction") : w->status;
    }
    if (fatal.ok()) fatal = Exec(db, "RELEASE kw_write", "to finish a write");
    if (!fatal.ok()) break;
  }
  if (fatal.ok()) {
    fatal = Exec(db, "COMMIT", "to commit");
    if (fatal.ok()) {
      write_generation_.fetch_add(1, std::memory_order_release);
      commit_count_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
  if (sqlite3_get_autocommit(db.db()) == 0) (void)Exec(db, "ROLLBACK", "to roll back");
  // Nothing in the batch was stored: writes that had succeeded (or never ran) report why.
  for (Write* w : batch) {
    if (w->status.ok()) w->status = fatal;
  }
}

Result<UserKeyRecord> SqliteKeyStore::GetUserKey(std::string_view user_id) {
  ReaderLease reader(*this);
  KW_RETURN_IF_ERROR(UseSnapshot(*reader));
  static constexpr char kSql[] =
      "SELECT id, sealed, data_key_version, creation_date, revision_date, last_access_date "
      "FROM user_keys WHERE id = ?1";
  Result<UserKeyRecord> found = NotFoundError("no key stored for this user");
  {
    Query query(*reader, kSql, "to read a user key");
    query.Text(1, user_id);
    auto row = query.Step();
    if (!row.ok()) {
      found = row.status();
    } else if (*row) {
      found = internal::ReadUserKeyRow(query);
    }
  }
  if (!found.ok() && found.status().code() != ErrorCode::kNotFound) EndSnapshot(*reader);  // afresh next time
  return found;
}

Status SqliteKeyStore::InsertUserKey(const UserKeyRecord& record) {
  return SubmitWrite([&record](Connection& db) -> Status {
    static constexpr char kSql[] =
        "INSERT INTO user_keys(id, sealed, data_key_version, creation_date, revision_date, last_access_date) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO NOTHING";
    Query query(db, kSql, "to insert a user key");
    query.Text(1, record.user_id)
        .Blob(2, record.sealed)
        .Int(3, std::int64_t{record.data_key_version})
        .Int(4, record.creation_date)
        .Int(5, record.revision_date)
        .Int(6, record.last_access_date);
    KW_RETURN_IF_ERROR(query.Run());
    if (query.changes() == 0) return AlreadyExistsError("a key is already stored for this user");
    return OkStatus();
  });
}

Status SqliteKeyStore::UpsertUserKey(const UserKeyRecord& record) {
  return SubmitWrite([&record](Connection& db) -> Status {
    // A replacement keeps creation_date and last_access_date, and is dated by the record's
    // revision_date (or, when the caller gave none, its creation_date: "now").
    static constexpr char kSql[] =
        "INSERT INTO user_keys(id, sealed, data_key_version, creation_date, revision_date, last_access_date) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6) "
        "ON CONFLICT(id) DO UPDATE SET sealed = excluded.sealed, data_key_version = excluded.data_key_version, "
        "revision_date = ?7";
    Query query(db, kSql, "to store a user key");
    query.Text(1, record.user_id)
        .Blob(2, record.sealed)
        .Int(3, std::int64_t{record.data_key_version})
        .Int(4, record.creation_date)
        .Int(5, record.revision_date)
        .Int(6, record.last_access_date)
        .Int(7, record.revision_date.value_or(record.creation_date));
    return query.Run();
  });
}

Status SqliteKeyStore::DeleteUserKey(std::string_view user_id) {
  return SubmitWrite([user_id](Connection& db) -> Status {
    Query query(db, "DELETE FROM user_keys WHERE id = ?1", "to delete a user key");
    query.Text(1, user_id);
    KW_RETURN_IF_ERROR(query.Run());
    if (query.changes() == 0) return NotFoundError("no key stored for this user");
    return OkStatus();
  });
}

Status SqliteKeyStore::RecordLastAccess(std::span<const LastAccess> accesses) {
  if (accesses.empty()) return OkStatus();
  return SubmitWrite([accesses](Connection& db) -> Status {
    // Only existing rows, and never backwards: batches may arrive out of order.
    static constexpr char kSql[] =
        "UPDATE user_keys SET last_access_date = ?2 "
        "WHERE id = ?1 AND (last_access_date IS NULL OR last_access_date < ?2)";
    for (const LastAccess& access : accesses) {
      Query query(db, kSql, "to record a last access");
      query.Text(1, access.user_id).Int(2, access.when);
      KW_RETURN_IF_ERROR(query.Run());
    }
    return OkStatus();
  });
}

Result<std::uint64_t> SqliteKeyStore::CountUserKeys() {
  ReaderLease reader(*this);
  EndSnapshot(*reader);
  Query query(*reader, "SELECT COUNT(*) FROM user_keys", "to count user keys");
  KW_ASSIGN_OR_RETURN(bool row, query.Step());
  if (!row) return InternalError("SQLite returned no count");
  return static_cast<std::uint64_t>(query.ColumnInt(0));
}

namespace {

Status InsertWrapping(SqliteConnection& db, const custody::WrappedDataKey& key) {
  static constexpr char kSql[] =
      "INSERT INTO data_key_wrappings(version, provider_fingerprint, wrapped, creation_date) "
      "VALUES(?1, ?2, ?3, ?4) ON CONFLICT(version, provider_fingerprint) DO UPDATE SET "
      "wrapped = excluded.wrapped, creation_date = excluded.creation_date";
  Query insert(db, kSql, "to store a data key wrapping");
  insert.Int(1, std::int64_t{key.version})
      .Text(2, key.provider_key_fingerprint)
      .Blob(3, key.wrapped)
      .Int(4, key.creation_date);
  return insert.Run();
}

}  // namespace

Result<custody::WrappedDataKey> SqliteKeyStore::InitDataKey(const custody::WrappedDataKey& candidate) {
  if (candidate.version == 0) return InvalidArgumentError("data key versions start at 1");
  std::optional<custody::WrappedDataKey> stored;
  const Status status = SubmitWrite([&candidate, &stored](Connection& db) -> Status {
    Query create(db, "INSERT OR IGNORE INTO data_keys(version, creation_date) VALUES(?1, ?2)",
                 "to create a data key version");
    create.Int(1, std::int64_t{candidate.version}).Int(2, candidate.creation_date);
    KW_RETURN_IF_ERROR(create.Run());
    if (create.changes() == 1) {
      KW_RETURN_IF_ERROR(InsertWrapping(db, candidate));
      stored = candidate;
      return OkStatus();
    }
    // The version exists: prefer the wrapping under the candidate's key, else the oldest.
    static constexpr char kSql[] =
        "SELECT version, wrapped, provider_fingerprint, creation_date FROM data_key_wrappings "
        "WHERE version = ?1 ORDER BY provider_fingerprint = ?2 DESC, creation_date, provider_fingerprint LIMIT 1";
    Query select(db, kSql, "to read a data key");
    select.Int(1, std::int64_t{candidate.version}).Text(2, candidate.provider_key_fingerprint);
    KW_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) return InternalError("data key version " + std::to_string(candidate.version) + " has no wrapping");
    KW_ASSIGN_OR_RETURN(stored, internal::ReadDataKeyRow(select));
    return OkStatus();
  });
  if (!status.ok()) return status;
  return *std::move(stored);
}

Status SqliteKeyStore::PutDataKeyWrapping(const custody::WrappedDataKey& wrapping) {
  return SubmitWrite([&wrapping](Connection& db) -> Status {
    Query exists(db, "SELECT 1 FROM data_keys WHERE version = ?1", "to find a data key version");
    exists.Int(1, std::int64_t{wrapping.version});
    KW_ASSIGN_OR_RETURN(bool row, exists.Step());
    if (!row) return NotFoundError("no data key version " + std::to_string(wrapping.version));
    return InsertWrapping(db, wrapping);
  });
}

Status SqliteKeyStore::DeleteDataKeyWrapping(std::uint32_t version, std::string_view provider_key_fingerprint) {
  return SubmitWrite([version, provider_key_fingerprint](Connection& db) -> Status {
    static constexpr char kCount[] =
        "SELECT COUNT(*), SUM(provider_fingerprint = ?2) FROM data_key_wrappings WHERE version = ?1";
    Query count(db, kCount, "to count data key wrappings");
    count.Int(1, std::int64_t{version}).Text(2, provider_key_fingerprint);
    KW_ASSIGN_OR_RETURN(bool row, count.Step());
    if (!row || count.ColumnOptionalInt(1).value_or(0) == 0) return NotFoundError("no such data key wrapping");
    if (count.ColumnInt(0) == 1) {
      return InvalidArgumentError("refusing to delete the last wrapping of data key version " +
                                  std::to_string(version));
    }
    Query remove(db, "DELETE FROM data_key_wrappings WHERE version = ?1 AND provider_fingerprint = ?2",
                 "to delete a data key wrapping");
    remove.Int(1, std::int64_t{version}).Text(2, provider_key_fingerprint);
    return remove.Run();
  });
}

Result<std::vector<custody::WrappedDataKey>> SqliteKeyStore::ListDataKeys() {
  ReaderLease reader(*this);
  EndSnapshot(*reader);
  static constexpr char kSql[] =
      "SELECT version, wrapped, provider_fingerprint, creation_date FROM data_key_wrappings "
      "ORDER BY version, creation_date, provider_fingerprint";
  Query query(*reader, kSql, "to list data keys");
  std::vector<custody::WrappedDataKey> keys;
  while (true) {
    KW_ASSIGN_OR_RETURN(bool row, query.Step());
    if (!row) break;
    KW_ASSIGN_OR_RETURN(auto key, internal::ReadDataKeyRow(query));
    keys.push_back(std::move(key));
  }
  return keys;
}

Result<std::vector<UserKeyRecord>> SqliteKeyStore::ListUserKeys(std::string_view after, std::size_t limit) {
  if (limit == 0) return std::vector<UserKeyRecord>();
  ReaderLease reader(*this);
  EndSnapshot(*reader);
  static constexpr char kSql[] =
      "SELECT id, sealed, data_key_version, creation_date, revision_date, last_access_date "
      "FROM user_keys WHERE id > ?1 ORDER BY id LIMIT ?2";
  Query query(*reader, kSql, "to list user keys");
  query.Text(1, after).Int(2, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
  std::vector<UserKeyRecord> records;
  while (true) {
    KW_ASSIGN_OR_RETURN(bool row, query.Step());
    if (!row) break;
    KW_ASSIGN_OR_RETURN(auto record, internal::ReadUserKeyRow(query));
    records.push_back(std::move(record));
  }
  return records;
}

Result<std::size_t> SqliteKeyStore::ResealUserKeys(std::span<const Reseal> reseals) {
  std::size_t changed = 0;
  if (reseals.empty()) return changed;
  const Status status = SubmitWrite([reseals, &changed](Connection& db) -> Status {
    static constexpr char kSql[] =
        "UPDATE user_keys SET sealed = ?4, data_key_version = ?5 "
        "WHERE id = ?1 AND data_key_version = ?2 AND sealed = ?3";
    changed = 0;
    for (const Reseal& reseal : reseals) {
      Query query(db, kSql, "to reseal a user key");
      query.Text(1, reseal.user_id)
          .Int(2, std::int64_t{reseal.old_version})
          .Blob(3, reseal.old_sealed)
          .Blob(4, reseal.new_sealed)
          .Int(5, std::int64_t{reseal.new_version});
      KW_RETURN_IF_ERROR(query.Run());
      changed += static_cast<std::size_t>(query.changes());
    }
    return OkStatus();
  });
  if (!status.ok()) return status;
  return changed;
}

Status SqliteKeyStore::PutUserKeysExact(std::span<const UserKeyRecord> records) {
  if (records.empty()) return OkStatus();
  return SubmitWrite([records](Connection& db) -> Status {
    static constexpr char kSql[] =
        "INSERT INTO user_keys(id, sealed, data_key_version, creation_date, revision_date, last_access_date) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6) "
        "ON CONFLICT(id) DO UPDATE SET sealed = excluded.sealed, data_key_version = excluded.data_key_version, "
        "creation_date = excluded.creation_date, revision_date = excluded.revision_date, "
        "last_access_date = excluded.last_access_date";
    for (const UserKeyRecord& record : records) {
      Query query(db, kSql, "to write a user key");
      query.Text(1, record.user_id)
          .Blob(2, record.sealed)
          .Int(3, std::int64_t{record.data_key_version})
          .Int(4, record.creation_date)
          .Int(5, record.revision_date)
          .Int(6, record.last_access_date);
      KW_RETURN_IF_ERROR(query.Run());
    }
    return OkStatus();
  });
}

Result<int> SqliteKeyStore::SchemaVersion() {
  ReaderLease reader(*this);
  EndSnapshot(*reader);
  return sql::SqliteUserVersion(reader->db());
}

Status SqliteKeyStore::Ping() {
  ReaderLease reader(*this);
  EndSnapshot(*reader);
  // Reads the schema from the file, so a vanished or unreadable database shows.
  Query query(*reader, "SELECT COUNT(*) FROM data_key_wrappings", "to answer a ping");
  return query.Step().status();
}

}  // namespace keywarden::connector::store
