#include "connector/store/mariadb_key_store.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <mutex>
#include <optional>
#include <span>
#include <utility>

#include "connector/store/internal/schema_migrations.h"
#include "connector/store/internal/stored_rows.h"
#include "sql/mariadb/mariadb_connection.h"
#include "sql/mariadb/mariadb_migrations.h"

namespace keywarden::connector::store {
namespace {

using sql::MariaDbConnection;
using sql::MariaDbStatement;

// Ids and fingerprints are VARBINARY(255): compared and ordered byte for byte, no padding.
constexpr std::size_t kMaxKeyBytes = 255;

Status CheckUserId(std::string_view user_id) {
  if (user_id.size() > kMaxKeyBytes) return InvalidArgumentError("user id is longer than 255 bytes");
  return OkStatus();
}

Status CheckDataKey(const custody::WrappedDataKey& key) {
  if (key.version == 0) return InvalidArgumentError("data key versions start at 1");
  if (key.provider_key_fingerprint.size() > kMaxKeyBytes) {
    return InvalidArgumentError("provider key fingerprint is longer than 255 bytes");
  }
  return OkStatus();
}

Status ValidateOptions(const sql::MariaDbOptions& options, int pool_size) {
  if (options.database.empty()) return InvalidArgumentError("MariaDB database name is empty");
  if (options.user.empty()) return InvalidArgumentError("MariaDB user name is empty");
  if (pool_size < 1 || pool_size > 1000) {
    return InvalidArgumentError("MariaDB pool size must be from 1 to 1000");
  }
  for (auto timeout : {options.connect_timeout, options.read_timeout, options.write_timeout}) {
    if (timeout < std::chrono::seconds(1) || timeout > std::chrono::hours(24)) {
      return InvalidArgumentError("MariaDB timeouts must be from 1 second to 24 hours");
    }
  }
  if (options.read_timeout < std::chrono::seconds(2)) {
    return InvalidArgumentError("MariaDB read timeout must be at least 2 seconds (lock waits end a second sooner)");
  }
  return OkStatus();
}

Status InsertWrapping(MariaDbConnection& connection, const custody::WrappedDataKey& key) {
  static constexpr char kSql[] =
      "INSERT INTO data_key_wrappings(version, provider_fingerprint, wrapped, creation_date) VALUES(?, ?, ?, ?) "
      "ON DUPLICATE KEY UPDATE wrapped = ?, creation_date = ?";
  MariaDbStatement insert(connection, kSql, "to store a data key wrapping");
  return insert.Int(std::int64_t{key.version})
      .Bytes(key.provider_key_fingerprint)
      .Bytes(key.wrapped)
      .Int(key.creation_date)
      .Bytes(key.wrapped)
      .Int(key.creation_date)
      .Run();
}

// Appends each remaining row of `query`, as `read_row` reads it, to `out`.
template <typename T, typename ReadRow>
Status ReadEveryRow(MariaDbStatement& query, ReadRow read_row, std::vector<T>& out) {
  while (true) {
    KW_ASSIGN_OR_RETURN(bool row, query.Next());
    if (!row) return OkStatus();
    KW_ASSIGN_OR_RETURN(T value, read_row(query));
    out.push_back(std::move(value));
  }
}

}  // namespace

// A pool slot held for one call. Prefers an open connection; opens one when the slot has none.
class MariaDbKeyStore::Lease {
 public:
  explicit Lease(MariaDbKeyStore& store) : store_(store) {}
  ~Lease() {
    if (!has_slot_) return;
    const bool broken = connection_ != nullptr && connection_->broken();
    {
      std::lock_guard lock(store_.mu_);
      if (broken) {
        // The others probably went with it (a restarted or failed-over server): reopen them all.
        connection_.reset();
        for (auto& idle : store_.idle_) idle.reset();
      }
      store_.idle_.push_back(std::move(connection_));
    }
    store_.idle_cv_.notify_one();
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  Status Acquire() {
    {
      std::unique_lock lock(store_.mu_);
      const auto timeout = store_.options_.connect_timeout;
      if (!store_.idle_cv_.wait_for(lock, timeout, [&] { return !store_.idle_.empty(); })) {
        return UnavailableError("all " + std::to_string(store_.pool_size_) + " MariaDB connections stayed busy for " +
                                std::to_string(timeout.count()) + " s");
      }
      auto& idle = store_.idle_;
      auto open = std::find_if(idle.rbegin(), idle.rend(), [](const auto& c) { return c != nullptr; });
      if (open != idle.rend()) std::iter_swap(open, idle.rbegin());
      connection_ = std::move(idle.back());
      idle.pop_back();
      has_slot_ = true;
    }
    reused_ = connection_ != nullptr;
    if (!reused_) {
      KW_ASSIGN_OR_RETURN(connection_, MariaDbConnection::Connect(store_.options_));
    }
    return OkStatus();
  }

  MariaDbConnection& connection() { return *connection_; }
  // The connection was open before this call (it may have gone stale meanwhile).
  bool reused() const { return reused_; }

 private:
  MariaDbKeyStore& store_;
  std::unique_ptr<MariaDbConnection> connection_;
  bool has_slot_ = false;
  bool reused_ = false;
};

Result<std::unique_ptr<MariaDbKeyStore>> MariaDbKeyStore::Open(const sql::MariaDbOptions& options,
                                                               int default_pool_size) {
  if (sql::LatestVersion(internal::MariaDbMigrationSteps()) != kSchemaVersion) {
    return InternalError("MariaDB kSchemaVersion does not name the last embedded schema migration");
  }
  const int pool_size = options.max_pool_size.value_or(default_pool_size);
  KW_RETURN_IF_ERROR(ValidateOptions(options, pool_size));
  // Connector/C's global set-up is not thread-safe; do it once, before any connection.
  static std::once_flag library_once;
  static bool library_ready = false;
  std::call_once(library_once, [] { library_ready = mysql_library_init(0, nullptr, nullptr) == 0; });
  if (!library_ready) return InternalError("MariaDB client library failed to initialise");

  KW_ASSIGN_OR_RETURN(auto first, MariaDbConnection::Connect(options));
  KW_RETURN_IF_ERROR(sql::MigrateMariaDb(*first, internal::MariaDbMigrationSteps(), options.migration_lock_timeout));
  return std::unique_ptr<MariaDbKeyStore>(new MariaDbKeyStore(options.Clone(), pool_size, std::move(first)));
}

MariaDbKeyStore::MariaDbKeyStore(sql::MariaDbOptions options, int pool_size, std::unique_ptr<Connection> first)
    : options_(std::move(options)), pool_size_(pool_size) {
  idle_.resize(static_cast<std::size_t>(pool_size_ - 1));
  idle_.push_back(std::move(first));
}

MariaDbKeyStore::~MariaDbKeyStore() = default;

Status MariaDbKeyStore::Run(Kind kind, const Work& work) {
  constexpr int kMaxDeadlockRetries = 3;
  for (int attempt = 0;; ++attempt) {
    Lease lease(*this);
    KW_RETURN_IF_ERROR(lease.Acquire());
    const auto started = std::chrono::steady_clock::now();
    Connection& connection = lease.connection();
    connection.set_commit_sent(false);
    connection.clear_last_error();

    Status status;
    if (kind == Kind::kRead) {
      status = work(connection);
    } else {
      status = connection.Execute("START TRANSACTION", "to start a transaction");
      if (status.ok()) {
        status = work(connection);
        if (!status.ok()) {
          if (!connection.broken() && !connection.Execute("ROLLBACK", "to roll back").ok()) connection.Discard();
        } else {
          connection.set_commit_sent(true);
          status = connection.Execute("COMMIT", "to commit");
          if (!status.ok() && connection.broken()) {
            return UnavailableError(status.message() + "; the write may or may not have been stored");
          }
        }
      }
    }
    if (status.ok()) return status;

    // A connection that had sat idle may have died with a restarted server: it fails at once, and
    // nothing of this call was committed, so the call can run again on a fresh connection. (One
    // that timed out met a stalled server; another try would only wait again.)
    const bool failed_at_once = std::chrono::steady_clock::now() - started < options_.connect_timeout;
    const bool stale =
        connection.broken() && lease.reused() && !connection.commit_sent() && failed_at_once && attempt == 0;
    // InnoDB rolled the whole transaction back to break a deadlock; running it again is safe.
    const bool deadlock =
        !connection.broken() && connection.last_error() == sql::kErrDeadlock && attempt < kMaxDeadlockRetries;
    if (!stale && !deadlock) return status;
  }
}

Result<UserKeyRecord> MariaDbKeyStore::GetUserKey(std::string_view user_id) {
  if (user_id.size() > kMaxKeyBytes) return NotFoundError("no key stored for this user");
  std::optional<UserKeyRecord> found;
  const Status done = Run(Kind::kRead, [&](Connection& db) -> Status {
    static constexpr char kSql[] =
        "SELECT id, sealed, data_key_version, creation_date, revision_date, last_access_date "
        "FROM user_keys WHERE id = ?";
    found.reset();
    MariaDbStatement query(db, kSql, "to read a user key");
    KW_RETURN_IF_ERROR(query.Bytes(user_id).Run());
    KW_ASSIGN_OR_RETURN(bool row, query.Next());
    if (row) {
      KW_ASSIGN_OR_RETURN(found, internal::ReadUserKeyRow(query));
    }
    return OkStatus();
  });
  if (!done.ok()) return done;
  if (!found.has_value()) return NotFoundError("no key stored for this user");
  return *std::move(found);
}

Status MariaDbKeyStore::InsertUserKey(const UserKeyRecord& record) {
  KW_RETURN_IF_ERROR(CheckUserId(record.user_id));
  return Run(Kind::kWrite, [&](Connection& db) -> Status {
    static constexpr char kSql[] =
        "INSERT INTO user_keys(id, sealed, data_key_version, creation_date, revision_date, last_access_date) "
        "VALUES(?, ?, ?, ?, ?, ?)";
    MariaDbStatement query(db, kSql, "to insert a user key");
    const Status status = query.Bytes(record.user_id)
                              .Bytes(record.sealed)
                              .Int(std::int64_t{record.data_key_version})
                              .Int(record.creation_date)
                              .Int(record.revision_date)
                              .Int(record.last_access_date)
                              .Run();
    if (!status.ok() && db.last_error() == sql::kErrDuplicateEntry) {
      return AlreadyExistsError("a key is already stored for this user");
    }
    return status;
  });
}

Status MariaDbKeyStore::UpsertUserKey(const UserKeyRecord& record) {
  KW_RETURN_IF_ERROR(CheckUserId(record.user_id));
  return Run(Kind::kWrite, [&](Connection& db) -> Status {
    // A replacement keeps creation_date and last_access_date, and is dated by the record's
    // revision_date (or, when the caller gave none, its creation_date: "now").
    static constexpr char kSql[] =
        "INSERT INTO user_keys(id, sealed, data_key_version, creation_date, revision_date, last_access_date) "
        "VALUES(?, ?, ?, ?, ?, ?) "
        "ON DUPLICATE KEY UPDATE sealed = ?, data_key_version = ?, revision_date = ?";
    MariaDbStatement query(db, kSql, "to store a user key");
    return query.Bytes(record.user_id)
        .Bytes(record.sealed)
        .Int(std::int64_t{record.data_key_version})
        .Int(record.creation_date)
        .Int(record.revision_date)
        .Int(record.last_access_date)
        .Bytes(record.sealed)
        .Int(std::int64_t{record.data_key_version})
        .Int(record.revision_date.value_or(record.creation_date))
        .Run();
  });
}

Status MariaDbKeyStore::DeleteUserKey(std::string_view user_id) {
  if (user_id.size() > kMaxKeyBytes) return NotFoundError("no key stored for this user");
  return Run(Kind::kWrite, [&](Connection& db) -> Status {
    MariaDbStatement query(db, "DELETE FROM user_keys WHERE id = ?", "to delete a user key");
    KW_RETURN_IF_ERROR(query.Bytes(user_id).Run());
    if (query.affected_rows() == 0) return NotFoundError("no key stored for this user");
    return OkStatus();
  });
}

Status MariaDbKeyStore::RecordLastAccess(std::span<const LastAccess> accesses) {
  // In id order, so that instances flushing overlapping batches lock rows in the same order.
  std::vector<const LastAccess*> sorted;
  sorted.reserve(accesses.size());
  for (const LastAccess& access : accesses) {
    if (access.user_id.size() <= kMaxKeyBytes) sorted.push_back(&access);  // longer ids cannot be stored
  }
  if (sorted.empty()) return OkStatus();
  std::sort(sorted.begin(), sorted.end(),
            [](const LastAccess* a, const LastAccess* b) { return a->user_id < b->user_id; });
  return Run(Kind::kWrite, [&](Connection& db) -> Status {
    // Only existing rows, and never backwards: batches may arrive out of order.
    static constexpr char kSql[] =
        "UPDATE user_keys SET last_access_date = ? "
        "WHERE id = ? AND (last_access_date IS NULL OR last_access_date < ?)";
    for (const LastAccess* access : sorted) {
      MariaDbStatement query(db, kSql, "to record a last access");
      KW_RETURN_IF_ERROR(query.Int(access->when).Bytes(access->user_id).Int(access->when).Run());
    }
    return OkStatus();
  });
}

Result<std::uint64_t> MariaDbKeyStore::CountUserKeys() {
  std::uint64_t count = 0;
  const Status done = Run(Kind::kRead, [&](Connection& db) -> Status {
    MariaDbStatement query(db, "SELECT COUNT(*) FROM user_keys", "to count user keys");
    KW_RETURN_IF_ERROR(query.Run());
    KW_ASSIGN_OR_RETURN(bool row, query.Next());
    if (!row) return InternalError("MariaDB returned no count");
    count = static_cast<std::uint64_t>(query.ColumnInt(0));
    return OkStatus();
  });
  if (!done.ok()) return done;
  return count;
}

Result<std::vector<UserKeyRecord>> MariaDbKeyStore::ListUserKeys(std::string_view after, std::size_t limit) {
  std::vector<UserKeyRecord> records;
  if (limit == 0) return records;
  const Status done = Run(Kind::kRead, [&](Connection& db) -> Status {
    static constexpr char kSql[] =
        "SELECT id, sealed, data_key_version, creation_date, revision_date, last_access_date "
        "FROM user_keys WHERE id > ? ORDER BY id LIMIT ?";
    records.clear();
    MariaDbStatement query(db, kSql, "to list user keys");
    const auto bounded =
        static_cast<std::int64_t>(std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()));
    KW_RETURN_IF_ERROR(query.Bytes(after).Int(bounded).Run());
    return ReadEveryRow(query, internal::ReadUserKeyRow<MariaDbStatement>, records);
  });
  if (!done.ok()) return done;
  return records;
}

Result<std::size_t> MariaDbKeyStore::ResealUserKeys(std::span<const Reseal> reseals) {
  std::size_t changed = 0;
  if (reseals.empty()) return changed;
  const Status done = Run(Kind::kWrite, [&](Connection& db) -> Status {
    static constexpr char kSql[] =
        "UPDATE user_keys SET sealed = ?, data_key_version = ? "
        "WHERE id = ? AND data_key_version = ? AND sealed = ?";
    changed = 0;
    for (const Reseal& reseal : reseals) {
      if (reseal.user_id.size() > kMaxKeyBytes) continue;  // cannot exist
      MariaDbStatement query(db, kSql, "to reseal a user key");
      KW_RETURN_IF_ERROR(query.Bytes(reseal.new_sealed)
                             .Int(std::int64_t{reseal.new_version})
                             .Bytes(reseal.user_id)
                             .Int(std::int64_t{reseal.old_version})
                             .Bytes(reseal.old_sealed)
                             .Run());
      changed += static_cast<std::size_t>(query.affected_rows());
    }
    return OkStatus();
  });
  if (!done.ok()) return done;
  return changed;
}

Status MariaDbKeyStore::PutUserKeysExact(std::span<const UserKeyRecord> records) {
  if (records.empty()) return OkStatus();
  for (const UserKeyRecord& record : records) KW_RETURN_IF_ERROR(CheckUserId(record.user_id));
  return Run(Kind::kWrite, [&](Connection& db) -> Status {
    static constexpr char kSql[] =
        "INSERT INTO user_keys(id, sealed, data_key_version, creation_date, revision_date, last_access_date) "
        "VALUES(?, ?, ?, ?, ?, ?) "
        "ON DUPLICATE KEY UPDATE sealed = ?, data_key_version = ?, creation_date = ?, revision_date = ?, "
        "last_access_date = ?";
    for (const UserKeyRecord& record : records) {
      MariaDbStatement query(db, kSql, "to write a user key");
      KW_RETURN_IF_ERROR(query.Bytes(record.user_id)
                             .Bytes(record.sealed)
                             .Int(std::int64_t{record.data_key_version})
                             .Int(record.creation_date)
                             .Int(record.revision_date)
                             .Int(record.last_access_date)
                             .Bytes(record.sealed)
                             .Int(std::int64_t{record.data_key_version})
                             .Int(record.creation_date)
                             .Int(record.revision_date)
                             .Int(record.last_access_date)
                             .Run());
    }
    return OkStatus();
  });
}

Result<custody::WrappedDataKey> MariaDbKeyStore::InitDataKey(const custody::WrappedDataKey& candidate) {
  KW_RETURN_IF_ERROR(CheckDataKey(candidate));
  std::optional<custody::WrappedDataKey> stored;
  const Status done = Run(Kind::kWrite, [&](Connection& db) -> Status {
    stored.reset();
    // A racing instance's uncommitted row makes this wait for its commit, then do nothing.
    MariaDbStatement create(db, "INSERT IGNORE INTO data_keys(version, creation_date) VALUES(?, ?)",
                            "to create a data key version");
    KW_RETURN_IF_ERROR(create.Int(std::int64_t{candidate.version}).Int(candidate.creation_date).Run());
    if (create.affected_rows() == 1) {
      KW_RETURN_IF_ERROR(InsertWrapping(db, candidate));
      stored = candidate;
      return OkStatus();
    }
    // The version exists: prefer the wrapping under the candidate's key, else the oldest. A
    // locking read sees the latest commit, whatever this transaction's snapshot.
    static constexpr char kSql[] =
        "SELECT version, wrapped, provider_fingerprint, creation_date FROM data_key_wrappings "
        "WHERE version = ? ORDER BY provider_fingerprint = ? DESC, creation_date, provider_fingerprint "
        "LIMIT 1 LOCK IN SHARE MODE";
    MariaDbStatement select(db, kSql, "to read a data key");
    KW_RETURN_IF_ERROR(select.Int(std::int64_t{candidate.version}).Bytes(candidate.provider_key_fingerprint).Run());
    KW_ASSIGN_OR_RETURN(bool row, select.Next());
    if (!row) return InternalError("data key version " + std::to_string(candidate.version) + " has no wrapping");
    KW_ASSIGN_OR_RETURN(stored, internal::ReadDataKeyRow(select));
    return OkStatus();
  });
  if (!done.ok()) return done;
  return *std::move(stored);
}

Status MariaDbKeyStore::PutDataKeyWrapping(const custody::WrappedDataKey& wrapping) {
  KW_RETURN_IF_ERROR(CheckDataKey(wrapping));
  return Run(Kind::kWrite, [&](Connection& db) -> Status {
    MariaDbStatement exists(db, "SELECT 1 FROM data_keys WHERE version = ? LOCK IN SHARE MODE",
                            "to find a data key version");
    KW_RETURN_IF_ERROR(exists.Int(std::int64_t{wrapping.version}).Run());
    KW_ASSIGN_OR_RETURN(bool row, exists.Next());
    if (!row) return NotFoundError("no data key version " + std::to_string(wrapping.version));
    return InsertWrapping(db, wrapping);
  });
}

Status MariaDbKeyStore::DeleteDataKeyWrapping(std::uint32_t version, std::string_view provider_key_fingerprint) {
  if (provider_key_fingerprint.size() > kMaxKeyBytes) return NotFoundError("no such data key wrapping");
  return Run(Kind::kWrite, [&](Connection& db) -> Status {
    // FOR UPDATE locks the version's wrappings: two deletes cannot both see a spare one.
    static constexpr char kCount[] =
        "SELECT COUNT(*), COUNT(CASE WHEN provider_fingerprint = ? THEN 1 END) FROM data_key_wrappings "
        "WHERE version = ? FOR UPDATE";
    MariaDbStatement count(db, kCount, "to count data key wrappings");
    KW_RETURN_IF_ERROR(count.Bytes(provider_key_fingerprint).Int(std::int64_t{version}).Run());
    KW_ASSIGN_OR_RETURN(bool row, count.Next());
    if (!row || count.ColumnInt(1) == 0) return NotFoundError("no such data key wrapping");
    if (count.ColumnInt(0) == 1) {
      return InvalidArgumentError("refusing to delete the last wrapping of data key version " +
                                  std::to_string(version));
    }
    MariaDbStatement remove(db, "DELETE FROM data_key_wrappings WHERE version = ? AND provider_fingerprint = ?",
                            "to delete a data key wrapping");
    return remove.Int(std::int64_t{version}).Bytes(provider_key_fingerprint).Run();
  });
}

Result<std::vector<custody::WrappedDataKey>> MariaDbKeyStore::ListDataKeys() {
  std::vector<custody::WrappedDataKey> keys;
  const Status done = Run(Kind::kRead, [&](Connection& db) -> Status {
    static constexpr char kSql[] =
        "SELECT version, wrapped, provider_fingerprint, creation_date FROM data_key_wrappings "
        "ORDER BY version, creation_date, provider_fingerprint";
    keys.clear();
    MariaDbStatement query(db, kSql, "to list data keys");
    KW_RETURN_IF_ERROR(query.Run());
    return ReadEveryRow(query, internal::ReadDataKeyRow<MariaDbStatement>, keys);
  });
  if (!done.ok()) return done;
  return keys;
}

Result<int> MariaDbKeyStore::SchemaVersion() {
  int version = 0;
  const Status done = Run(Kind::kRead, [&](Connection& db) -> Status {
    KW_ASSIGN_OR_RETURN(version, sql::MariaDbSchemaVersion(db));
    return OkStatus();
  });
  if (!done.ok()) return done;
  return version;
}

Status MariaDbKeyStore::Ping() {
  // A round trip that reads the schema, so a missing table or a dead engine shows too.
  return Run(Kind::kRead, [](Connection& db) -> Status {
    MariaDbStatement query(db, "SELECT 1 FROM data_key_wrappings LIMIT 1", "to answer a ping");
    KW_RETURN_IF_ERROR(query.Run());
    return query.Next().status();
  });
}

}  // namespace keywarden::connector::store
