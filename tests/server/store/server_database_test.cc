// The server's schema opens on SQLite, is created once, and is kept on a second open.
#include "server/store/server_database.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "support/temp_dir.h"

namespace keywarden::server {
namespace {

constexpr sql::Statement kInsertUser = {
    "test_insert_user",
    "INSERT INTO users(id, email, kdf_type, kdf_iterations, security_stamp, api_key, creation_date, revision_date,"
    " account_revision_date) VALUES ($1, $2, 0, 600000, 's', 'k', 1, 1, 1)",
    nullptr, nullptr, "to add a user"};
constexpr sql::Statement kCountUsers = {"test_count_users", "SELECT COUNT(*) FROM users", nullptr, nullptr,
                                        "to count users"};

TEST(ServerDatabaseTest, CreatesTheSchemaOnceAndKeepsItsRows) {
  testing::TempDir dir;
  config::DatabaseSection section;
  section.sqlite_path = dir.File("server.db");
  {
    auto database = OpenServerDatabase(section);
    ASSERT_TRUE(database.ok()) << database.status().message();
    EXPECT_TRUE(CreatedByOpen(**database));
    ASSERT_TRUE((*database)
                    ->Transact([](sql::Session& session) {
                      return session.Execute(kInsertUser, sql::Params().Text("u1").Text("a@example.com")).status();
                    })
                    .ok());
    // The e-mail is unique: a second account with it is refused.
    const Status duplicate = (*database)->Transact([](sql::Session& session) {
      return session.Execute(kInsertUser, sql::Params().Text("u2").Text("a@example.com")).status();
    });
    EXPECT_EQ(duplicate.code(), ErrorCode::kAlreadyExists);
  }
  auto reopened = OpenServerDatabase(section);
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  EXPECT_FALSE(CreatedByOpen(**reopened));
  std::int64_t count = -1;
  ASSERT_TRUE((*reopened)
                  ->Read([&](sql::Session& session) {
                    KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kCountUsers));
                    KW_ASSIGN_OR_RETURN(count, rows.Int(0, 0));
                    return OkStatus();
                  })
                  .ok());
  EXPECT_EQ(count, 1);
}

// The counts behind /metrics' keywarden_database_write_transactions and _commits: one of each per
// write alone; concurrent writers share commits, never more commits than transactions.
TEST(ServerDatabaseTest, SqliteCountsWriteTransactionsAndTheCommitsCarryingThem) {
  testing::TempDir dir;
  config::DatabaseSection section;
  section.sqlite_path = dir.File("server.db");
  auto database = OpenServerDatabase(section);
  ASSERT_TRUE(database.ok()) << database.status().message();
  const auto before = SqliteWriteCounts(**database);
  ASSERT_TRUE(before.has_value());
  const auto insert = [&](int n) {
    return (*database)->Transact([n](sql::Session& session) {
      const std::string id = "u" + std::to_string(n);
      return session.Execute(kInsertUser, sql::Params().Text(id).Text(id + "@example.com")).status();
    });
  };
  for (int n = 0; n < 3; ++n) ASSERT_TRUE(insert(n).ok());
  const auto alone = SqliteWriteCounts(**database);
  EXPECT_EQ(alone->transactions - before->transactions, 3U);
  EXPECT_EQ(alone->commits - before->commits, 3U);

  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t) {
    writers.emplace_back([&, t] {
      for (int n = 0; n < 25; ++n) EXPECT_TRUE(insert(100 + t * 100 + n).ok());
    });
  }
  for (auto& writer : writers) writer.join();
  const auto together = SqliteWriteCounts(**database);
  EXPECT_EQ(together->transactions - alone->transactions, 200U);
  EXPECT_GE(together->commits - alone->commits, 1U);
  EXPECT_LE(together->commits - alone->commits, 200U);
}

TEST(ServerDatabaseTest, RefusesMysqlWithOneLine) {
  config::DatabaseSection section;
  section.provider = config::DatabaseProvider::kMysql;
  auto database = OpenServerDatabase(section);
  ASSERT_FALSE(database.ok());
  EXPECT_NE(database.status().message().find("database.provider"), std::string::npos);
}

}  // namespace
}  // namespace keywarden::server
