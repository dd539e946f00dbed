#include "sql/sqlite/sqlite_migrations.h"

#include <sqlite3.h>

#include <string>

#include "sql/sqlite/sqlite_error.h"

namespace keywarden::sql {
namespace {

Status Exec(sqlite3* db, const std::string& sql, std::string_view what) {
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? OkStatus() : SqliteError(rc, what);
}

class SqliteTarget final : public MigrationTarget {
 public:
  explicit SqliteTarget(sqlite3* db) : db_(db) {}

  Status Lock() override { return Exec(db_, "BEGIN IMMEDIATE", "to lock the database for schema migration"); }

  Result<int> CurrentVersion() override { return SqliteUserVersion(db_); }

  // Inside the shared transaction, so the step and its version commit or vanish together.
  Status Apply(const MigrationStep& step) override {
    const std::string what = "to apply schema migration " + std::to_string(step.version);
    KW_RETURN_IF_ERROR(Exec(db_, std::string(step.sql), what));
    return Exec(db_, "PRAGMA user_version = " + std::to_string(step.version), what);
  }

  Status Unlock(Status status) override {
    if (status.ok()) status = Exec(db_, "COMMIT", "to commit the schema migration");
    // Some errors end the transaction by themselves; ROLLBACK then would fail.
    if (!status.ok() && sqlite3_get_autocommit(db_) == 0) {
      (void)Exec(db_, "ROLLBACK", "to roll back the schema migration");
    }
    return status;
  }

 private:
  sqlite3* db_;
};

}  // namespace

Result<int> SqliteUserVersion(sqlite3* db) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteError(rc, "to read the schema version");
  rc = sqlite3_step(stmt);
  const int version = rc == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : 0;
  sqlite3_finalize(stmt);
  if (rc == SQLITE_DONE) return InternalError("SQLite returned no schema version");
  if (rc != SQLITE_ROW) return SqliteError(rc, "to read the schema version");
  return version;
}

Status MigrateSqlite(sqlite3* db, std::span<const MigrationStep> steps) {
  SqliteTarget target(db);
  return RunMigrations(steps, target);
}

}  // namespace keywarden::sql
