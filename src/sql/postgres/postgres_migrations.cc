#include "sql/postgres/postgres_migrations.h"

#include <cstdint>
#include <limits>
#include <string>

namespace keywarden::sql {
namespace {

// pg_advisory_xact_lock key for schema migrations: "kwschema" in ASCII.
constexpr char kLockSchema[] = "SELECT pg_advisory_xact_lock(7739316375406325089)";
constexpr PgStatement kReadVersion{"kw_migration_version", "SELECT version FROM keywarden_schema",
                                   "to read the schema version"};

class PostgresTarget final : public MigrationTarget {
 public:
  PostgresTarget(PgConnection& db, PgDeadline deadline) : db_(db), deadline_(deadline) {}

  Status Lock() override {
    // The lock ends with the caller's transaction.
    KW_RETURN_IF_ERROR(db_.ExecuteText(kLockSchema, "to lock the schema for migration", deadline_).status());
    // Looked up first rather than CREATE TABLE IF NOT EXISTS, which needs the CREATE privilege
    // even when the table exists: once migrated, a role with only DML rights can run the store.
    KW_ASSIGN_OR_RETURN(PgResult table, db_.ExecuteText("SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = "
                                                        "current_schema() AND tablename = 'keywarden_schema'",
                                                        "to look for the schema version table", deadline_));
    if (table.rows() > 0) return OkStatus();
    return db_
        .ExecuteText("CREATE TABLE keywarden_schema(version integer NOT NULL)", "to create the schema version table",
                     deadline_)
        .status();
  }

  Result<int> CurrentVersion() override {
    KW_ASSIGN_OR_RETURN(PgResult stored, db_.Execute(kReadVersion, PgParams(), deadline_));
    if (stored.rows() > 1) return InternalError("the keywarden_schema table has more than one row");
    has_row_ = stored.rows() == 1;
    if (!has_row_) return 0;
    KW_ASSIGN_OR_RETURN(std::int64_t version, stored.Int(0, 0));
    if (version < 0 || version > std::numeric_limits<int>::max()) {
      return InternalError("stored schema version is out of range");
    }
    return static_cast<int>(version);
  }

  Status Apply(const MigrationStep& step) override {
    const std::string what = "to apply schema migration " + std::to_string(step.version);
    KW_RETURN_IF_ERROR(db_.ExecuteText(step.sql, what, deadline_).status());
    const std::string record =
        has_row_ ? "UPDATE keywarden_schema SET version = " + std::to_string(step.version)
                 : "INSERT INTO keywarden_schema(version) VALUES(" + std::to_string(step.version) + ")";
    KW_RETURN_IF_ERROR(db_.ExecuteText(record, "to record the schema version", deadline_).status());
    has_row_ = true;
    return OkStatus();
  }

  // Commit and rollback are the caller's.
  Status Unlock(Status status) override { return status; }

 private:
  PgConnection& db_;
  const PgDeadline deadline_;
  bool has_row_ = false;
};

}  // namespace

Status MigratePostgres(PgConnection& db, std::span<const MigrationStep> steps, PgDeadline deadline) {
  PostgresTarget target(db, deadline);
  return RunMigrations(steps, target);
}

}  // namespace keywarden::sql
