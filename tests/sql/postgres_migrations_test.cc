// Schema migrations on PostgreSQL (sql/postgres/postgres_migrations.h), against a real server
// (tests/support/postgres_server.h).
#include "sql/postgres/postgres_migrations.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "sql/postgres/postgres_options.h"
#include "support/postgres_server.h"

namespace keywarden::sql {
namespace {

using keywarden::testing::PostgresServer;

constexpr MigrationStep kSteps[] = {
    {1, "first", "CREATE TABLE a(x integer);"},
    {2, "second", "CREATE TABLE b(y integer);INSERT INTO b VALUES(2);"},
};
constexpr MigrationStep kBrokenThird[] = {
    kSteps[0],
    kSteps[1],
    {3, "broken", "CREATE TABLE c(z integer);INSERT INTO missing VALUES(1);"},
};

PgDeadline Deadline() { return PgClock::now() + std::chrono::seconds(30); }

// Runs the steps as the stores do: inside BEGIN ... COMMIT, rolled back on failure.
Status Migrate(PostgresServer& server, const std::string& database, std::span<const MigrationStep> steps) {
  KW_ASSIGN_OR_RETURN(PostgresOptions options, ParsePostgresConnectionString(server.ConnectionString(database)));
  KW_ASSIGN_OR_RETURN(auto db, PgConnection::Connect(options));
  KW_RETURN_IF_ERROR(db->ExecuteText("BEGIN", "to begin", Deadline()).status());
  Status status = MigratePostgres(*db, steps, Deadline());
  if (status.ok()) status = db->ExecuteText("COMMIT", "to commit", Deadline()).status();
  if (!status.ok()) (void)db->ExecuteText("ROLLBACK", "to roll back", Deadline());
  return status;
}

std::string Query(PostgresServer& server, const std::string& database, const std::string& sql) {
  auto value = server.QueryValue(database, sql);
  return value.ok() ? *value : value.status().ToString();
}

std::string Version(PostgresServer& server, const std::string& database) {
  return Query(server, database, "SELECT version FROM keywarden_schema");
}

bool HasTable(PostgresServer& server, const std::string& database, const std::string& name) {
  auto found = server.QueryValue(database, "SELECT 1 FROM pg_catalog.pg_tables WHERE tablename = '" + name + "'");
  return found.ok() && *found == "1";
}

TEST(PostgresMigrationsTest, AppliesInOrderAndReopensUnchanged) {
  KW_SHARED_POSTGRES_OR_SKIP(server);
  auto database = server->CreateDatabase();
  ASSERT_TRUE(database.ok()) << database.status().ToString();
  ASSERT_TRUE(Migrate(*server, *database, std::span(kSteps).first(1)).ok());
  EXPECT_EQ(Version(*server, *database), "1");
  ASSERT_TRUE(Migrate(*server, *database, kSteps).ok());
  EXPECT_EQ(Version(*server, *database), "2");
  // Plain CREATE TABLE steps: running one twice would fail.
  const Status again = Migrate(*server, *database, kSteps);
  EXPECT_TRUE(again.ok()) << again.ToString();
  EXPECT_EQ(Query(*server, *database, "SELECT count(*) FROM keywarden_schema"), "1");
  EXPECT_EQ(Query(*server, *database, "SELECT count(*) FROM b"), "1");
}

TEST(PostgresMigrationsTest, RefusesANewerDatabase) {
  KW_SHARED_POSTGRES_OR_SKIP(server);
  auto database = server->CreateDatabase();
  ASSERT_TRUE(database.ok()) << database.status().ToString();
  ASSERT_TRUE(server
                  ->Exec(*database,
                         "CREATE TABLE keywarden_schema(version integer NOT NULL);"
                         "INSERT INTO keywarden_schema VALUES(5)")
                  .ok());
  const Status status = Migrate(*server, *database, kSteps);
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "database schema version 5 is newer than this keywarden supports (2)");
  EXPECT_FALSE(HasTable(*server, *database, "a"));
}

TEST(PostgresMigrationsTest, AFailingStepLeavesTheVersionUnchanged) {
  KW_SHARED_POSTGRES_OR_SKIP(server);
  auto database = server->CreateDatabase();
  ASSERT_TRUE(database.ok()) << database.status().ToString();
  ASSERT_TRUE(Migrate(*server, *database, kSteps).ok());
  const Status status = Migrate(*server, *database, kBrokenThird);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("to apply schema migration 3"), std::string::npos) << status.ToString();
  EXPECT_EQ(Version(*server, *database), "2");
  EXPECT_FALSE(HasTable(*server, *database, "c"));
}

TEST(PostgresMigrationsTest, ConcurrentFirstOpensTakeTurns) {
  KW_SHARED_POSTGRES_OR_SKIP(server);
  auto database = server->CreateDatabase();
  ASSERT_TRUE(database.ok()) << database.status().ToString();
  constexpr int kOpeners = 6;
  std::vector<Status> results(kOpeners);
  std::vector<std::thread> threads;
  for (int i = 0; i < kOpeners; ++i) {
    threads.emplace_back([&, i] { results[i] = Migrate(*server, *database, kSteps); });
  }
  for (auto& thread : threads) thread.join();
  // The advisory lock comes before anything else, and each later opener's statements see the
  // first one's committed work (READ COMMITTED): all succeed, the steps ran once.
  for (const Status& status : results) EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(Version(*server, *database), "2");
}

}  // namespace
}  // namespace keywarden::sql
