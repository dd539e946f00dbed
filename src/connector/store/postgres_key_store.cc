#include "connector/store/postgres_key_store.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "connector/store/internal/schema_migrations.h"
#include "connector/store/internal/stored_rows.h"
#include "sql/postgres/postgres_connection.h"
#include "sql/postgres/postgres_migrations.h"

namespace keywarden::connector::store {
namespace {

using sql::PgClock;
using sql::PgDeadline;
using sql::PgParams;
using sql::PgResult;
using sql::PgStatement;

// clang-format off
constexpr PgStatement kReadSchemaVersion{"kw_schema_version", "SELECT version FROM keywarden_schema", "to read the schema version"};
constexpr PgStatement kGetUserKey{"kw_get_user_key",
    "SELECT id, sealed, data_key_version, creation_date, revision_date, last_access_date FROM user_keys WHERE id = $1",
    "to read a user key"};
constexpr PgStatement kInsertUserKey{"kw_insert_user_key",
    "INSERT INTO user_keys(id, sealed, data_key_version, creation_date, revision_date, last_access_date) "
    "VALUES($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
    "to insert a user key"};
// A replacement keeps creation_date and last_access_date, and is dated by the record's
// revision_date (or, when the caller gave none, its creation_date: "now").
constexpr PgStatement kUpsertUserKey{"kw_upsert_user_key",
    "INSERT INTO user_keys(id, sealed, data_key_version, creation_date, revision_date, last_access_date) "
    "VALUES($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO UPDATE SET sealed = EXCLUDED.sealed, "
    "data_key_version = EXCLUDED.data_key_version, revision_date = $7",
    "to store a user key"};
constexpr PgStatement kDeleteUserKey{"kw_delete_user_key", "DELETE FROM user_keys WHERE id = $1", "to delete a user key"};
// Only existing rows, and never backwards: batches from several instances arrive in any order.
// One id given twice counts with its latest time.
constexpr PgStatement kRecordLastAccess{"kw_record_last_access",
    "UPDATE user_keys AS u SET last_access_date = a.t "
    "FROM (SELECT id, max(t) AS t FROM unnest($1::text[], $2::bigint[]) AS x(id, t) GROUP BY id) AS a "
    "WHERE u.id = a.id AND (u.last_access_date IS NULL OR u.last_access_date < a.t)",
    "to record last accesses"};
constexpr PgStatement kCountUserKeys{"kw_count_user_keys", "SELECT count(*) FROM user_keys", "to count user keys"};
constexpr PgStatement kListUserKeys{"kw_list_user_keys",
    "SELECT id, sealed, data_key_version, creation_date, revision_date, last_access_date "
    "FROM user_keys WHERE id > $1 ORDER BY id LIMIT $2",
    "to list user keys"};
constexpr PgStatement kResealUserKey{"kw_reseal_user_key",
    "UPDATE user_keys SET sealed = $4, data_key_version = $5 WHERE id = $1 AND data_key_version = $2 AND sealed = $3",
    "to reseal a user key"};
constexpr PgStatement kPutUserKeyExact{"kw_put_user_key_exact",
    "INSERT INTO user_keys(id, sealed, data_key_version, creation_date, revision_date, last_access_date) "
    "VALUES($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO UPDATE SET sealed = EXCLUDED.sealed, "
    "data_key_version = EXCLUDED.data_key_version, creation_date = EXCLUDED.creation_date, "
    "revision_date = EXCLUDED.revision_date, last_access_date = EXCLUDED.last_access_date",
    "to write a user key"};
constexpr PgStatement kCreateDataKeyVersion{"kw_create_data_key_version",
    "INSERT INTO data_keys(version, creation_date) VALUES($1, $2) ON CONFLICT (version) DO NOTHING",
    "to create a data key version"};
constexpr PgStatement kPutWrapping{"kw_put_wrapping",
    "INSERT INTO data_key_wrappings(version, provider_fingerprint, wrapped, creation_date) VALUES($1, $2, $3, $4) "
    "ON CONFLICT (version, provider_fingerprint) DO UPDATE SET wrapped = EXCLUDED.wrapped, "
    "creation_date = EXCLUDED.creation_date",
    "to store a data key wrapping"};
// The version's wrapping under the caller's key, else its oldest.
constexpr PgStatement kPreferredWrapping{"kw_preferred_wrapping",
    "SELECT version, wrapped, provider_fingerprint, creation_date FROM data_key_wrappings WHERE version = $1 "
    "ORDER BY provider_fingerprint = $2 DESC, creation_date, provider_fingerprint LIMIT 1",
    "to read a data key"};
// Row locks on the version serialise adding and removing its wrappings.
constexpr PgStatement kShareDataKeyVersion{"kw_share_data_key_version",
    "SELECT 1 FROM data_keys WHERE version = $1 FOR SHARE", "to find a data key version"};
constexpr PgStatement kLockDataKeyVersion{"kw_lock_data_key_version",
    "SELECT 1 FROM data_keys WHERE version = $1 FOR UPDATE", "to lock a data key version"};
constexpr PgStatement kCountWrappings{"kw_count_wrappings",
    "SELECT count(*), count(*) FILTER (WHERE provider_fingerprint = $2) FROM data_key_wrappings WHERE version = $1",
    "to count data key wrappings"};
constexpr PgStatement kDeleteWrapping{"kw_delete_wrapping",
    "DELETE FROM data_key_wrappings WHERE version = $1 AND provider_fingerprint = $2",
    "to delete a data key wrapping"};
constexpr PgStatement kListDataKeys{"kw_list_data_keys",
    "SELECT version, wrapped, provider_fingerprint, creation_date FROM data_key_wrappings "
    "ORDER BY version, creation_date, provider_fingerprint",
    "to list data keys"};
constexpr PgStatement kPing{"kw_ping", "SELECT version FROM keywarden_schema", "to answer a ping"};
// clang-format on

// Columns: id, sealed, data_key_version, creation_date, revision_date, last_access_date.
Result<UserKeyRecord> ReadUserKey(const PgResult& result, int row) {
  UserKeyRecord record;
  record.user_id = result.Text(row, 0);
  record.sealed = result.Bytes(row, 1);
  KW_ASSIGN_OR_RETURN(std::int64_t version, result.Int(row, 2));
  KW_ASSIGN_OR_RETURN(record.data_key_version, internal::StoredVersion(version));
  KW_ASSIGN_OR_RETURN(record.creation_date, result.Int(row, 3));
  record.revision_date = result.OptionalInt(row, 4);
  record.last_access_date = result.OptionalInt(row, 5);
  return record;
}

// Columns: version, wrapped, provider_fingerprint, creation_date.
Result<custody::WrappedDataKey> ReadDataKey(const PgResult& result, int row) {
  custody::WrappedDataKey key;
  KW_ASSIGN_OR_RETURN(std::int64_t version, result.Int(row, 0));
  KW_ASSIGN_OR_RETURN(key.version, internal::StoredVersion(version));
  key.wrapped = result.Bytes(row, 1);
  key.provider_key_fingerprint = result.Text(row, 2);
  KW_ASSIGN_OR_RETURN(key.creation_date, result.Int(row, 3));
  return key;
}

PgParams UserKeyParams(const UserKeyRecord& record) {
  PgParams params;
  params.Text(record.user_id)
      .Bytes(record.sealed)
      .Int(std::int64_t{record.data_key_version})
      .Int(record.creation_date)
      .Int(record.revision_date)
      .Int(record.last_access_date);
  return params;
}

Status PutWrapping(sql::PgConnection& db, const custody::WrappedDataKey& key, PgDeadline deadline) {
  PgParams params;
  params.Int(std::int64_t{key.version}).Text(key.provider_key_fingerprint).Bytes(key.wrapped).Int(key.creation_date);
  return db.Execute(kPutWrapping, params, deadline).status();
}

}  // namespace

Result<std::unique_ptr<PostgresKeyStore>> PostgresKeyStore::Open(const sql::PostgresOptions& options,
                                                                 std::size_t default_pool_size) {
  if (sql::LatestVersion(internal::PostgresMigrationSteps()) != kSchemaVersion) {
    return InternalError("PostgreSQL kSchemaVersion does not name the last embedded schema migration");
  }
  if (options.hosts.empty()) return InvalidArgumentError("PostgreSQL options name no host");
  const std::size_t pool_size = options.max_pool_size.value_or(default_pool_size);
  if (pool_size < 1) return InvalidArgumentError("the PostgreSQL pool needs at least one connection");
  std::unique_ptr<PostgresKeyStore> store(new PostgresKeyStore(options, pool_size));
  KW_RETURN_IF_ERROR(store->Migrate());

  // Warm the pool up to its minimum.
  std::vector<std::unique_ptr<Connection>> extra;
  for (std::size_t i = store->open_connections(); i < std::min(options.min_pool_size, pool_size); ++i) {
    bool reused = false;
    KW_ASSIGN_OR_RETURN(auto connection, store->Acquire(store->NewDeadline(), &reused));
    extra.push_back(std::move(connection));
  }
  for (auto& connection : extra) store->Release(std::move(connection));
  return store;
}

PostgresKeyStore::PostgresKeyStore(const sql::PostgresOptions& options, std::size_t pool_size)
    : options_(options), pool_size_(pool_size) {}

PostgresKeyStore::~PostgresKeyStore() = default;

std::size_t PostgresKeyStore::open_connections() const {
  std::lock_guard lock(pool_mu_);
  return open_;
}

PgDeadline PostgresKeyStore::NewDeadline() const {
  // A margin past the server's statement_timeout, so that the server's clean error (connection
  // kept) normally comes before the client gives up (connection dropped).
  return PgClock::now() + options_.command_timeout + std::chrono::seconds(1);
}

Result<std::unique_ptr<PostgresKeyStore::Connection>> PostgresKeyStore::Acquire(PgDeadline deadline, bool* reused) {
  std::vector<std::unique_ptr<Connection>> stale;  // closed after the lock is released
  std::unique_lock lock(pool_mu_);
  while (true) {
    while (!idle_.empty()) {
      std::unique_ptr<Connection> connection = std::move(idle_.back());
      idle_.pop_back();
      if (connection->StillUsable()) {
        *reused = true;
        return connection;
      }
      --open_;
      stale.push_back(std::move(connection));
    }
    if (open_ < pool_size_) {
      ++open_;
      lock.unlock();
      stale.clear();
      auto connection = Connection::Connect(options_);
      if (!connection.ok()) {
        lock.lock();
        --open_;
        pool_cv_.notify_one();
        return connection.status();
      }
      *reused = false;
      return std::move(connection).value();
    }
    if (pool_cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() && open_ >= pool_size_) {
      return UnavailableError("all " + std::to_string(pool_size_) + " PostgreSQL connections stayed busy");
    }
  }
}

void PostgresKeyStore::Release(std::unique_ptr<Connection> connection) {
  if (connection->broken() || connection->InTransaction()) {
    connection.reset();
    std::lock_guard lock(pool_mu_);
    --open_;
  } else {
    std::lock_guard lock(pool_mu_);
    idle_.push_back(std::move(connection));
  }
  pool_cv_.notify_one();
}

Status PostgresKeyStore::Run(Retry retry, const Body& body) {
  const PgDeadline deadline = NewDeadline();
  for (int attempt = 0;; ++attempt) {
    bool reused = false;
    KW_ASSIGN_OR_RETURN(auto connection, Acquire(deadline, &reused));
    const Status status = body(*connection, deadline);
    // A conflict rolled the statement back, so running it again is always safe.
    const bool conflict = connection->LastFailureWasConflict();
    const bool stale = connection->broken() && reused && retry == Retry::kOnStaleConnection;
    Release(std::move(connection));
    if (status.ok() || attempt >= 2 || PgClock::now() >= deadline || !(conflict || stale)) return status;
  }
}

Status PostgresKeyStore::Transact(const Body& body) {
  const PgDeadline deadline = NewDeadline();
  for (int attempt = 0;; ++attempt) {
    bool reused = false;
    KW_ASSIGN_OR_RETURN(auto connection, Acquire(deadline, &reused));
    bool committing = false;
    const Status status = [&]() -> Status {
      KW_RETURN_IF_ERROR(connection->ExecuteText("BEGIN", "to start a transaction", deadline).status());
      KW_RETURN_IF_ERROR(body(*connection, deadline));
      committing = true;
      return connection->ExecuteText("COMMIT", "to commit", deadline).status();
    }();
    const bool conflict = connection->LastFailureWasConflict();
    if (!status.ok() && !connection->broken() && connection->InTransaction()) {
      (void)connection->ExecuteText("ROLLBACK", "to roll back", deadline);
    }
    // Before COMMIT was sent, a lost connection means the server rolled the transaction back.
    const bool stale = connection->broken() && reused && !committing;
    Release(std::move(connection));
    if (status.ok() || attempt >= 2 || PgClock::now() >= deadline || !(conflict || stale)) return status;
  }
}

// Instances starting together queue on the migrations' advisory lock, which ends with this
// transaction (sql/postgres/postgres_migrations.h).
Status PostgresKeyStore::Migrate() {
  return Transact([](Connection& db, PgDeadline deadline) -> Status {
    return sql::MigratePostgres(db, internal::PostgresMigrationSteps(), deadline);
  });
}

Result<UserKeyRecord> PostgresKeyStore::GetUserKey(std::string_view user_id) {
  std::optional<UserKeyRecord> record;
  const Status status = Run(Retry::kOnStaleConnection, [&](Connection& db, PgDeadline deadline) -> Status {
    PgParams params;
    params.Text(user_id);
    KW_ASSIGN_OR_RETURN(PgResult result, db.Execute(kGetUserKey, params, deadline));
    if (result.rows() == 0) return NotFoundError("no key stored for this user");
    KW_ASSIGN_OR_RETURN(record, ReadUserKey(result, 0));
    return OkStatus();
  });
  if (!status.ok()) return status;
  return *std::move(record);
}

Status PostgresKeyStore::InsertUserKey(const UserKeyRecord& record) {
  return Run(Retry::kNever, [&](Connection& db, PgDeadline deadline) -> Status {
    KW_ASSIGN_OR_RETURN(PgResult result, db.Execute(kInsertUserKey, UserKeyParams(record), deadline));
    if (result.affected() == 0) return AlreadyExistsError("a key is already stored for this user");
    return OkStatus();
  });
}

Status PostgresKeyStore::UpsertUserKey(const UserKeyRecord& record) {
  // Writing the same values twice leaves the same row: safe to repeat.
  return Run(Retry::kOnStaleConnection, [&](Connection& db, PgDeadline deadline) -> Status {
    PgParams params = UserKeyParams(record);
    params.Int(record.revision_date.value_or(record.creation_date));
    return db.Execute(kUpsertUserKey, params, deadline).status();
  });
}

Status PostgresKeyStore::DeleteUserKey(std::string_view user_id) {
  return Run(Retry::kNever, [&](Connection& db, PgDeadline deadline) -> Status {
    PgParams params;
    params.Text(user_id);
    KW_ASSIGN_OR_RETURN(PgResult result, db.Execute(kDeleteUserKey, params, deadline));
    if (result.affected() == 0) return NotFoundError("no key stored for this user");
    return OkStatus();
  });
}

Status PostgresKeyStore::RecordLastAccess(std::span<const LastAccess> accesses) {
  if (accesses.empty()) return OkStatus();
  std::vector<std::string_view> ids;
  std::vector<std::int64_t> times;
  for (const LastAccess& access : accesses) {
    ids.push_back(access.user_id);
    times.push_back(access.when);
  }
  PgParams params;
  params.TextArray(ids).IntArray(times);
  // Only ever moves times forward: safe to repeat.
  return Run(Retry::kOnStaleConnection, [&](Connection& db, PgDeadline deadline) -> Status {
    return db.Execute(kRecordLastAccess, params, deadline).status();
  });
}

Result<std::uint64_t> PostgresKeyStore::CountUserKeys() {
  std::uint64_t count = 0;
  const Status status = Run(Retry::kOnStaleConnection, [&](Connection& db, PgDeadline deadline) -> Status {
    KW_ASSIGN_OR_RETURN(PgResult result, db.Execute(kCountUserKeys, PgParams(), deadline));
    if (result.rows() != 1) return InternalError("PostgreSQL returned no count");
    KW_ASSIGN_OR_RETURN(std::int64_t value, result.Int(0, 0));
    count = static_cast<std::uint64_t>(value);
    return OkStatus();
  });
  if (!status.ok()) return status;
  return count;
}

Result<std::vector<UserKeyRecord>> PostgresKeyStore::ListUserKeys(std::string_view after, std::size_t limit) {
  std::vector<UserKeyRecord> records;
  if (limit == 0) return records;
  const Status status = Run(Retry::kOnStaleConnection, [&](Connection& db, PgDeadline deadline) -> Status {
    PgParams params;
    params.Text(after).Int(static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
    KW_ASSIGN_OR_RETURN(PgResult result, db.Execute(kListUserKeys, params, deadline));
    records.clear();
    for (int row = 0; row < result.rows(); ++row) {
      KW_ASSIGN_OR_RETURN(auto record, ReadUserKey(result, row));
      records.push_back(std::move(record));
    }
    return OkStatus();
  });
  if (!status.ok()) return status;
  return records;
}

Result<std::size_t> PostgresKeyStore::ResealUserKeys(std::span<const Reseal> reseals) {
  std::size_t changed = 0;
  if (reseals.empty()) return changed;
  const Status status = Transact([&](Connection& db, PgDeadline deadline) -> Status {
    changed = 0;
    for (const Reseal& reseal : reseals) {
      PgParams params;
      params.Text(reseal.user_id)
          .Int(std::int64_t{reseal.old_version})
          .Bytes(reseal.old_sealed)
          .Bytes(reseal.new_sealed)
          .Int(std::int64_t{reseal.new_version});
      KW_ASSIGN_OR_RETURN(PgResult result, db.Execute(kResealUserKey, params, deadline));
      changed += static_cast<std::size_t>(result.affected());
    }
    return OkStatus();
  });
  if (!status.ok()) return status;
  return changed;
}

Status PostgresKeyStore::PutUserKeysExact(std::span<const UserKeyRecord> records) {
  if (records.empty()) return OkStatus();
  return Transact([&](Connection& db, PgDeadline deadline) -> Status {
    for (const UserKeyRecord& record : records) {
      KW_RETURN_IF_ERROR(db.Execute(kPutUserKeyExact, UserKeyParams(record), deadline).status());
    }
    return OkStatus();
  });
}

Result<custody::WrappedDataKey> PostgresKeyStore::InitDataKey(const custody::WrappedDataKey& candidate) {
  if (candidate.version == 0) return InvalidArgumentError("data key versions start at 1");
  std::optional<custody::WrappedDataKey> stored;
  const Status status = Transact([&](Connection& db, PgDeadline deadline) -> Status {
    stored.reset();
    PgParams create;
    create.Int(std::int64_t{candidate.version}).Int(candidate.creation_date);
    // A racing transaction's insert makes this one wait for it, then do nothing.
    KW_ASSIGN_OR_RETURN(PgResult created, db.Execute(kCreateDataKeyVersion, create, deadline));
    if (created.affected() == 1) {
      KW_RETURN_IF_ERROR(PutWrapping(db, candidate, deadline));
      stored = candidate;
      return OkStatus();
    }
    PgParams select;
    select.Int(std::int64_t{candidate.version}).Text(candidate.provider_key_fingerprint);
    KW_ASSIGN_OR_RETURN(PgResult result, db.Execute(kPreferredWrapping, select, deadline));
    if (result.rows() == 0) {
      return InternalError("data key version " + std::to_string(candidate.version) + " has no wrapping");
    }
    KW_ASSIGN_OR_RETURN(stored, ReadDataKey(result, 0));
    return OkStatus();
  });
  if (!status.ok()) return status;
  return *std::move(stored);
}

Status PostgresKeyStore::PutDataKeyWrapping(const custody::WrappedDataKey& wrapping) {
  return Transact([&](Connection& db, PgDeadline deadline) -> Status {
    PgParams params;
    params.Int(std::int64_t{wrapping.version});
    KW_ASSIGN_OR_RETURN(PgResult exists, db.Execute(kShareDataKeyVersion, params, deadline));
    if (exists.rows() == 0) return NotFoundError("no data key version " + std::to_string(wrapping.version));
    return PutWrapping(db, wrapping, deadline);
  });
}

Status PostgresKeyStore::DeleteDataKeyWrapping(std::uint32_t version, std::string_view provider_key_fingerprint) {
  return Transact([&](Connection& db, PgDeadline deadline) -> Status {
    PgParams lock;
    lock.Int(std::int64_t{version});
    KW_ASSIGN_OR_RETURN(PgResult exists, db.Execute(kLockDataKeyVersion, lock, deadline));
    if (exists.rows() == 0) return NotFoundError("no such data key wrapping");
    PgParams params;
    params.Int(std::int64_t{version}).Text(provider_key_fingerprint);
    KW_ASSIGN_OR_RETURN(PgResult count, db.Execute(kCountWrappings, params, deadline));
    KW_ASSIGN_OR_RETURN(std::int64_t total, count.Int(0, 0));
    KW_ASSIGN_OR_RETURN(std::int64_t matching, count.Int(0, 1));
    if (matching == 0) return NotFoundError("no such data key wrapping");
    if (total == 1) {
      return InvalidArgumentError("refusing to delete the last wrapping of data key version " +
                                  std::to_string(version));
    }
    return db.Execute(kDeleteWrapping, params, deadline).status();
  });
}

Result<std::vector<custody::WrappedDataKey>> PostgresKeyStore::ListDataKeys() {
  std::vector<custody::WrappedDataKey> keys;
  const Status status = Run(Retry::kOnStaleConnection, [&](Connection& db, PgDeadline deadline) -> Status {
    KW_ASSIGN_OR_RETURN(PgResult result, db.Execute(kListDataKeys, PgParams(), deadline));
    keys.clear();
    for (int row = 0; row < result.rows(); ++row) {
      KW_ASSIGN_OR_RETURN(auto key, ReadDataKey(result, row));
      keys.push_back(std::move(key));
    }
    return OkStatus();
  });
  if (!status.ok()) return status;
  return keys;
}

Result<int> PostgresKeyStore::SchemaVersion() {
  int version = 0;
  const Status status = Run(Retry::kOnStaleConnection, [&](Connection& db, PgDeadline deadline) -> Status {
    KW_ASSIGN_OR_RETURN(PgResult result, db.Execute(kReadSchemaVersion, PgParams(), deadline));
    if (result.rows() != 1) return InternalError("the keywarden_schema table does not hold one version");
    KW_ASSIGN_OR_RETURN(std::int64_t value, result.Int(0, 0));
    version = static_cast<int>(value);
    return OkStatus();
  });
  if (!status.ok()) return status;
  return version;
}

Status PostgresKeyStore::Ping() {
  return Run(Retry::kOnStaleConnection, [](Connection& db, PgDeadline deadline) -> Status {
    return db.Execute(kPing, PgParams(), deadline).status();
  });
}

}  // namespace keywarden::connector::store
