// sql::Database (sql/database.h) on a SQLite file and on real PostgreSQL and MariaDB servers: one
// test body per behaviour, run on each dialect. The key store's conformance and outage tests cover the rest
// (tests/connector/store/).
#include "sql/database.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
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
#include "support/wait.h"

namespace keywarden::sql {
namespace {

using keywarden::testing::MariaDbServer;
using keywarden::testing::PostgresServer;

constexpr MigrationStep kPostgresSchema[] = {
    {1, "items", "CREATE TABLE items(id text PRIMARY KEY, n bigint, m bigint, note bytea);"}};
constexpr MigrationStep kSqliteSchema[] = {
    {1, "items", "CREATE TABLE items(id TEXT PRIMARY KEY, n INTEGER, m INTEGER, note BLOB);"}};
constexpr MigrationStep kMariaDbSchema[] = {
    {1, "items", "CREATE TABLE items(id VARBINARY(64) PRIMARY KEY, n BIGINT, m BIGINT, note BLOB) ENGINE=InnoDB;"}};

// clang-format off
constexpr Statement kInsert{"t_insert", "INSERT INTO items(id, n, m, note) VALUES($1, $2, $2, $3)", nullptr, nullptr,
    "to insert an item"};
constexpr Statement kInsertNull{"t_insert_null", "INSERT INTO items(id, n, m) VALUES($1, $2, NULL)", nullptr, nullptr,
    "to insert an item"};
// Parameters used out of their order.
constexpr Statement kFind{"t_find", "SELECT id, n, m, note FROM items WHERE n = $2 AND id = $1", nullptr, nullptr,
    "to find an item"};
constexpr Statement kCount{"t_count", "SELECT count(*) FROM items", nullptr, nullptr, "to count items"};
constexpr Statement kAll{"t_all", "SELECT id, n, m, note FROM items ORDER BY id", nullptr, nullptr, "to list items"};
// Fails at the row with n = 3, not before: abs() of the smallest 64-bit integer overflows on every dialect.
constexpr Statement kAllFailingAtThree{"t_all_failing_at_three",
    "SELECT id, CASE WHEN n < 3 THEN n ELSE abs(n - 9223372036854775807 - 4) END FROM items ORDER BY id", nullptr,
    nullptr, "to list items"};
constexpr Statement kAdd{"t_add", "UPDATE items SET n = n + $2 WHERE id = $1", nullptr, nullptr, "to add to an item"};
constexpr Statement kArrayCount{"t_array_count", "SELECT count(*) FROM unnest($1::bigint[]) AS x(v)", nullptr, nullptr,
    "to count an array"};
// clang-format on

struct Harness {
  const char* name;
  Dialect dialect;
};

class DatabaseTest : public ::testing::TestWithParam<Harness> {
 protected:
  void SetUp() override {
    if (GetParam().dialect == Dialect::kSqlite) {
      SqliteOptions options;
      options.read_connections = 3;
      auto opened = SqliteDatabase::Open(dir_.File("items.db"), options, kSqliteSchema);
      ASSERT_TRUE(opened.ok()) << opened.status().ToString();
      database_ = std::move(opened).value();
    } else if (GetParam().dialect == Dialect::kPostgres) {
      KW_SHARED_POSTGRES_OR_SKIP(server);
      auto name = server->CreateDatabase();
      ASSERT_TRUE(name.ok()) << name.status().ToString();
      auto options = ParsePostgresConnectionString(server->ConnectionString(*name));
      ASSERT_TRUE(options.ok()) << options.status().ToString();
      auto opened = PostgresDatabase::Open(*options, 4, kPostgresSchema);
      ASSERT_TRUE(opened.ok()) << opened.status().ToString();
      database_ = std::move(opened).value();
    } else {
      if (!MariaDbServer::Installed()) KW_SKIP_OR_FAIL_IN_CI(MariaDbServer::UnavailableReason());
      MariaDbServer* server = MariaDbServer::Shared();
      ASSERT_NE(server, nullptr) << MariaDbServer::UnavailableReason();
      auto name = server->CreateDatabase();
      ASSERT_TRUE(name.ok()) << name.status().ToString();
      auto options = ParseMariaDbConnectionString(server->ConnectionString(*name));
      ASSERT_TRUE(options.ok()) << options.status().ToString();
      auto opened = MariaDbDatabase::Open(*options, 4, kMariaDbSchema);
      ASSERT_TRUE(opened.ok()) << opened.status().ToString();
      database_ = std::move(opened).value();
    }
  }

  Status Insert(const std::string& id, std::int64_t n) {
    return database_->Transact([&](Session& db) -> Status {
      Params params;
      params.Text(id).Int(n).Bytes(std::vector<std::uint8_t>{0x00, 0xff});
      return db.Execute(kInsert, params).status();
    });
  }

  Result<std::int64_t> Count() {
    std::int64_t count = -1;
    const Status status = database_->Read([&](Session& db) -> Status {
      KW_ASSIGN_OR_RETURN(Rows rows, db.Execute(kCount));
      KW_ASSIGN_OR_RETURN(count, rows.Int(0, 0));
      return OkStatus();
    });
    if (!status.ok()) return status;
    return count;
  }

  keywarden::testing::TempDir dir_;
  std::unique_ptr<Database> database_;
};

TEST_P(DatabaseTest, ParametersBindByNumberAndRowsReadBackTyped) {
  EXPECT_EQ(database_->dialect(), GetParam().dialect);
  ASSERT_TRUE(Insert("a", 7).ok());
  const Status inserted = database_->Transact([](Session& db) -> Status {
    Params params;
    params.Text("b").Int(std::optional<std::int64_t>());
    return db.Execute(kInsertNull, params).status();
  });
  ASSERT_TRUE(inserted.ok()) << inserted.ToString();

  Rows found;
  const Status read = database_->Read([&](Session& db) -> Status {
    Params params;
    params.Text("a").Int(std::int64_t{7});
    KW_ASSIGN_OR_RETURN(found, db.Execute(kFind, params));
    return OkStatus();
  });
  ASSERT_TRUE(read.ok()) << read.ToString();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found.Text(0, 0), "a");
  EXPECT_EQ(found.Int(0, 1).value(), 7);
  EXPECT_EQ(found.OptionalInt(0, 2), std::optional<std::int64_t>(7));  // $2 used twice
  EXPECT_EQ(found.Bytes(0, 3), (std::vector<std::uint8_t>{0x00, 0xff}));

  const Status read_null = database_->Read([&](Session& db) -> Status {
    Params params;
    params.Text("b").Int(std::optional<std::int64_t>());
    KW_ASSIGN_OR_RETURN(found, db.Execute(kFind, params));
    return OkStatus();
  });
  ASSERT_TRUE(read_null.ok()) << read_null.ToString();
  EXPECT_TRUE(found.empty());  // n = NULL matches nothing, in both dialects
  EXPECT_EQ(Count().value(), 2);
}

// Rows one at a time (SQLite reads them from the statement, the others walk a Rows): the same
// values as Execute's, in order, and a visitor's error stops the walk and comes back.
TEST_P(DatabaseTest, ForEachRowHandsOutEachRowInOrderAndStopsOnAnError) {
  ASSERT_TRUE(Insert("b", 2).ok());
  ASSERT_TRUE(Insert("a", 1).ok());
  ASSERT_TRUE(database_
                  ->Transact([](Session& db) {
                    return db.Execute(kInsertNull, Params().Text("c").Int(std::int64_t{3})).status();
                  })
                  .ok());
  std::vector<std::string> ids;
  std::vector<std::int64_t> ns;
  std::vector<std::optional<std::int64_t>> ms;
  std::vector<std::string> notes;
  Status read = database_->Read([&](Session& db) {
    ids.clear();
    ns.clear();
    ms.clear();
    notes.clear();
    return db.ForEachRow(kAll, Params(), [&](const RowView& row) -> Status {
      ids.emplace_back(row.Text(0));
      KW_ASSIGN_OR_RETURN(std::int64_t n, row.Int(1));
      ns.push_back(n);
      ms.push_back(row.OptionalInt(2));
      notes.emplace_back(row.Text(3));
      EXPECT_EQ(row.Text(1), "");  // an integer is no text
      EXPECT_EQ(row.Text(9), "");  // nor is a column past the last
      EXPECT_EQ(row.OptionalInt(9), std::nullopt);
      return OkStatus();
    });
  });
  ASSERT_TRUE(read.ok()) << read.ToString();
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(ns, (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(ms, (std::vector<std::optional<std::int64_t>>{1, 2, std::nullopt}));
  EXPECT_EQ(notes, (std::vector<std::string>{std::string("\0\xff", 2), std::string("\0\xff", 2), ""}));

  int visited = 0;
  read = database_->Read([&](Session& db) {
    visited = 0;
    return db.ForEachRow(kAll, Params(), [&](const RowView&) -> Status {
      return ++visited == 2 ? InvalidArgumentError("enough") : OkStatus();
    });
  });
  EXPECT_EQ(read.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(visited, 2);
  // The statement is reusable afterwards.
  EXPECT_EQ(Count().value(), 3);
}

// SQLite streams: the rows before a failing one reach the visitor, and the failure ends the walk.
// The other dialects read the whole result first, so the failure comes before any row.
TEST_P(DatabaseTest, ForEachRowReturnsTheFailureOfALaterRow) {
  ASSERT_TRUE(Insert("a", 1).ok());
  ASSERT_TRUE(Insert("b", 2).ok());
  ASSERT_TRUE(Insert("c", 3).ok());
  std::vector<std::string> seen;
  const Status read = database_->Read([&](Session& db) {
    seen.clear();
    return db.ForEachRow(kAllFailingAtThree, Params(), [&](const RowView& row) -> Status {
      seen.emplace_back(row.Text(0));
      return OkStatus();
    });
  });
  EXPECT_FALSE(read.ok());
  if (GetParam().dialect == Dialect::kSqlite) {
    EXPECT_EQ(seen, (std::vector<std::string>{"a", "b"}));
  } else {
    EXPECT_TRUE(seen.empty());
  }
  EXPECT_EQ(Count().value(), 3);  // the session is usable afterwards
}

TEST_P(DatabaseTest, ATakenKeyIsAlreadyExistsWithoutItsValue) {
  ASSERT_TRUE(Insert("secret-id", 1).ok());
  const Status again = Insert("secret-id", 2);
  EXPECT_EQ(again.code(), ErrorCode::kAlreadyExists) << again.ToString();
  EXPECT_EQ(again.message().find("secret-id"), std::string::npos) << again.message();
}

TEST_P(DatabaseTest, AFailingTransactionLeavesNothingBehind) {
  const Status status = database_->Transact([&](Session& db) -> Status {
    Params params;
    params.Text("x").Int(std::int64_t{1}).Bytes(std::vector<std::uint8_t>{1});
    KW_RETURN_IF_ERROR(db.Execute(kInsert, params).status());
    return InvalidArgumentError("changed my mind");
  });
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Count().value(), 0);
  // The connection went back to the pool clean: the next transaction works.
  EXPECT_TRUE(Insert("x", 1).ok());
  EXPECT_EQ(Count().value(), 1);
}

// Two transactions that lock two rows in opposite orders: the server breaks the deadlock by
// rolling one back, and the database runs that one again, so both land.
// Server databases only: SQLite has one writer, so its transactions never deadlock.
class ServerDatabaseTest : public DatabaseTest {};

TEST_P(ServerDatabaseTest, ADeadlockVictimRunsAgainAndBothWritesLand) {
  ASSERT_TRUE(Insert("a", 0).ok());
  ASSERT_TRUE(Insert("b", 0).ok());
  std::atomic<int> first_locks{0};
  std::atomic<int> attempts{0};
  auto transfer = [&](const char* first, const char* second) {
    bool first_attempt = true;
    return database_->Transact([&](Session& db) -> Status {
      attempts.fetch_add(1);
      Params one;
      one.Text(first).Int(std::int64_t{1});
      KW_RETURN_IF_ERROR(db.Execute(kAdd, one).status());
      if (first_attempt) {
        first_attempt = false;
        first_locks.fetch_add(1);
        // Both hold their first row before either asks for its second.
        const bool both =
            keywarden::testing::WaitUntil([&] { return first_locks.load() == 2; }, std::chrono::seconds(10));
        if (!both) return InternalError("the other transaction never took its first lock");
      }
      Params two;
      two.Text(second).Int(std::int64_t{1});
      return db.Execute(kAdd, two).status();
    });
  };
  Status left;
  Status right;
  std::thread a([&] { left = transfer("a", "b"); });
  std::thread b([&] { right = transfer("b", "a"); });
  a.join();
  b.join();
  EXPECT_TRUE(left.ok()) << left.ToString();
  EXPECT_TRUE(right.ok()) << right.ToString();
  EXPECT_GE(attempts.load(), 3) << "no transaction ran again";
  const Status read = database_->Read([&](Session& db) -> Status {
    for (const char* id : {"a", "b"}) {
      Params params;
      params.Text(id).Int(std::int64_t{2});
      KW_ASSIGN_OR_RETURN(Rows rows, db.Execute(kFind, params));
      if (rows.size() != 1) return InternalError(std::string(id) + " does not hold 2");
    }
    return OkStatus();
  });
  EXPECT_TRUE(read.ok()) << read.ToString();
}

TEST_P(DatabaseTest, ArraysArePostgresOnly) {
  const std::int64_t values[] = {1, 2, 3};
  Result<Rows> rows = InternalError("not run");
  const Status status = database_->Read([&](Session& db) -> Status {
    Params params;
    params.IntArray(values);
    rows = db.Execute(kArrayCount, params);
    return rows.status();
  });
  if (GetParam().dialect == Dialect::kPostgres) {
    ASSERT_TRUE(status.ok()) << status.ToString();
    EXPECT_EQ(rows->Int(0, 0).value(), 3);
  } else {
    EXPECT_EQ(status.code(), ErrorCode::kInternal);
    EXPECT_NE(status.message().find("array"), std::string::npos) << status.message();
  }
}

TEST_P(DatabaseTest, ThePoolNeverOpensMoreThanItsSize) {
  EXPECT_EQ(database_->pool_size(), 4u);
  std::atomic<std::size_t> most{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        (void)database_->Read([&](Session& db) -> Status {
          const std::size_t open = database_->open_connections();
          std::size_t seen = most.load();
          while (open > seen && !most.compare_exchange_weak(seen, open)) {
          }
          return db.Execute(kCount).status();
        });
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_GE(most.load(), 1u);
  EXPECT_LE(most.load(), 4u);
}

INSTANTIATE_TEST_SUITE_P(Dialects, DatabaseTest,
                         ::testing::Values(Harness{"Sqlite", Dialect::kSqlite}, Harness{"Postgres", Dialect::kPostgres},
                                           Harness{"MariaDb", Dialect::kMariaDb}),
                         [](const ::testing::TestParamInfo<Harness>& param) { return std::string(param.param.name); });

INSTANTIATE_TEST_SUITE_P(Servers, ServerDatabaseTest,
                         ::testing::Values(Harness{"Postgres", Dialect::kPostgres},
                                           Harness{"MariaDb", Dialect::kMariaDb}),
                         [](const ::testing::TestParamInfo<Harness>& param) { return std::string(param.param.name); });

// Two SqliteDatabases on one file stand for two processes.
TEST(SqliteDatabaseTest, RecentReadsMayLagAnotherProcessLatestReadsNever) {
  keywarden::testing::TempDir dir;
  SqliteOptions patient;
  patient.snapshot_window = std::chrono::minutes(10);  // so the lag below is certain, not timing
  patient.read_connections = 1;                        // so every read meets the same snapshot
  auto mine = SqliteDatabase::Open(dir.File("items.db"), patient, kSqliteSchema);
  auto other = SqliteDatabase::Open(dir.File("items.db"), patient, kSqliteSchema);
  ASSERT_TRUE(mine.ok() && other.ok());
  auto count = [](SqliteDatabase& database, Database::Freshness freshness) -> std::int64_t {
    std::int64_t n = -1;
    const Status status = database.Read(
        [&](Session& db) -> Status {
          KW_ASSIGN_OR_RETURN(Rows rows, db.Execute(kCount));
          KW_ASSIGN_OR_RETURN(n, rows.Int(0, 0));
          return OkStatus();
        },
        freshness);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return n;
  };
  auto insert = [](SqliteDatabase& database, const char* id) {
    return database.Transact([&](Session& db) -> Status {
      Params params;
      params.Text(id).Int(std::int64_t{1}).Bytes(std::vector<std::uint8_t>{});
      return db.Execute(kInsert, params).status();
    });
  };
  ASSERT_EQ(count(**mine, Database::Freshness::kRecent), 0);
  ASSERT_TRUE(insert(**other, "theirs").ok());
  EXPECT_EQ(count(**mine, Database::Freshness::kRecent), 0);  // the snapshot predates their write
  EXPECT_EQ(count(**mine, Database::Freshness::kLatest), 1);
  ASSERT_TRUE(insert(**mine, "mine").ok());
  EXPECT_EQ(count(**mine, Database::Freshness::kRecent), 2);  // its own write ends the snapshot
}

TEST(RowsTest, CellsReadAsTheirTypeOrNotAtAll) {
  std::vector<std::vector<Rows::Cell>> cells(1);
  cells[0] = {std::int64_t{5}, std::string("ab"), std::monostate()};
  const Rows rows(std::move(cells), 3);
  EXPECT_EQ(rows.affected(), 3u);
  EXPECT_EQ(rows.Int(0, 0).value(), 5);
  EXPECT_EQ(rows.Int(0, 1).status().code(), ErrorCode::kInternal);
  EXPECT_EQ(rows.Int(0, 2).status().code(), ErrorCode::kInternal);
  EXPECT_EQ(rows.Int(1, 0).status().code(), ErrorCode::kInternal);  // no such row
  EXPECT_EQ(rows.OptionalInt(0, 2), std::nullopt);
  EXPECT_EQ(rows.Text(0, 1), "ab");
  EXPECT_EQ(rows.Text(0, 0), "");
  EXPECT_EQ(rows.TextView(0, 1), "ab");
  EXPECT_EQ(rows.TextView(0, 1).data(), rows.TextView(0, 1).data());  // the cell's bytes, not a copy
  EXPECT_EQ(rows.TextView(0, 0), "");                                 // an integer
  EXPECT_EQ(rows.TextView(0, 2), "");                                 // NULL
  EXPECT_EQ(rows.TextView(1, 1), "");                                 // no such row
  EXPECT_EQ(rows.Bytes(0, 1), (std::vector<std::uint8_t>{'a', 'b'}));
  EXPECT_TRUE(rows.Bytes(0, 9).empty());
}

TEST(StatementTest, MariaDbTextIsUsedOnlyWhereGiven) {
  constexpr Statement both{"s", "SELECT 1", nullptr, nullptr, "to test"};
  constexpr Statement split{"s", "SELECT 1 FOR SHARE", "SELECT 1 LOCK IN SHARE MODE", nullptr, "to test"};
  EXPECT_STREQ(both.SqlFor(Dialect::kMariaDb), "SELECT 1");
  EXPECT_STREQ(split.SqlFor(Dialect::kPostgres), "SELECT 1 FOR SHARE");
  EXPECT_STREQ(split.SqlFor(Dialect::kMariaDb), "SELECT 1 LOCK IN SHARE MODE");
}

}  // namespace
}  // namespace keywarden::sql
