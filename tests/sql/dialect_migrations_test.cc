// Schema migrations through each database's Open (sql/sqlite/sqlite_migrations.h,
// sql/postgres/postgres_migrations.h, sql/mariadb/mariadb_migrations.h): one test body per
// behaviour, run on a SQLite file and on real PostgreSQL and MariaDB servers. The runner's own
// rules, against a scripted target, are in migrations_test.cc.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "sql/mariadb/mariadb_database.h"
#include "sql/postgres/postgres_database.h"
#include "sql/sqlite/sqlite_database.h"
#include "support/mariadb_server.h"
#include "support/postgres_server.h"
#include "support/skip.h"
#include "support/temp_dir.h"

namespace keywarden::sql {
namespace {

using keywarden::testing::MariaDbServer;
using keywarden::testing::PostgresServer;

// Step 2 holds two statements: MariaDB's runner splits at a ';' that ends a line, the others
// hand the text to the server whole. The SQL is the same in every dialect.
constexpr MigrationStep kSteps[] = {
    {1, "first", "CREATE TABLE a(x INTEGER);\n"},
    {2, "second", "CREATE TABLE b(y INTEGER);\nINSERT INTO b VALUES(2);\n"},
};
// A third step whose second statement fails: on SQLite and PostgreSQL its first does not survive
// either (transactional DDL); on every dialect the version stays at 2.
constexpr MigrationStep kBrokenThird[] = {
    kSteps[0],
    kSteps[1],
    {3, "broken", "CREATE TABLE c(z INTEGER);\nINSERT INTO missing VALUES(1);\n"},
};

enum class Kind { kSqlite, kPostgres, kMariaDb };

struct Harness {
  const char* name;
  Kind kind;
};

class DialectMigrationsTest : public ::testing::TestWithParam<Harness> {
 protected:
  void SetUp() override {
    switch (GetParam().kind) {
      case Kind::kSqlite: path_ = dir_.File("test.db"); break;
      case Kind::kPostgres: {
        KW_SHARED_POSTGRES_OR_SKIP(server);
        postgres_ = server;
        auto database = postgres_->CreateDatabase();
        ASSERT_TRUE(database.ok()) << database.status().ToString();
        name_ = *database;
        break;
      }
      case Kind::kMariaDb: {
        if (!MariaDbServer::Installed()) KW_SKIP_OR_FAIL_IN_CI(MariaDbServer::UnavailableReason());
        mariadb_ = MariaDbServer::Shared();
        ASSERT_NE(mariadb_, nullptr) << MariaDbServer::UnavailableReason();
        auto database = mariadb_->CreateDatabase();
        ASSERT_TRUE(database.ok()) << database.status().ToString();
        name_ = *database;
        break;
      }
    }
  }

  // Opens the database as a service does, migrating it to the last of `steps`.
  Status Open(std::span<const MigrationStep> steps) {
    switch (GetParam().kind) {
      case Kind::kSqlite: return SqliteDatabase::Open(path_, SqliteOptions(), steps).status();
      case Kind::kPostgres: {
        KW_ASSIGN_OR_RETURN(PostgresOptions options, ParsePostgresConnectionString(postgres_->ConnectionString(name_)));
        return PostgresDatabase::Open(options, 2, steps).status();
      }
      case Kind::kMariaDb: {
        KW_ASSIGN_OR_RETURN(MariaDbOptions options, ParseMariaDbConnectionString(mariadb_->ConnectionString(name_)));
        return MariaDbDatabase::Open(options, 2, steps).status();
      }
    }
    return InternalError("unknown dialect");
  }

  // The first column of the first row of `sql`, read as an administrator from outside the
  // Database; "{db}." before a table name qualifies it where the server needs that (MariaDB).
  std::string Query(std::string sql) {
    const std::string qualifier = GetParam().kind == Kind::kMariaDb ? "`" + name_ + "`." : "";
    for (std::size_t at; (at = sql.find("{db}.")) != std::string::npos;) sql.replace(at, 5, qualifier);
    switch (GetParam().kind) {
      case Kind::kSqlite: {
        sqlite3* db = nullptr;
        sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
        std::string value = "(no row)";
        sqlite3_exec(
            db, sql.c_str(),
            [](void* out, int, char** columns, char**) {
              *static_cast<std::string*>(out) = columns[0] == nullptr ? "" : columns[0];
              return 1;  // the first row is enough
            },
            &value, nullptr);
        sqlite3_close_v2(db);
        return value;
      }
      case Kind::kPostgres: {
        auto value = postgres_->QueryValue(name_, sql);
        return value.ok() ? *value : value.status().ToString();
      }
      case Kind::kMariaDb: {
        auto value = mariadb_->AdminQuery(sql);
        return value.ok() ? *value : value.status().ToString();
      }
    }
    return "unknown dialect";
  }

  std::string Version() {
    return Query(GetParam().kind == Kind::kSqlite ? "PRAGMA user_version"
                                                  : "SELECT version FROM {db}.keywarden_schema");
  }

  bool HasTable(const std::string& table) {
    switch (GetParam().kind) {
      case Kind::kSqlite: return Query("SELECT count(*) FROM sqlite_master WHERE name = '" + table + "'") == "1";
      case Kind::kPostgres:
        return Query("SELECT count(*) FROM pg_catalog.pg_tables WHERE tablename = '" + table + "'") == "1";
      case Kind::kMariaDb:
        return Query("SELECT count(*) FROM information_schema.tables WHERE table_schema = '" + name_ +
                     "' AND table_name = '" + table + "'") == "1";
    }
    return false;
  }

  // Marks the database as migrated by a newer build, to version `version`.
  Status SetNewerVersion(int version) {
    const std::string v = std::to_string(version);
    switch (GetParam().kind) {
      case Kind::kSqlite: {
        sqlite3* db = nullptr;
        sqlite3_open(path_.c_str(), &db);
        const int rc = sqlite3_exec(db, ("PRAGMA user_version = " + v).c_str(), nullptr, nullptr, nullptr);
        sqlite3_close_v2(db);
        return rc == SQLITE_OK ? OkStatus() : InternalError("cannot set user_version");
      }
      case Kind::kPostgres:
        return postgres_->Exec(name_,
                               "CREATE TABLE keywarden_schema(version integer NOT NULL);"
                               "INSERT INTO keywarden_schema VALUES(" +
                                   v + ")");
      case Kind::kMariaDb:
        KW_RETURN_IF_ERROR(mariadb_->AdminExec("CREATE TABLE `" + name_ + "`.keywarden_schema(version INT NOT NULL)"));
        return mariadb_->AdminExec("INSERT INTO `" + name_ + "`.keywarden_schema VALUES(" + v + ")");
    }
    return InternalError("unknown dialect");
  }

  keywarden::testing::TempDir dir_;
  std::string path_;  // SQLite
  PostgresServer* postgres_ = nullptr;
  MariaDbServer* mariadb_ = nullptr;
  std::string name_;  // the server's database
};

TEST_P(DialectMigrationsTest, AppliesInOrderTakesOnlyNewStepsAndReopensUnchanged) {
  const Status first = Open(std::span(kSteps).first(1));
  ASSERT_TRUE(first.ok()) << first.ToString();
  EXPECT_EQ(Version(), "1");
  const Status both = Open(kSteps);
  ASSERT_TRUE(both.ok()) << both.ToString();
  EXPECT_EQ(Version(), "2");
  // Plain CREATE TABLE steps: running one twice would fail.
  const Status again = Open(kSteps);
  EXPECT_TRUE(again.ok()) << again.ToString();
  EXPECT_EQ(Version(), "2");
  EXPECT_EQ(Query("SELECT count(*) FROM {db}.b"), "1");
  EXPECT_TRUE(HasTable("a"));
}

TEST_P(DialectMigrationsTest, RefusesANewerDatabaseNamingBothVersions) {
  ASSERT_TRUE(SetNewerVersion(5).ok());
  const Status status = Open(kSteps);
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument) << status.ToString();
  EXPECT_EQ(status.message(), "database schema version 5 is newer than this keywarden supports (2)");
  EXPECT_EQ(Version(), "5");
  EXPECT_FALSE(HasTable("a"));
}

TEST_P(DialectMigrationsTest, AFailingStepLeavesTheVersionUnchangedAndTheLockFree) {
  ASSERT_TRUE(Open(kSteps).ok());
  const Status status = Open(kBrokenThird);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("to apply schema migration 3"), std::string::npos) << status.ToString();
  EXPECT_EQ(Version(), "2");
  if (GetParam().kind != Kind::kMariaDb) {
    EXPECT_FALSE(HasTable("c"));  // MariaDB's DDL commits by itself
  }
  // The lock was given back: the next opener does not wait for it.
  const Status next = Open(kSteps);
  EXPECT_TRUE(next.ok()) << next.ToString();
}

TEST_P(DialectMigrationsTest, ConcurrentFirstOpensTakeTurns) {
  constexpr int kOpeners = 6;
  std::vector<Status> results(kOpeners);
  std::vector<std::thread> threads;
  for (int i = 0; i < kOpeners; ++i) {
    threads.emplace_back([&, i] { results[i] = Open(kSteps); });
  }
  for (auto& thread : threads) thread.join();
  // Each dialect's lock (BEGIN IMMEDIATE, an advisory lock, GET_LOCK) comes first, and each later
  // opener finds the first one's work committed: all succeed, and the steps ran once.
  for (const Status& status : results) EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(Version(), "2");
  EXPECT_EQ(Query("SELECT count(*) FROM {db}.b"), "1");
}

INSTANTIATE_TEST_SUITE_P(Dialects, DialectMigrationsTest,
                         ::testing::Values(Harness{"Sqlite", Kind::kSqlite}, Harness{"Postgres", Kind::kPostgres},
                                           Harness{"MariaDb", Kind::kMariaDb}),
                         [](const ::testing::TestParamInfo<Harness>& param) { return std::string(param.param.name); });

}  // namespace
}  // namespace keywarden::sql
