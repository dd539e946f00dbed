// Schema migrations on SQLite (sql/sqlite/sqlite_migrations.h), on real database files.
#include "sql/sqlite/sqlite_migrations.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.h"

namespace keywarden::sql {
namespace {

constexpr MigrationStep kSteps[] = {
    {1, "first", "CREATE TABLE a(x INTEGER);"},
    {2, "second", "CREATE TABLE b(y INTEGER);INSERT INTO b VALUES(2);"},
};
// A third step whose second statement fails: its first must not survive.
constexpr MigrationStep kBrokenThird[] = {
    kSteps[0],
    kSteps[1],
    {3, "broken", "CREATE TABLE c(z INTEGER);INSERT INTO missing VALUES(1);"},
};

struct Closer {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, Closer>;

Db Open(const std::string& path) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  return Db(db);
}

bool HasTable(sqlite3* db, const std::string& name) {
  const std::string sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '" + name + "'";
  bool found = false;
  sqlite3_exec(
      db, sql.c_str(), [](void* out, int, char**, char**) { return *static_cast<bool*>(out) = true, 0; }, &found,
      nullptr);
  return found;
}

class SqliteMigrationsTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  std::string path_ = (dir_.path() / "test.db").string();
};

TEST_F(SqliteMigrationsTest, AppliesInOrderAndRecordsTheVersion) {
  Db db = Open(path_);
  ASSERT_TRUE(MigrateSqlite(db.get(), kSteps).ok());
  EXPECT_EQ(*SqliteUserVersion(db.get()), 2);
  EXPECT_TRUE(HasTable(db.get(), "a"));
  EXPECT_TRUE(HasTable(db.get(), "b"));
}

TEST_F(SqliteMigrationsTest, ReopeningChangesNothing) {
  ASSERT_TRUE(MigrateSqlite(Open(path_).get(), kSteps).ok());
  // The steps are not idempotent (plain CREATE TABLE): running one again would fail.
  Db db = Open(path_);
  ASSERT_TRUE(MigrateSqlite(db.get(), kSteps).ok());
  EXPECT_EQ(*SqliteUserVersion(db.get()), 2);
}

TEST_F(SqliteMigrationsTest, TakesOnlyTheNewSteps) {
  ASSERT_TRUE(MigrateSqlite(Open(path_).get(), std::span(kSteps).first(1)).ok());
  Db db = Open(path_);
  EXPECT_EQ(*SqliteUserVersion(db.get()), 1);
  ASSERT_TRUE(MigrateSqlite(db.get(), kSteps).ok());
  EXPECT_EQ(*SqliteUserVersion(db.get()), 2);
}

TEST_F(SqliteMigrationsTest, RefusesANewerDatabase) {
  Db db = Open(path_);
  ASSERT_EQ(sqlite3_exec(db.get(), "PRAGMA user_version = 7", nullptr, nullptr, nullptr), SQLITE_OK);
  const Status status = MigrateSqlite(db.get(), kSteps);
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "database schema version 7 is newer than this keywarden supports (2)");
  EXPECT_EQ(*SqliteUserVersion(db.get()), 7);
  EXPECT_FALSE(HasTable(db.get(), "a"));
}

TEST_F(SqliteMigrationsTest, AFailingStepLeavesTheVersionUnchanged) {
  ASSERT_TRUE(MigrateSqlite(Open(path_).get(), kSteps).ok());
  Db db = Open(path_);
  const Status status = MigrateSqlite(db.get(), kBrokenThird);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("to apply schema migration 3"), std::string::npos) << status.ToString();
  EXPECT_EQ(*SqliteUserVersion(db.get()), 2);
  EXPECT_FALSE(HasTable(db.get(), "c"));
  EXPECT_EQ(sqlite3_get_autocommit(db.get()), 1);  // no transaction left open
}

TEST_F(SqliteMigrationsTest, ConcurrentFirstOpensTakeTurns) {
  constexpr int kOpeners = 8;
  std::vector<Status> results(kOpeners);
  std::vector<std::thread> threads;
  for (int i = 0; i < kOpeners; ++i) {
    threads.emplace_back([&, i] { results[i] = MigrateSqlite(Open(path_).get(), kSteps); });
  }
  for (auto& thread : threads) thread.join();
  for (const Status& status : results) EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(*SqliteUserVersion(Open(path_).get()), 2);
}

}  // namespace
}  // namespace keywarden::sql
