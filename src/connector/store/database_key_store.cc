#include "connector/store/database_key_store.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "connector/store/internal/schema_migrations.h"
#include "sql/mariadb/mariadb_database.h"
#include "sql/postgres/postgres_database.h"
#include "sql/sqlite/sqlite_database.h"

namespace keywarden::connector::store {
namespace {

using sql::Dialect;
using sql::Params;
using sql::Rows;
using sql::Session;
using sql::Statement;

// MariaDB's ids and fingerprints are VARBINARY(255); PostgreSQL's and SQLite's text has no limit.
constexpr std::size_t kMariaDbMaxKeyBytes = 255;

// clang-format off
// SQLite keeps the version in its header (PRAGMA user_version).
constexpr Statement kReadSchemaVersion{"kw_schema_version", "SELECT version FROM keywarden_schema", nullptr,
    "PRAGMA user_version", "to read the schema version"};
// Reads the schema from the server or file, so a vanished database or a dead engine shows, and
// touches every table (user_keys by an index lookup), so a dropped one shows too.
constexpr Statement kPing{"kw_ping",
    "SELECT version, (SELECT count(*) FROM data_key_wrappings), (SELECT count(*) FROM data_keys), "
    "(SELECT count(*) FROM user_keys WHERE id = '') FROM keywarden_schema", nullptr,
    "SELECT (SELECT count(*) FROM data_key_wrappings), (SELECT count(*) FROM data_keys), "
    "(SELECT count(*) FROM user_keys WHERE id = '')", "to answer a ping"};
constexpr Statement kGetUserKey{"kw_get_user_key",
    "SELECT id, sealed, data_key_version, creation_date, revision_date, last_access_date FROM user_keys WHERE id = $1",
    nullptr, nullptr, "to read a user key"};
// PostgreSQL reports a taken id as no row inserted, MariaDB as a duplicate-key error: both mean
// kAlreadyExists.
constexpr Statement kInsertUserKey{"kw_insert_user_key",
    "INSERT INTO user_keys(id, sealed, data_key_version, creation_date, revision_date, last_access_date) "
    "VALUES($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
    "INSERT INTO user_keys(id, sealed, data_key_version, creation_date, revision_date, last_access_date) "
    "VALUES($1, $2, $3, $4, $5, $6)", nullptr,
    "to insert a user key"};
// A replacement keeps creation_date and last_access_date, and is dated by $7: the record's
// revision_date or, when the caller gave none, its creation_date ("now").
constexpr Statement kUpsertUserKey{"kw_upsert_user_key",
    "INSERT INTO user_keys(id, sealed, data_key_version, creation_date, revision_date, last_access_date) "
    "VALUES($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO UPDATE SET sealed = EXCLUDED.sealed, "
    "data_key_version = EXCLUDED.data_key_version, revision_date = $7",
    "INSERT INTO user_keys(id, sealed, data_key_version, creation_date, revision_date, last_access_date) "
    "VALUES($1, $2, $3, $4, $5, $6) ON DUPLICATE KEY UPDATE sealed = $2, data_key_version = $3, revision_date = $7", nullptr,
    "to store a user key"};
constexpr Statement kDeleteUserKey{"kw_delete_user_key", "DELETE FROM user_keys WHERE id = $1", nullptr, nullptr,
    "to delete a user key"};
// Only existing rows, and never backwards: batches from several instances arrive in any order.
// PostgreSQL takes a whole batch as two arrays (one id given twice counts with its latest time).
constexpr Statement kRecordLastAccessBatch{"kw_record_last_access",
    "UPDATE user_keys AS u SET last_access_date = a.t "
    "FROM (SELECT id, max(t) AS t FROM unnest($1::text[], $2::bigint[]) AS x(id, t) GROUP BY id) AS a "
    "WHERE u.id = a.id AND (u.last_access_date IS NULL OR u.last_access_date < a.t)",
    nullptr, nullptr, "to record last accesses"};
constexpr Statement kRecordLastAccess{"kw_record_one_last_access",
    "UPDATE user_keys SET last_access_date = $2 WHERE id = $1 AND (last_access_date IS NULL OR last_access_date < $2)",
    nullptr, nullptr, "to record a last access"};
constexpr Statement kCountUserKeys{"kw_count_user_keys", "SELECT count(*) FROM user_keys", nullptr, nullptr,
    "to count user keys"};
constexpr Statement kListUserKeys{"kw_list_user_keys",
    "SELECT id, sealed, data_key_version, creation_date, revision_date, last_access_date "
    "FROM user_keys WHERE id > $1 ORDER BY id LIMIT $2",
    nullptr, nullptr, "to list user keys"};
constexpr Statement kResealUserKey{"kw_reseal_user_key",
    "UPDATE user_keys SET sealed = $4, data_key_version = $5 WHERE id = $1 AND data_key_version = $2 AND sealed = $3",
    nullptr, nullptr, "to reseal a user key"};
constexpr Statement kPutUserKeyExact{"kw_put_user_key_exact",
    "INSERT INTO user_keys(id, sealed, data_key_version, creation_date, revision_date, last_access_date) "
    "VALUES($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO UPDATE SET sealed = EXCLUDED.sealed, "
    "data_key_version = EXCLUDED.data_key_version, creation_date = EXCLUDED.creation_date, "
    "revision_date = EXCLUDED.revision_date, last_access_date = EXCLUDED.last_access_date",
    "INSERT INTO user_keys(id, sealed, data_key_version, creation_date, revision_date, last_access_date) "
    "VALUES($1, $2, $3, $4, $5, $6) ON DUPLICATE KEY UPDATE sealed = $2, data_key_version = $3, "
    "creation_date = $4, revision_date = $5, last_access_date = $6", nullptr,
    "to write a user key"};
// A racing transaction's uncommitted insert makes this one wait for it, then do nothing.
constexpr Statement kCreateDataKeyVersion{"kw_create_data_key_version",
    "INSERT INTO data_keys(version, creation_date) VALUES($1, $2) ON CONFLICT (version) DO NOTHING",
    "INSERT IGNORE INTO data_keys(version, creation_date) VALUES($1, $2)", nullptr,
    "to create a data key version"};
constexpr Statement kPutWrapping{"kw_put_wrapping",
    "INSERT INTO data_key_wrappings(version, provider_fingerprint, wrapped, creation_date) VALUES($1, $2, $3, $4) "
    "ON CONFLICT (version, provider_fingerprint) DO UPDATE SET wrapped = EXCLUDED.wrapped, "
    "creation_date = EXCLUDED.creation_date",
    "INSERT INTO data_key_wrappings(version, provider_fingerprint, wrapped, creation_date) VALUES($1, $2, $3, $4) "
    "ON DUPLICATE KEY UPDATE wrapped = $3, creation_date = $4", nullptr,
    "to store a data key wrapping"};
// The version's wrapping under the caller's key, else its oldest. On MariaDB a locking read sees
// the latest commit, whatever the transaction's snapshot.
constexpr Statement kPreferredWrapping{"kw_preferred_wrapping",
    "SELECT version, wrapped, provider_fingerprint, creation_date FROM data_key_wrappings WHERE version = $1 "
    "ORDER BY provider_fingerprint = $2 DESC, creation_date, provider_fingerprint LIMIT 1",
    "SELECT version, wrapped, provider_fingerprint, creation_date FROM data_key_wrappings WHERE version = $1 "
    "ORDER BY provider_fingerprint = $2 DESC, creation_date, provider_fingerprint LIMIT 1 LOCK IN SHARE MODE", nullptr,
    "to read a data key"};
// Row locks on the version serialise adding and removing its wrappings (SQLite has one writer).
constexpr Statement kShareDataKeyVersion{"kw_share_data_key_version",
    "SELECT 1 FROM data_keys WHERE version = $1 FOR SHARE",
    "SELECT 1 FROM data_keys WHERE version = $1 LOCK IN SHARE MODE",
    "SELECT 1 FROM data_keys WHERE version = $1",
    "to find a data key version"};
constexpr Statement kLockDataKeyVersion{"kw_lock_data_key_version",
    "SELECT 1 FROM data_keys WHERE version = $1 FOR UPDATE", nullptr,
    "SELECT 1 FROM data_keys WHERE version = $1", "to lock a data key version"};
constexpr Statement kCountWrappings{"kw_count_wrappings",
    "SELECT count(*), count(CASE WHEN provider_fingerprint = $2 THEN 1 END) FROM data_key_wrappings "
    "WHERE version = $1",
    "SELECT count(*), count(CASE WHEN provider_fingerprint = $2 THEN 1 END) FROM data_key_wrappings "
    "WHERE version = $1 FOR UPDATE", nullptr,
    "to count data key wrappings"};
constexpr Statement kDeleteWrapping{"kw_delete_wrapping",
    "DELETE FROM data_key_wrappings WHERE version = $1 AND provider_fingerprint = $2", nullptr, nullptr,
    "to delete a data key wrapping"};
// A scan of every row (no index on the version): start-up only, about 0.3 s per million keys.
constexpr Statement kSealedVersions{"kw_sealed_versions",
    "SELECT DISTINCT data_key_version FROM user_keys ORDER BY data_key_version", nullptr, nullptr,
    "to list the data key versions of stored keys"};
constexpr Statement kListDataKeys{"kw_list_data_keys",
    "SELECT version, wrapped, provider_fingerprint, creation_date FROM data_key_wrappings "
    "ORDER BY version, creation_date, provider_fingerprint",
    nullptr, nullptr, "to list data keys"};
// clang-format on

// A data key version as stored (a signed integer column) checked into its range.
Result<std::uint32_t> StoredVersion(std::int64_t value) {
  if (value < 0 || value > std::numeric_limits<std::uint32_t>::max()) {
    return InternalError("stored data key version is out of range");
  }
  return static_cast<std::uint32_t>(value);
}

// Columns: id, sealed, data_key_version, creation_date, revision_date, last_access_date.
Result<UserKeyRecord> ReadUserKey(const Rows& rows, std::size_t row) {
  UserKeyRecord record;
  record.user_id = rows.Text(row, 0);
  record.sealed = rows.Bytes(row, 1);
  KW_ASSIGN_OR_RETURN(std::int64_t version, rows.Int(row, 2));
  KW_ASSIGN_OR_RETURN(record.data_key_version, StoredVersion(version));
  KW_ASSIGN_OR_RETURN(record.creation_date, rows.Int(row, 3));
  record.revision_date = rows.OptionalInt(row, 4);
  record.last_access_date = rows.OptionalInt(row, 5);
  return record;
}

// Columns: version, wrapped, provider_fingerprint, creation_date.
Result<custody::WrappedDataKey> ReadDataKey(const Rows& rows, std::size_t row) {
  custody::WrappedDataKey key;
  KW_ASSIGN_OR_RETURN(std::int64_t version, rows.Int(row, 0));
  KW_ASSIGN_OR_RETURN(key.version, StoredVersion(version));
  key.wrapped = rows.Bytes(row, 1);
  key.provider_key_fingerprint = rows.Text(row, 2);
  KW_ASSIGN_OR_RETURN(key.creation_date, rows.Int(row, 3));
  return key;
}

Params UserKeyParams(const UserKeyRecord& record) {
  Params params;
  params.Text(record.user_id)
      .Bytes(record.sealed)
      .Int(std::int64_t{record.data_key_version})
      .Int(record.creation_date)
      .Int(record.revision_date)
      .Int(record.last_access_date);
  return params;
}

Status PutWrapping(Session& db, const custody::WrappedDataKey& key) {
  Params params;
  params.Int(std::int64_t{key.version}).Text(key.provider_key_fingerprint).Bytes(key.wrapped).Int(key.creation_date);
  return db.Execute(kPutWrapping, params).status();
}

std::size_t MaxKeyBytes(Dialect dialect) {
  return dialect == Dialect::kMariaDb ? kMariaDbMaxKeyBytes : std::numeric_limits<std::size_t>::max();
}

}  // namespace

SqliteKeyStore::SqliteKeyStore(std::unique_ptr<sql::SqliteDatabase> database)
    : DatabaseKeyStore(std::move(database)), sqlite_(static_cast<sql::SqliteDatabase&>(this->database())) {}

Result<std::unique_ptr<SqliteKeyStore>> SqliteKeyStore::Open(const std::string& path, const SqliteOptions& options) {
  const auto steps = internal::SqliteMigrationSteps();
  if (sql::LatestVersion(steps) != kSchemaVersion) {
    return InternalError("SQLite kSchemaVersion does not name the last embedded schema migration");
  }
  KW_ASSIGN_OR_RETURN(auto database, sql::SqliteDatabase::Open(path, options, steps));
  return std::unique_ptr<SqliteKeyStore>(new SqliteKeyStore(std::move(database)));
}

bool SqliteKeyStore::created() const { return sqlite_.created(); }
std::uint64_t SqliteKeyStore::commit_count() const { return sqlite_.commit_count(); }
std::uint64_t SqliteKeyStore::write_count() const { return sqlite_.write_count(); }
std::size_t SqliteKeyStore::pending_writes() const { return sqlite_.pending_writes(); }

Result<std::unique_ptr<DatabaseKeyStore>> OpenPostgresKeyStore(const sql::PostgresOptions& options,
                                                               std::size_t default_pool_size) {
  const auto steps = internal::PostgresMigrationSteps();
  if (sql::LatestVersion(steps) != kPostgresSchemaVersion) {
    return InternalError("kPostgresSchemaVersion does not name the last embedded schema migration");
  }
  KW_ASSIGN_OR_RETURN(auto database, sql::PostgresDatabase::Open(options, default_pool_size, steps));
  return std::make_unique<DatabaseKeyStore>(std::move(database));
}

Result<std::unique_ptr<DatabaseKeyStore>> OpenMariaDbKeyStore(const sql::MariaDbOptions& options,
                                                              std::size_t default_pool_size) {
  const auto steps = internal::MariaDbMigrationSteps();
  if (sql::LatestVersion(steps) != kMariaDbSchemaVersion) {
    return InternalError("kMariaDbSchemaVersion does not name the last embedded schema migration");
  }
  const int pool = static_cast<int>(std::min<std::size_t>(default_pool_size, std::numeric_limits<int>::max()));
  KW_ASSIGN_OR_RETURN(auto database, sql::MariaDbDatabase::Open(options, pool, steps));
  return std::make_unique<DatabaseKeyStore>(std::move(database));
}

DatabaseKeyStore::DatabaseKeyStore(std::unique_ptr<sql::Database> database)
    : database_(std::move(database)), max_key_bytes_(MaxKeyBytes(database_->dialect())) {}

Status DatabaseKeyStore::CheckUserId(std::string_view user_id) const {
  if (!Storable(user_id)) return InvalidArgumentError("user id is longer than 255 bytes");
  return OkStatus();
}

Status DatabaseKeyStore::CheckDataKey(const custody::WrappedDataKey& key) const {
  if (key.version == 0) return InvalidArgumentError("data key versions start at 1");
  if (!Storable(key.provider_key_fingerprint)) {
    return InvalidArgumentError("provider key fingerprint is longer than 255 bytes");
  }
  return OkStatus();
}

Result<UserKeyRecord> DatabaseKeyStore::GetUserKey(std::string_view user_id) {
  if (!Storable(user_id)) return NotFoundError("no key stored for this user");
  std::optional<UserKeyRecord> record;
  // The hot path: a lookup may come from a read snapshot a few milliseconds old (see
  // sql::Database::Freshness); this instance's own writes are always visible.
  if (const Status done = database_->Read(
          [&](Session& db) -> Status {
            record.reset();
            Params params;
            params.Text(user_id);
            KW_ASSIGN_OR_RETURN(Rows rows, db.Execute(kGetUserKey, params));
            if (rows.empty()) return OkStatus();
            KW_ASSIGN_OR_RETURN(record, ReadUserKey(rows, 0));
            return OkStatus();
          },
          sql::Database::Freshness::kRecent);
      !done.ok()) {
    return done;
  }
  if (!record.has_value()) return NotFoundError("no key stored for this user");
  return *std::move(record);
}

Status DatabaseKeyStore::InsertUserKey(const UserKeyRecord& record) {
  KW_RETURN_IF_ERROR(CheckUserId(record.user_id));
  return database_->Transact([&](Session& db) -> Status {
    Result<Rows> inserted = db.Execute(kInsertUserKey, UserKeyParams(record));
    if (inserted.status().code() == ErrorCode::kAlreadyExists || (inserted.ok() && inserted->affected() == 0)) {
      return AlreadyExistsError("a key is already stored for this user");
    }
    return inserted.status();
  });
}

Status DatabaseKeyStore::UpsertUserKey(const UserKeyRecord& record) {
  KW_RETURN_IF_ERROR(CheckUserId(record.user_id));
  return database_->Transact([&](Session& db) -> Status {
    Params params = UserKeyParams(record);
    params.Int(record.revision_date.value_or(record.creation_date));
    return db.Execute(kUpsertUserKey, params).status();
  });
}

Status DatabaseKeyStore::DeleteUserKey(std::string_view user_id) {
  if (!Storable(user_id)) return NotFoundError("no key stored for this user");
  return database_->Transact([&](Session& db) -> Status {
    Params params;
    params.Text(user_id);
    KW_ASSIGN_OR_RETURN(Rows deleted, db.Execute(kDeleteUserKey, params));
    if (deleted.affected() == 0) return NotFoundError("no key stored for this user");
    return OkStatus();
  });
}

Status DatabaseKeyStore::RecordLastAccess(std::span<const LastAccess> accesses) {
  // In id order, so that instances flushing overlapping batches lock rows in the same order.
  std::vector<const LastAccess*> sorted;
  sorted.reserve(accesses.size());
  for (const LastAccess& access : accesses) {
    if (Storable(access.user_id)) sorted.push_back(&access);  // longer ids cannot be stored
  }
  if (sorted.empty()) return OkStatus();
  std::sort(sorted.begin(), sorted.end(),
            [](const LastAccess* a, const LastAccess* b) { return a->user_id < b->user_id; });

  if (database_->dialect() == Dialect::kPostgres) {
    std::vector<std::string_view> ids;
    std::vector<std::int64_t> times;
    for (const LastAccess* access : sorted) {
      ids.push_back(access->user_id);
      times.push_back(access->when);
    }
    Params params;
    params.TextArray(ids).IntArray(times);
    return database_->Transact(
        [&](Session& db) -> Status { return db.Execute(kRecordLastAccessBatch, params).status(); });
  }
  return database_->Transact([&](Session& db) -> Status {
    for (const LastAccess* access : sorted) {
      Params params;
      params.Text(access->user_id).Int(access->when);
      KW_RETURN_IF_ERROR(db.Execute(kRecordLastAccess, params).status());
    }
    return OkStatus();
  });
}

Result<std::uint64_t> DatabaseKeyStore::CountUserKeys() {
  std::uint64_t count = 0;
  if (const Status done = database_->Read([&](Session& db) -> Status {
        KW_ASSIGN_OR_RETURN(Rows rows, db.Execute(kCountUserKeys));
        KW_ASSIGN_OR_RETURN(std::int64_t value, rows.Int(0, 0));
        count = static_cast<std::uint64_t>(value);
        return OkStatus();
      });
      !done.ok()) {
    return done;
  }
  return count;
}

Result<std::vector<UserKeyRecord>> DatabaseKeyStore::ListUserKeys(std::string_view after, std::size_t limit) {
  std::vector<UserKeyRecord> records;
  if (limit == 0) return records;
  if (const Status done = database_->Read([&](Session& db) -> Status {
        records.clear();
        Params params;
        params.Text(after).Int(
            static_cast<std::int64_t>(std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max())));
        KW_ASSIGN_OR_RETURN(Rows rows, db.Execute(kListUserKeys, params));
        for (std::size_t row = 0; row < rows.size(); ++row) {
          KW_ASSIGN_OR_RETURN(auto record, ReadUserKey(rows, row));
          records.push_back(std::move(record));
        }
        return OkStatus();
      });
      !done.ok()) {
    return done;
  }
  return records;
}

Result<std::size_t> DatabaseKeyStore::ResealUserKeys(std::span<const Reseal> reseals) {
  std::size_t changed = 0;
  if (reseals.empty()) return changed;
  if (const Status done = database_->Transact([&](Session& db) -> Status {
        changed = 0;
        for (const Reseal& reseal : reseals) {
          if (!Storable(reseal.user_id)) continue;  // cannot exist
          Params params;
          params.Text(reseal.user_id)
              .Int(std::int64_t{reseal.old_version})
              .Bytes(reseal.old_sealed)
              .Bytes(reseal.new_sealed)
              .Int(std::int64_t{reseal.new_version});
          KW_ASSIGN_OR_RETURN(Rows updated, db.Execute(kResealUserKey, params));
          changed += static_cast<std::size_t>(updated.affected());
        }
        return OkStatus();
      });
      !done.ok()) {
    return done;
  }
  return changed;
}

Status DatabaseKeyStore::PutUserKeysExact(std::span<const UserKeyRecord> records) {
  if (records.empty()) return OkStatus();
  for (const UserKeyRecord& record : records) KW_RETURN_IF_ERROR(CheckUserId(record.user_id));
  return database_->Transact([&](Session& db) -> Status {
    for (const UserKeyRecord& record : records) {
      KW_RETURN_IF_ERROR(db.Execute(kPutUserKeyExact, UserKeyParams(record)).status());
    }
    return OkStatus();
  });
}

Result<custody::WrappedDataKey> DatabaseKeyStore::InitDataKey(const custody::WrappedDataKey& candidate) {
  KW_RETURN_IF_ERROR(CheckDataKey(candidate));
  std::optional<custody::WrappedDataKey> stored;
  if (const Status done = database_->Transact([&](Session& db) -> Status {
        stored.reset();
        Params create;
        create.Int(std::int64_t{candidate.version}).Int(candidate.creation_date);
        KW_ASSIGN_OR_RETURN(Rows created, db.Execute(kCreateDataKeyVersion, create));
        if (created.affected() == 1) {
          KW_RETURN_IF_ERROR(PutWrapping(db, candidate));
          stored = candidate;
          return OkStatus();
        }
        Params select;
        select.Int(std::int64_t{candidate.version}).Text(candidate.provider_key_fingerprint);
        KW_ASSIGN_OR_RETURN(Rows rows, db.Execute(kPreferredWrapping, select));
        if (rows.empty()) {
          return InternalError("data key version " + std::to_string(candidate.version) + " has no wrapping");
        }
        KW_ASSIGN_OR_RETURN(stored, ReadDataKey(rows, 0));
        return OkStatus();
      });
      !done.ok()) {
    return done;
  }
  return *std::move(stored);
}

Status DatabaseKeyStore::PutDataKeyWrapping(const custody::WrappedDataKey& wrapping) {
  KW_RETURN_IF_ERROR(CheckDataKey(wrapping));
  return database_->Transact([&](Session& db) -> Status {
    Params params;
    params.Int(std::int64_t{wrapping.version});
    KW_ASSIGN_OR_RETURN(Rows exists, db.Execute(kShareDataKeyVersion, params));
    if (exists.empty()) return NotFoundError("no data key version " + std::to_string(wrapping.version));
    return PutWrapping(db, wrapping);
  });
}

Status DatabaseKeyStore::DeleteDataKeyWrapping(std::uint32_t version, std::string_view provider_key_fingerprint) {
  if (!Storable(provider_key_fingerprint)) return NotFoundError("no such data key wrapping");
  return database_->Transact([&](Session& db) -> Status {
    Params lock;
    lock.Int(std::int64_t{version});
    KW_ASSIGN_OR_RETURN(Rows exists, db.Execute(kLockDataKeyVersion, lock));
    if (exists.empty()) return NotFoundError("no such data key wrapping");
    Params params;
    params.Int(std::int64_t{version}).Text(provider_key_fingerprint);
    KW_ASSIGN_OR_RETURN(Rows count, db.Execute(kCountWrappings, params));
    KW_ASSIGN_OR_RETURN(std::int64_t total, count.Int(0, 0));
    KW_ASSIGN_OR_RETURN(std::int64_t matching, count.Int(0, 1));
    if (matching == 0) return NotFoundError("no such data key wrapping");
    if (total == 1) {
      return InvalidArgumentError("refusing to delete the last wrapping of data key version " +
                                  std::to_string(version));
    }
    return db.Execute(kDeleteWrapping, params).status();
  });
}

Result<std::vector<custody::WrappedDataKey>> DatabaseKeyStore::ListDataKeys() {
  std::vector<custody::WrappedDataKey> keys;
  if (const Status done = database_->Read([&](Session& db) -> Status {
        keys.clear();
        KW_ASSIGN_OR_RETURN(Rows rows, db.Execute(kListDataKeys));
        for (std::size_t row = 0; row < rows.size(); ++row) {
          KW_ASSIGN_OR_RETURN(auto key, ReadDataKey(rows, row));
          keys.push_back(std::move(key));
        }
        return OkStatus();
      });
      !done.ok()) {
    return done;
  }
  return keys;
}

Result<std::vector<std::uint32_t>> DatabaseKeyStore::SealedDataKeyVersions() {
  std::vector<std::uint32_t> versions;
  if (const Status done = database_->Read([&](Session& db) -> Status {
        versions.clear();
        KW_ASSIGN_OR_RETURN(Rows rows, db.Execute(kSealedVersions));
        for (std::size_t row = 0; row < rows.size(); ++row) {
          KW_ASSIGN_OR_RETURN(std::int64_t value, rows.Int(row, 0));
          KW_ASSIGN_OR_RETURN(std::uint32_t version, StoredVersion(value));
          versions.push_back(version);
        }
        return OkStatus();
      });
      !done.ok()) {
    return done;
  }
  return versions;
}

Result<int> DatabaseKeyStore::SchemaVersion() {
  int version = 0;
  if (const Status done = database_->Read([&](Session& db) -> Status {
        KW_ASSIGN_OR_RETURN(Rows rows, db.Execute(kReadSchemaVersion));
        if (rows.size() != 1) return InternalError("the keywarden_schema table does not hold one version");
        KW_ASSIGN_OR_RETURN(std::int64_t value, rows.Int(0, 0));
        version = static_cast<int>(value);
        return OkStatus();
      });
      !done.ok()) {
    return done;
  }
  return version;
}

Status DatabaseKeyStore::Ping() {
  KW_RETURN_IF_ERROR(database_->Health());
  return database_->Read([](Session& db) -> Status { return db.Execute(kPing).status(); });
}

}  // namespace keywarden::connector::store
