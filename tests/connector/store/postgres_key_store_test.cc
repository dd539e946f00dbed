// The PostgreSQL store against a real server (tests/support/postgres_server.h): the shared
// conformance suite, then what only a server database shows: concurrent first opens, schema
// versions, and outages.
#include "connector/store/database_key_store.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <set>
#include <thread>
#include <vector>

#define KEYWARDEN_KEY_STORE_CONFORMANCE_FIXTURE_ONLY  // sqlite_key_store_test.cc defines the tests
#include "connector/store/key_store_conformance.h"
#include "sql/postgres/postgres_options.h"
#include "support/postgres_server.h"
#include "support/skip.h"
#include "support/wait.h"

namespace keywarden::connector::store {
namespace {

using conformance::KeyStoreConformanceTest;
using conformance::KeyStoreFactory;
using conformance::KeyStoreFactoryName;
using conformance::TestDataKey;
using conformance::TestRecord;
using conformance::TestUserId;
using keywarden::testing::PostgresServer;
using Clock = std::chrono::steady_clock;

// Fails in CI, skips elsewhere (a void function, so that GTEST_SKIP can return from it).
void SkipOrFail(const std::string& why) { KW_SKIP_OR_FAIL_IN_CI(why); }

Result<std::unique_ptr<connector::store::DatabaseKeyStore>> OpenOn(const std::string& connection_string,
                                                                   std::size_t pool = 4) {
  KW_ASSIGN_OR_RETURN(sql::PostgresOptions options, sql::ParsePostgresConnectionString(connection_string));
  return connector::store::OpenPostgresKeyStore(options, pool);
}

std::unique_ptr<connector::store::DatabaseKeyStore> MustOpen(const std::string& connection_string,
                                                             std::size_t pool = 4) {
  auto store = OpenOn(connection_string, pool);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

// Each conformance test gets a fresh database on the program's shared server.
INSTANTIATE_TEST_SUITE_P(Postgres, KeyStoreConformanceTest,
                         ::testing::Values(KeyStoreFactory{"Postgres",
                                                           []() -> std::unique_ptr<connector::store::KeyStore> {
                                                             std::string why;
                                                             PostgresServer* server = PostgresServer::Shared(&why);
                                                             if (server == nullptr) {
                                                               SkipOrFail(why);
                                                               return nullptr;
                                                             }
                                                             auto database = server->CreateDatabase();
                                                             EXPECT_TRUE(database.ok()) << database.status().ToString();
                                                             if (!database.ok()) return nullptr;
                                                             return MustOpen(server->ConnectionString(*database));
                                                           },
                                                           connector::store::kPostgresSchemaVersion}),
                         KeyStoreFactoryName);

TEST(PostgresKeyStoreTest, InstancesOpeningOneNewDatabaseTogetherShareOneSchemaAndOneDataKey) {
  KW_SHARED_POSTGRES_OR_SKIP(server);
  auto database = server->CreateDatabase();
  ASSERT_TRUE(database.ok());
  const std::string connection = server->ConnectionString(*database);

  // Each thread is an instance starting up: its own store (own connections), then its own
  // candidate data key.
  constexpr int kInstances = 6;
  std::atomic<int> ready{0};
  std::vector<Result<custody::WrappedDataKey>> chosen(kInstances, Status(ErrorCode::kInternal, "not run"));
  std::vector<Status> opened(kInstances);
  std::vector<std::thread> threads;
  for (int i = 0; i < kInstances; ++i) {
    threads.emplace_back([&, i] {
      ready.fetch_add(1);
      // A start line: yield (no sleep) until every instance is there, so that they race.
      if (!keywarden::testing::WaitUntil([&] { return ready.load() >= kInstances; }, std::chrono::seconds(30),
                                         std::chrono::milliseconds(0))) {
        ADD_FAILURE() << "instance " << i << " waited 30 s for the other instances to start";
      }
      auto store = OpenOn(connection, 2);
      opened[i] = store.status();
      if (store.ok()) chosen[i] = (*store)->InitDataKey(TestDataKey(1, static_cast<std::uint8_t>(i + 1), 1000 + i));
    });
  }
  for (auto& thread : threads) thread.join();

  for (int i = 0; i < kInstances; ++i) {
    ASSERT_TRUE(opened[i].ok()) << i << ": " << opened[i].ToString();
    ASSERT_TRUE(chosen[i].ok()) << i << ": " << chosen[i].status().ToString();
    EXPECT_EQ(chosen[i]->wrapped, chosen[0]->wrapped) << i;
    EXPECT_EQ(chosen[i]->creation_date, chosen[0]->creation_date) << i;
  }
  EXPECT_EQ(server->QueryValue(*database, "SELECT count(*) FROM data_key_wrappings").value(), "1");
  EXPECT_EQ(server->QueryValue(*database, "SELECT count(*) FROM keywarden_schema").value(), "1");
  EXPECT_EQ(server->QueryValue(*database, "SELECT version FROM keywarden_schema").value(), "2");
}

TEST(PostgresKeyStoreTest, RefusesADatabaseWithANewerSchema) {
  KW_SHARED_POSTGRES_OR_SKIP(server);
  auto database = server->CreateDatabase();
  ASSERT_TRUE(database.ok());
  const std::string connection = server->ConnectionString(*database);
  {
    auto store = MustOpen(connection);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->InsertUserKey(TestRecord(1, 1000)).ok());
  }
  ASSERT_TRUE(server->Exec(*database, "UPDATE keywarden_schema SET version = 3").ok());

  auto refused = OpenOn(connection);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(refused.status().message(), "database schema version 3 is newer than this keywarden supports (2)");
  // Nothing was touched.
  EXPECT_EQ(server->QueryValue(*database, "SELECT version FROM keywarden_schema").value(), "3");
  EXPECT_EQ(server->QueryValue(*database, "SELECT count(*) FROM user_keys").value(), "1");
}

TEST(PostgresKeyStoreTest, MigratesAVersionOneDatabase) {
  KW_SHARED_POSTGRES_OR_SKIP(server);
  auto database = server->CreateDatabase();
  ASSERT_TRUE(database.ok());
  // Version 1's tables, with one data key in its one-wrapping form.
  ASSERT_TRUE(server
                  ->Exec(*database,
                         "CREATE TABLE keywarden_schema(version integer NOT NULL);"
                         "INSERT INTO keywarden_schema VALUES(1);"
                         "CREATE TABLE user_keys(id text COLLATE \"C\" PRIMARY KEY, sealed bytea NOT NULL, "
                         "  data_key_version bigint NOT NULL, creation_date bigint NOT NULL, revision_date bigint, "
                         "  last_access_date bigint);"
                         "CREATE TABLE data_keys(version bigint PRIMARY KEY, wrapped bytea NOT NULL, "
                         "  provider_fingerprint text NOT NULL, creation_date bigint NOT NULL);"
                         "INSERT INTO data_keys VALUES(1, '\\x00ff10', 'abcd', 1234);")
                  .ok());
  auto store = MustOpen(server->ConnectionString(*database));
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->SchemaVersion().value(), 2);
  auto keys = store->ListDataKeys();
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].version, 1u);
  EXPECT_EQ((*keys)[0].wrapped, (std::vector<std::uint8_t>{0x00, 0xff, 0x10}));
  EXPECT_EQ((*keys)[0].provider_key_fingerprint, "abcd");
  EXPECT_EQ((*keys)[0].creation_date, 1234);
}

TEST(PostgresKeyStoreTest, ARoleWithOnlyDataRightsRunsAMigratedDatabase) {
  KW_SHARED_POSTGRES_OR_SKIP(server);
  auto database = server->CreateDatabase();
  ASSERT_TRUE(database.ok());
  ASSERT_NE(MustOpen(server->ConnectionString(*database)), nullptr);  // the owner migrates
  const std::string role = "kw_app_" + *database;
  ASSERT_TRUE(server
                  ->Exec(*database, "CREATE ROLE " + role +
                                        " LOGIN PASSWORD 'app-pw';"
                                        "REVOKE CREATE ON SCHEMA public FROM PUBLIC;"
                                        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " +
                                        role)
                  .ok());
  auto store = MustOpen("Host=127.0.0.1;Port=" + std::to_string(server->port()) + ";Database=" + *database +
                        ";Username=" + role + ";Password=app-pw");
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->InsertUserKey(TestRecord(1, 1000)).ok());
  EXPECT_TRUE(store->InitDataKey(TestDataKey(1, 1, 1000)).ok());
  EXPECT_EQ(store->SchemaVersion().value(), 2);
}

TEST(PostgresKeyStoreTest, EveryByteValueRoundTripsAndIdsSortByBytes) {
  KW_SHARED_POSTGRES_OR_SKIP(server);
  auto database = server->CreateDatabase();
  ASSERT_TRUE(database.ok());
  // The URL form reaches the same server.
  auto store = MustOpen(server->Url(*database));
  ASSERT_NE(store, nullptr);

  connector::store::UserKeyRecord record = TestRecord(1, 1000);
  record.sealed.clear();
  for (int i = 0; i < 256; ++i) record.sealed.push_back(static_cast<std::uint8_t>(255 - i));
  ASSERT_TRUE(store->InsertUserKey(record).ok());
  EXPECT_EQ(store->GetUserKey(record.user_id)->sealed, record.sealed);
  record.sealed.clear();  // empty is a value too, not NULL
  ASSERT_TRUE(store->UpsertUserKey(record).ok());
  EXPECT_TRUE(store->GetUserKey(record.user_id)->sealed.empty());

  // Upper case sorts before lower case in byte order (not in most locales' collations).
  connector::store::UserKeyRecord upper = TestRecord(2, 1000);
  upper.user_id = "B";
  connector::store::UserKeyRecord lower = TestRecord(3, 1000);
  lower.user_id = "a";
  ASSERT_TRUE(store->InsertUserKey(upper).ok());
  ASSERT_TRUE(store->InsertUserKey(lower).ok());
  auto page = store->ListUserKeys("", 10);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 3u);
  EXPECT_EQ((*page)[0].user_id, TestUserId(1));
  EXPECT_EQ((*page)[1].user_id, "B");
  EXPECT_EQ((*page)[2].user_id, "a");
}

TEST(PostgresKeyStoreTest, LastAccessBatchesWithRepeatedIdsKeepTheLatest) {
  KW_SHARED_POSTGRES_OR_SKIP(server);
  auto database = server->CreateDatabase();
  ASSERT_TRUE(database.ok());
  auto store = MustOpen(server->ConnectionString(*database));
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->InsertUserKey(TestRecord(1, 1000)).ok());
  const std::vector<connector::store::LastAccess> batch = {
      {TestUserId(1), 5000}, {TestUserId(1), 7000}, {TestUserId(1), 6000}};
  ASSERT_TRUE(store->RecordLastAccess(batch).ok());
  EXPECT_EQ(store->GetUserKey(TestUserId(1))->last_access_date, 7000);
}

TEST(PostgresKeyStoreTest, ThePoolNeverOpensMoreThanItsSize) {
  KW_SHARED_POSTGRES_OR_SKIP(server);
  auto database = server->CreateDatabase();
  ASSERT_TRUE(database.ok());
  auto store = MustOpen(server->ConnectionString(*database) + ";Maximum Pool Size=2", /*pool=*/50);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->database().pool_size(), 2u);
  ASSERT_TRUE(store->InsertUserKey(TestRecord(1, 1000)).ok());

  std::atomic<int> failures{0};
  std::atomic<std::size_t> most_open{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        if (!store->GetUserKey(TestUserId(1)).ok()) failures.fetch_add(1);
        std::size_t open = store->database().open_connections();
        std::size_t seen = most_open.load();
        while (open > seen && !most_open.compare_exchange_weak(seen, open)) {
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(most_open.load(), 2u);
  EXPECT_EQ(server
                ->QueryValue(*database,
                             "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                             "AND application_name = 'keywarden'")
                .value(),
            "2");
}

TEST(PostgresKeyStoreTest, AWrongPasswordIsUnavailableAndNeverShown) {
  KW_SHARED_POSTGRES_OR_SKIP(server);
  const std::string connection =
      "Host=127.0.0.1;Port=" + std::to_string(server->port()) + ";Database=postgres;Username=keywarden;Password=n0t-1t";
  auto store = OpenOn(connection);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(store.status().message().find("password authentication failed"), std::string::npos)
      << store.status().message();
  EXPECT_EQ(store.status().message().find("n0t-1t"), std::string::npos);
}

// A server of the test's own, stopped and started again under one store object.
TEST(PostgresKeyStoreTest, AnOutageFailsFastAndTheStoreRecoversByItself) {
  KW_OWN_POSTGRES_OR_SKIP(server);
  auto database = server->CreateDatabase();
  ASSERT_TRUE(database.ok());
  auto store = MustOpen(server->ConnectionString(*database) + ";Timeout=2;Command Timeout=2");
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->InsertUserKey(TestRecord(1, 1000)).ok());
  ASSERT_TRUE(store->GetUserKey(TestUserId(1)).ok());  // leaves a connection in the pool

  ASSERT_TRUE(server->Stop().ok());
  for (int round = 0; round < 2; ++round) {  // the pooled connection, then a fresh attempt
    const auto start = Clock::now();
    EXPECT_EQ(store->GetUserKey(TestUserId(1)).status().code(), ErrorCode::kUnavailable);
    EXPECT_EQ(store->UpsertUserKey(TestRecord(2, 1000)).code(), ErrorCode::kUnavailable);
    EXPECT_EQ(store->InsertUserKey(TestRecord(3, 1000)).code(), ErrorCode::kUnavailable);
    EXPECT_EQ(store->InitDataKey(TestDataKey(1, 1, 1000)).status().code(), ErrorCode::kUnavailable);
    const Status ping = store->Ping();
    EXPECT_EQ(ping.code(), ErrorCode::kUnavailable);
    EXPECT_EQ(ping.message().find(server->ConnectionString(*database)), std::string::npos);
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(3)) << "round " << round;
  }

  ASSERT_TRUE(server->Start().ok());
  EXPECT_TRUE(store->Ping().ok());
  auto got = store->GetUserKey(TestUserId(1));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->sealed, TestRecord(1, 1000).sealed);
  EXPECT_TRUE(store->InsertUserKey(TestRecord(4, 1000)).ok());
  EXPECT_EQ(store->CountUserKeys().value(), 2u);
}

// A server that stops answering (frozen, or a network that drops packets) must not hang calls:
// each returns kUnavailable near the command timeout, and the store recovers when it answers.
TEST(PostgresKeyStoreTest, AServerThatStopsAnsweringCostsAtMostTheTimeout) {
  KW_OWN_POSTGRES_OR_SKIP(server);
  auto database = server->CreateDatabase();
  ASSERT_TRUE(database.ok());
  auto store = MustOpen(server->ConnectionString(*database) + ";Timeout=1;Command Timeout=1");
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->InsertUserKey(TestRecord(1, 1000)).ok());

  ASSERT_TRUE(server->Pause().ok());
  const auto start = Clock::now();
  EXPECT_EQ(store->GetUserKey(TestUserId(1)).status().code(), ErrorCode::kUnavailable);  // pooled connection
  EXPECT_EQ(store->Ping().code(), ErrorCode::kUnavailable);                              // a new connection
  const auto elapsed = Clock::now() - start;
  ASSERT_TRUE(server->Resume().ok());
  // Command timeout 1 s (+1 s margin), connect timeout 1 s (libpq: at least 2 s).
  EXPECT_LT(elapsed, std::chrono::seconds(6));

  auto got = store->GetUserKey(TestUserId(1));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
}

}  // namespace
}  // namespace keywarden::connector::store
