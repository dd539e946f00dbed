// Schema migrations on MariaDB (sql/mariadb/mariadb_migrations.h), against a real server
// (tests/support/mariadb_server.h).
#include "sql/mariadb/mariadb_migrations.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "sql/mariadb/mariadb_options.h"
#include "support/mariadb_server.h"

namespace keywarden::sql {
namespace {

using keywarden::testing::MariaDbServer;

// Step 2 holds two statements: the runner splits at a ';' that ends a line.
constexpr MigrationStep kSteps[] = {
    {1, "first", "CREATE TABLE a(x INT)"},
    {2, "second", "CREATE TABLE b(y INT);\nINSERT INTO b VALUES(2);\n"},
};
constexpr MigrationStep kBrokenThird[] = {
    kSteps[0],
    kSteps[1],
    {3, "broken", "CREATE TABLE c(z INT);\nINSERT INTO missing VALUES(1)"},
};

Status Migrate(MariaDbServer& server, const std::string& database, std::span<const MigrationStep> steps) {
  KW_ASSIGN_OR_RETURN(MariaDbOptions options, ParseMariaDbConnectionString(server.ConnectionString(database)));
  KW_ASSIGN_OR_RETURN(auto db, MariaDbConnection::Connect(options));
  return MigrateMariaDb(*db, steps, std::chrono::seconds(30));
}

std::string Query(MariaDbServer& server, const std::string& sql) {
  auto value = server.AdminQuery(sql);
  return value.ok() ? *value : value.status().ToString();
}

std::string Version(MariaDbServer& server, const std::string& database) {
  return Query(server, "SELECT version FROM `" + database + "`.keywarden_schema");
}

class MariaDbMigrationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!MariaDbServer::Installed()) KW_SKIP_OR_FAIL_IN_CI(MariaDbServer::UnavailableReason());
    server_ = MariaDbServer::Shared();
    ASSERT_NE(server_, nullptr) << MariaDbServer::UnavailableReason();
    // Connector/C's global set-up is not thread-safe: done here, before any test's threads.
    ASSERT_EQ(mysql_library_init(0, nullptr, nullptr), 0);
    auto database = server_->CreateDatabase();
    ASSERT_TRUE(database.ok()) << database.status().ToString();
    database_ = *database;
  }

  MariaDbServer* server_ = nullptr;
  std::string database_;
};

TEST_F(MariaDbMigrationsTest, AppliesInOrderAndReopensUnchanged) {
  ASSERT_TRUE(Migrate(*server_, database_, std::span(kSteps).first(1)).ok());
  EXPECT_EQ(Version(*server_, database_), "1");
  const Status status = Migrate(*server_, database_, kSteps);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(Version(*server_, database_), "2");
  // Plain CREATE TABLE steps: running one twice would fail.
  const Status again = Migrate(*server_, database_, kSteps);
  EXPECT_TRUE(again.ok()) << again.ToString();
  EXPECT_EQ(Query(*server_, "SELECT count(*) FROM `" + database_ + "`.keywarden_schema"), "1");
  EXPECT_EQ(Query(*server_, "SELECT count(*) FROM `" + database_ + "`.b"), "1");
}

TEST_F(MariaDbMigrationsTest, RefusesANewerDatabase) {
  ASSERT_TRUE(server_->AdminExec("CREATE TABLE `" + database_ + "`.keywarden_schema(version INT NOT NULL)").ok());
  ASSERT_TRUE(server_->AdminExec("INSERT INTO `" + database_ + "`.keywarden_schema VALUES(5)").ok());
  const Status status = Migrate(*server_, database_, kSteps);
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "database schema version 5 is newer than this keywarden supports (2)");
  EXPECT_EQ(Version(*server_, database_), "5");
}

TEST_F(MariaDbMigrationsTest, AFailingStepLeavesTheVersionUnchanged) {
  ASSERT_TRUE(Migrate(*server_, database_, kSteps).ok());
  const Status status = Migrate(*server_, database_, kBrokenThird);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("to migrate the schema to version 3"), std::string::npos) << status.ToString();
  EXPECT_EQ(Version(*server_, database_), "2");
  // The lock was given back: the next opener does not wait for it.
  const Status next = Migrate(*server_, database_, kSteps);
  EXPECT_TRUE(next.ok()) << next.ToString();
}

TEST_F(MariaDbMigrationsTest, ConcurrentFirstOpensTakeTurns) {
  constexpr int kOpeners = 6;
  std::vector<Status> results(kOpeners);
  std::vector<std::thread> threads;
  for (int i = 0; i < kOpeners; ++i) {
    threads.emplace_back([&, i] { results[i] = Migrate(*server_, database_, kSteps); });
  }
  for (auto& thread : threads) thread.join();
  for (const Status& status : results) EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(Version(*server_, database_), "2");
}

}  // namespace
}  // namespace keywarden::sql
