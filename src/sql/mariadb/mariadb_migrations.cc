#include "sql/mariadb/mariadb_migrations.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <thread>

namespace keywarden::sql {
namespace {

class MariaDbTarget final : public MigrationTarget {
 public:
  MariaDbTarget(MariaDbConnection& db, std::chrono::seconds lock_timeout) : db_(db), lock_timeout_(lock_timeout) {}

  Status Lock() override {
    const auto deadline = std::chrono::steady_clock::now() + lock_timeout_;
    while (true) {
      // Waiting here rather than inside GET_LOCK keeps every round trip under the read timeout.
      MariaDbStatement lock(db_, "SELECT GET_LOCK(CONCAT('keywarden-migrate-', MD5(DATABASE())), 0)",
                            "to take the schema migration lock");
      KW_RETURN_IF_ERROR(lock.Run());
      KW_ASSIGN_OR_RETURN(bool row, lock.Next());
      const std::optional<std::int64_t> got = row ? lock.ColumnOptionalInt(0) : std::nullopt;
      if (!got.has_value()) return InternalError("MariaDB could not take the schema migration lock");
      if (*got == 1) break;
      if (std::chrono::steady_clock::now() >= deadline) {
        return UnavailableError("another keywarden instance held the schema migration lock for more than " +
                                std::to_string(lock_timeout_.count()) + " s");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    // Under the lock from here on: Unlock releases it whatever happens.
    locked_ = true;
    return db_.Execute(
        "CREATE TABLE IF NOT EXISTS keywarden_schema(version INT NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
        "to create the keywarden_schema table");
  }

  Result<int> CurrentVersion() override {
    KW_ASSIGN_OR_RETURN(current_, MariaDbSchemaVersion(db_));
    return current_;
  }

  Status Apply(const MigrationStep& step) override {
    const std::string what = "to apply schema migration " + std::to_string(step.version);
    std::string_view rest = step.sql;
    while (!rest.empty()) {
      const std::size_t end = rest.find(";\n");
      const std::string_view statement = rest.substr(0, end);
      if (statement.find_first_not_of(" \t\r\n") != std::string_view::npos) {
        KW_RETURN_IF_ERROR(db_.Execute(statement, what));
      }
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 2);
    }
    MariaDbStatement record(
        db_,
        current_ == 0 ? "INSERT INTO keywarden_schema(version) VALUES(?)" : "UPDATE keywarden_schema SET version = ?",
        what);
    KW_RETURN_IF_ERROR(record.Int(std::int64_t{step.version}).Run());
    current_ = step.version;
    return OkStatus();
  }

  Status Unlock(Status status) override {
    if (!locked_) return status;  // Lock failed before it held anything
    // Closing the connection would release it too.
    Status released = db_.Execute("DO RELEASE_LOCK(CONCAT('keywarden-migrate-', MD5(DATABASE())))",
                                  "to release the schema migration lock");
    if (!status.ok()) return status;
    return released;
  }

 private:
  MariaDbConnection& db_;
  const std::chrono::seconds lock_timeout_;
  bool locked_ = false;
  int current_ = 0;
};

}  // namespace

Result<int> MariaDbSchemaVersion(MariaDbConnection& db) {
  MariaDbStatement query(db, "SELECT version FROM keywarden_schema", "to read the schema version");
  KW_RETURN_IF_ERROR(query.Run());
  KW_ASSIGN_OR_RETURN(bool row, query.Next());
  if (!row) return 0;
  const std::int64_t version = query.ColumnInt(0);
  KW_ASSIGN_OR_RETURN(bool second, query.Next());
  if (second) return InternalError("the keywarden_schema table has more than one row");
  if (version < 0 || version > std::numeric_limits<int>::max()) {
    return InternalError("stored schema version is out of range");
  }
  return static_cast<int>(version);
}

Status MigrateMariaDb(MariaDbConnection& db, std::span<const MigrationStep> steps, std::chrono::seconds lock_timeout) {
  MariaDbTarget target(db, lock_timeout);
  return RunMigrations(steps, target);
}

}  // namespace keywarden::sql
