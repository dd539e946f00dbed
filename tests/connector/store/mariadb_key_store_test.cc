#include "connector/store/database_key_store.h"

#include <gtest/gtest.h>
#include <mysql.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/mariadb_server.h"
#include "support/skip.h"

#define KEYWARDEN_KEY_STORE_CONFORMANCE_FIXTURE_ONLY  // sqlite_key_store_test.cc defines the tests
#include "connector/store/key_store_conformance.h"

namespace keywarden::connector::store {
namespace {

using conformance::KeyStoreConformanceTest;
using conformance::KeyStoreFactory;
using conformance::KeyStoreFactoryName;
using conformance::TestDataKey;
using conformance::TestRecord;
using conformance::TestUserId;
using keywarden::testing::MariaDbServer;
using Clock = std::chrono::steady_clock;

// Options for a fresh database of the shared server, read from its connection string (so the
// password's ';', '=' and quote go through the parser).
Result<sql::MariaDbOptions> FreshDatabase(MariaDbServer& server) {
  KW_ASSIGN_OR_RETURN(std::string database, server.CreateDatabase());
  return sql::ParseMariaDbConnectionString(server.ConnectionString(database));
}

std::unique_ptr<connector::store::KeyStore> MakeConformanceStore() {
  MariaDbServer* server = MariaDbServer::Shared();
  if (server == nullptr) {
    ADD_FAILURE() << MariaDbServer::UnavailableReason();
    return nullptr;
  }
  auto options = FreshDatabase(*server);
  if (!options.ok()) {
    ADD_FAILURE() << options.status().ToString();
    return nullptr;
  }
  auto store = connector::store::OpenMariaDbKeyStore(*options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return nullptr;
  return std::move(*store);
}

// Without MariaDB the suite is not instantiated (MariaDbKeyStoreTest.ServerIsAvailable says why),
// except in CI, where it must run.
std::vector<KeyStoreFactory> MariaDbFactories() {
  if (!MariaDbServer::Installed() && !keywarden::testing::InCi()) return {};
  return {KeyStoreFactory{"MariaDb", MakeConformanceStore, connector::store::kMariaDbSchemaVersion}};
}

INSTANTIATE_TEST_SUITE_P(MariaDb, KeyStoreConformanceTest, ::testing::ValuesIn(MariaDbFactories()),
                         KeyStoreFactoryName);

// Short timeouts, so the fault tests take seconds.
sql::MariaDbOptions Impatient(sql::MariaDbOptions options) {
  options.connect_timeout = std::chrono::seconds(1);
  options.read_timeout = std::chrono::seconds(2);
  options.write_timeout = std::chrono::seconds(2);
  return options;
}

std::unique_ptr<connector::store::DatabaseKeyStore> MustOpen(const sql::MariaDbOptions& options) {
  auto store = connector::store::OpenMariaDbKeyStore(options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

double SecondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// A plain connection of the test's own, as the test user, to hold locks from outside a store.
class RawConnection {
 public:
  explicit RawConnection(const MariaDbServer& server, const std::string& database) : mysql_(mysql_init(nullptr)) {
    const unsigned int protocol = MYSQL_PROTOCOL_TCP;
    mysql_optionsv(mysql_, MYSQL_OPT_PROTOCOL, &protocol);
    connected_ = mysql_real_connect(mysql_, "127.0.0.1", server.user().c_str(), server.password().c_str(),
                                    database.c_str(), server.port(), nullptr, 0) != nullptr;
    EXPECT_TRUE(connected_) << mysql_error(mysql_);
  }
  ~RawConnection() { mysql_close(mysql_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  std::string Query(const std::string& sql) {
    EXPECT_EQ(mysql_real_query(mysql_, sql.data(), sql.size()), 0) << sql << ": " << mysql_error(mysql_);
    std::string value;
    if (MYSQL_RES* result = mysql_store_result(mysql_); result != nullptr) {
      if (MYSQL_ROW row = mysql_fetch_row(result); row != nullptr && row[0] != nullptr) value = row[0];
      mysql_free_result(result);
    }
    return value;
  }

 private:
  MYSQL* mysql_;
  bool connected_ = false;
};

TEST(MariaDbKeyStoreTest, ServerIsAvailable) {
  KW_REQUIRE_MARIADB(server);
  EXPECT_TRUE(server->running());
}

TEST(MariaDbKeyStoreTest, CreatesTheSchemaOnInnoDb) {
  KW_REQUIRE_MARIADB(server);
  auto options = FreshDatabase(*server);
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  auto store = MustOpen(*options);
  ASSERT_NE(store, nullptr);
  const std::string in_db = "WHERE table_schema = '" + options->database + "'";
  EXPECT_EQ(server->AdminQuery("SELECT COUNT(*) FROM information_schema.tables " + in_db).value(), "4");
  EXPECT_EQ(
      server->AdminQuery("SELECT COUNT(*) FROM information_schema.tables " + in_db + " AND engine <> 'InnoDB'").value(),
      "0");
  EXPECT_EQ(
      server->AdminQuery("SELECT GROUP_CONCAT(version) FROM `" + options->database + "`.keywarden_schema").value(),
      "2");
  // Opening again changes nothing.
  store.reset();
  store = MustOpen(*options);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->SchemaVersion().value(), connector::store::kMariaDbSchemaVersion);
  EXPECT_EQ(server->AdminQuery("SELECT COUNT(*) FROM `" + options->database + "`.keywarden_schema").value(), "1");
}

// Several instances start on one new database at the same moment: one schema, one data key.
TEST(MariaDbKeyStoreTest, InstancesOpeningANewDatabaseTogetherAgree) {
  KW_REQUIRE_MARIADB(server);
  auto options = FreshDatabase(*server);
  ASSERT_TRUE(options.ok()) << options.status().ToString();

  constexpr int kInstances = 4;
  std::latch go(kInstances);
  std::vector<Result<custody::WrappedDataKey>> keys(kInstances,
                                                    Result<custody::WrappedDataKey>(InternalError("not run")));
  std::vector<std::thread> threads;
  for (int i = 0; i < kInstances; ++i) {
    threads.emplace_back([&, i] {
      go.arrive_and_wait();
      auto store = connector::store::OpenMariaDbKeyStore(*options);
      if (!store.ok()) {
        keys[i] = store.status();
        return;
      }
      keys[i] = (*store)->InitDataKey(TestDataKey(1, static_cast<std::uint8_t>(i + 1), 1000 + i));
    });
  }
  for (auto& thread : threads) thread.join();

  for (int i = 0; i < kInstances; ++i) {
    ASSERT_TRUE(keys[i].ok()) << keys[i].status().ToString();
    EXPECT_EQ(keys[i]->wrapped, keys[0]->wrapped);
    EXPECT_EQ(keys[i]->provider_key_fingerprint, keys[0]->provider_key_fingerprint);
  }
  auto store = MustOpen(*options);
  ASSERT_NE(store, nullptr);
  auto stored = store->ListDataKeys();
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ((*stored)[0].wrapped, keys[0]->wrapped);
  EXPECT_EQ(server->AdminQuery("SELECT COUNT(*) FROM `" + options->database + "`.keywarden_schema").value(), "1");
}

// While another instance holds the migration lock, Open waits; it goes on once the lock is free,
// and gives up with kUnavailable after migration_lock_timeout.
TEST(MariaDbKeyStoreTest, OpenWaitsForTheMigrationLock) {
  KW_REQUIRE_MARIADB(server);
  auto options = FreshDatabase(*server);
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  RawConnection holder(*server, options->database);
  ASSERT_EQ(holder.Query("SELECT GET_LOCK(CONCAT('keywarden-migrate-', MD5(DATABASE())), 0)"), "1");

  sql::MariaDbOptions short_wait = options->Clone();
  short_wait.migration_lock_timeout = std::chrono::seconds(1);
  const auto start = Clock::now();
  auto refused = connector::store::OpenMariaDbKeyStore(short_wait);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(refused.status().message().find("migration lock"), std::string::npos) << refused.status().message();
  EXPECT_GE(SecondsSince(start), 0.9);

  std::atomic<bool> opened{false};
  Result<std::unique_ptr<connector::store::DatabaseKeyStore>> waited = InternalError("not run");
  std::thread opener([&] {
    waited = connector::store::OpenMariaDbKeyStore(*options);
    opened = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(opened.load());
  EXPECT_EQ(server
                ->AdminQuery("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '" +
                             options->database + "' AND table_name = 'user_keys'")
                .value(),
            "0");
  holder.Query("DO RELEASE_LOCK(CONCAT('keywarden-migrate-', MD5(DATABASE())))");
  opener.join();
  ASSERT_TRUE(waited.ok()) << waited.status().ToString();
  EXPECT_EQ((*waited)->SchemaVersion().value(), connector::store::kMariaDbSchemaVersion);
}

TEST(MariaDbKeyStoreTest, RefusesANewerSchema) {
  KW_REQUIRE_MARIADB(server);
  auto options = FreshDatabase(*server);
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  { ASSERT_NE(MustOpen(*options), nullptr); }
  ASSERT_TRUE(server
                  ->AdminExec("UPDATE `" + options->database + "`.keywarden_schema SET version = " +
                              std::to_string(connector::store::kMariaDbSchemaVersion + 1))
                  .ok());
  auto store = connector::store::OpenMariaDbKeyStore(*options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(store.status().message(), "database schema version " +
                                          std::to_string(connector::store::kMariaDbSchemaVersion + 1) +
                                          " is newer than this keywarden supports (" +
                                          std::to_string(connector::store::kMariaDbSchemaVersion) + ")");
}

// Ids and ciphertexts are bytes: no padding, no case folding, no character set conversion, and
// values longer than the client's first buffer come back whole.
TEST(MariaDbKeyStoreTest, StoresBytesExactlyAndOrdersThemBytewise) {
  KW_REQUIRE_MARIADB(server);
  auto options = FreshDatabase(*server);
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  auto store = MustOpen(*options);
  ASSERT_NE(store, nullptr);

  connector::store::UserKeyRecord every_byte = TestRecord(1, 1000);
  every_byte.user_id = "abc";
  every_byte.sealed.clear();
  for (int i = 0; i < 256; ++i) every_byte.sealed.push_back(static_cast<std::uint8_t>(i));
  connector::store::UserKeyRecord padded = TestRecord(2, 1000);
  padded.user_id = "abc ";
  connector::store::UserKeyRecord upper = TestRecord(3, 1000);
  upper.user_id = "ABC";
  connector::store::UserKeyRecord high = TestRecord(4, 1000);
  high.user_id = "\xc3\xa9\xff";
  connector::store::UserKeyRecord large = TestRecord(5, 1000);
  large.user_id = "b";
  large.sealed.assign(20000, 0x5c);
  connector::store::UserKeyRecord empty = TestRecord(6, 1000);
  empty.user_id = "c";
  empty.sealed.clear();
  for (const connector::store::UserKeyRecord* record : {&every_byte, &padded, &upper, &high, &large, &empty}) {
    ASSERT_TRUE(store->InsertUserKey(*record).ok()) << record->user_id;
  }
  for (const connector::store::UserKeyRecord* record : {&every_byte, &padded, &upper, &high, &large, &empty}) {
    auto got = store->GetUserKey(record->user_id);
    ASSERT_TRUE(got.ok()) << record->user_id;
    EXPECT_EQ(got->user_id, record->user_id);
    EXPECT_EQ(got->sealed, record->sealed) << record->user_id;
  }
  auto all = store->ListUserKeys("", 10);
  ASSERT_TRUE(all.ok());
  std::vector<std::string> order;
  for (const auto& record : *all) order.push_back(record.user_id);
  EXPECT_EQ(order, (std::vector<std::string>{"ABC", "abc", "abc ", "b", "c", "\xc3\xa9\xff"}));

  custody::WrappedDataKey key = TestDataKey(1, 1, 1000);
  key.wrapped.assign(4096, 0);
  ASSERT_TRUE(store->InitDataKey(key).ok());
  EXPECT_EQ(store->ListDataKeys()->at(0).wrapped, key.wrapped);

  connector::store::UserKeyRecord too_long = TestRecord(7, 1000);
  too_long.user_id.assign(256, 'x');
  EXPECT_EQ(store->InsertUserKey(too_long).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(store->GetUserKey(too_long.user_id).status().code(), ErrorCode::kNotFound);
}

TEST(MariaDbKeyStoreTest, WorksOverTheUnixSocket) {
  KW_REQUIRE_MARIADB(server);
  auto options = FreshDatabase(*server);
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  options->unix_socket = server->socket_path();
  auto store = MustOpen(*options);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->InsertUserKey(TestRecord(1, 1000)).ok());
  EXPECT_TRUE(store->Ping().ok());
}

TEST(MariaDbKeyStoreTest, LoginFailuresAreUnavailableAndNeverShowThePassword) {
  KW_REQUIRE_MARIADB(server);
  auto options = FreshDatabase(*server);
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  sql::MariaDbOptions wrong = options->Clone();
  wrong.password = SecureBuffer::CopyOf(std::string_view("not-the-password-4711"));
  auto store = connector::store::OpenMariaDbKeyStore(wrong);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(store.status().message().find("Access denied"), std::string::npos) << store.status().message();
  EXPECT_EQ(store.status().message().find("4711"), std::string::npos);

  sql::MariaDbOptions missing = options->Clone();
  missing.database = "kwtest_missing";
  store = connector::store::OpenMariaDbKeyStore(missing);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("kwtest_missing"), std::string::npos) << store.status().message();
}

TEST(MariaDbKeyStoreTest, RequiredTlsIsRefusedByAServerWithoutIt) {
  KW_REQUIRE_MARIADB(server);
  auto options = FreshDatabase(*server);
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  options->ssl_mode = sql::MariaDbSslMode::kRequired;
  auto store = connector::store::OpenMariaDbKeyStore(*options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(store.status().message().find("TLS"), std::string::npos) << store.status().message();
}

TEST(MariaDbKeyStoreTest, ErrorsNeverQuoteRowContent) {
  KW_REQUIRE_MARIADB(server);
  auto options = FreshDatabase(*server);
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  auto store = MustOpen(*options);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->InsertUserKey(TestRecord(1, 1000)).ok());
  Status duplicate = store->InsertUserKey(TestRecord(1, 1000));
  EXPECT_EQ(duplicate.code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(duplicate.message().find(TestUserId(1)), std::string::npos);
}

// Two instances flush overlapping last-access batches at once, in opposite orders: no deadlock
// surfaces, and every row ends at its latest time.
TEST(MariaDbKeyStoreTest, InstancesFlushingLastAccessTogetherKeepTheLatest) {
  KW_REQUIRE_MARIADB(server);
  auto options = FreshDatabase(*server);
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  auto a = MustOpen(*options);
  auto b = MustOpen(*options);
  ASSERT_TRUE(a && b);
  constexpr unsigned kUsers = 50;
  for (unsigned n = 1; n <= kUsers; ++n) ASSERT_TRUE(a->InsertUserKey(TestRecord(n, 1)).ok());

  constexpr int kRounds = 10;
  std::vector<Status> results(2 * kRounds);
  std::latch go(2);
  auto flush = [&](connector::store::DatabaseKeyStore& store, int side) {
    go.arrive_and_wait();
    for (int round = 0; round < kRounds; ++round) {
      std::vector<connector::store::LastAccess> batch;
      for (unsigned i = 0; i < kUsers; ++i) {
        const unsigned n = side == 0 ? i + 1 : kUsers - i;
        batch.push_back({TestUserId(n), 1000 * (round + 1) + side * 100 + n});
      }
      results[side * kRounds + round] = store.RecordLastAccess(batch);
    }
  };
  std::thread first(flush, std::ref(*a), 0);
  std::thread second(flush, std::ref(*b), 1);
  first.join();
  second.join();
  for (const Status& s : results) EXPECT_TRUE(s.ok()) << s.ToString();
  for (unsigned n = 1; n <= kUsers; ++n) {
    EXPECT_EQ(a->GetUserKey(TestUserId(n))->last_access_date, 1000 * kRounds + 100 + n);
  }
}

// A write that waits on a lock held elsewhere gives up before the read timeout, and the
// connection stays usable.
TEST(MariaDbKeyStoreTest, ABlockedWriteEndsBeforeTheReadTimeout) {
  KW_REQUIRE_MARIADB(server);
  auto options = FreshDatabase(*server);
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  sql::MariaDbOptions impatient = Impatient(options->Clone());
  impatient.max_pool_size = 1;
  auto store = MustOpen(impatient);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->InsertUserKey(TestRecord(1, 1000)).ok());

  RawConnection holder(*server, options->database);
  holder.Query("START TRANSACTION");
  holder.Query("SELECT id FROM user_keys WHERE id = '" + TestUserId(1) + "' FOR UPDATE");
  const auto start = Clock::now();
  Status blocked = store->UpsertUserKey(TestRecord(1, 2000, 0x22));
  EXPECT_EQ(blocked.code(), ErrorCode::kUnavailable) << blocked.ToString();
  EXPECT_LT(SecondsSince(start), 1.9);
  holder.Query("ROLLBACK");

  EXPECT_TRUE(store->UpsertUserKey(TestRecord(1, 2000, 0x22)).ok());
  EXPECT_EQ(store->GetUserKey(TestUserId(1))->sealed, TestRecord(1, 0, 0x22).sealed);
}

// Starts the shared server again however a fault test ends, for the tests after it.
class RestartAtExit {
 public:
  explicit RestartAtExit(MariaDbServer& server) : server_(server) {}
  ~RestartAtExit() {
    server_.Resume();
    EXPECT_TRUE(server_.Start().ok());
  }
  RestartAtExit(const RestartAtExit&) = delete;
  RestartAtExit& operator=(const RestartAtExit&) = delete;

 private:
  MariaDbServer& server_;
};

// Every kind of call while the server is down: kUnavailable, quickly.
void ExpectUnavailableQuickly(connector::store::DatabaseKeyStore& store, double limit_seconds) {
  const auto start = Clock::now();
  EXPECT_EQ(store.Ping().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(store.GetUserKey(TestUserId(1)).status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(store.InsertUserKey(TestRecord(9, 1000)).code(), ErrorCode::kUnavailable);
  EXPECT_EQ(store.CountUserKeys().status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(store.ListDataKeys().status().code(), ErrorCode::kUnavailable);
  EXPECT_LT(SecondsSince(start), limit_seconds);
}

TEST(MariaDbKeyStoreTest, RecoversByItselfWhenTheStoppedServerReturns) {
  KW_REQUIRE_MARIADB(server);
  auto options = FreshDatabase(*server);
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  sql::MariaDbOptions impatient = Impatient(options->Clone());
  impatient.max_pool_size = 3;
  auto store = MustOpen(impatient);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->InsertUserKey(TestRecord(1, 1000)).ok());
  ASSERT_TRUE(store->InitDataKey(TestDataKey(1, 1, 1000)).ok());
  {
    RestartAtExit restart(*server);
    ASSERT_TRUE(server->Stop().ok());
    ExpectUnavailableQuickly(*store, 5.0);
  }
  // The pooled connections died with the server; the very first call after its return succeeds.
  auto got = store->GetUserKey(TestUserId(1));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->sealed, TestRecord(1, 1000).sealed);
  EXPECT_TRUE(store->Ping().ok());
  EXPECT_TRUE(store->InsertUserKey(TestRecord(2, 2000)).ok());
  EXPECT_EQ(store->CountUserKeys().value(), 2u);
}

TEST(MariaDbKeyStoreTest, CommittedWritesSurviveAKilledServer) {
  KW_REQUIRE_MARIADB(server);
  auto options = FreshDatabase(*server);
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  auto store = MustOpen(Impatient(options->Clone()));
  ASSERT_NE(store, nullptr);
  for (unsigned n = 1; n <= 20; ++n) ASSERT_TRUE(store->UpsertUserKey(TestRecord(n, n, 0x40)).ok());
  {
    RestartAtExit restart(*server);
    server->Kill9();
    EXPECT_EQ(store->UpsertUserKey(TestRecord(21, 21)).code(), ErrorCode::kUnavailable);
  }
  EXPECT_EQ(store->CountUserKeys().value(), 20u);
  for (unsigned n = 1; n <= 20; ++n) EXPECT_EQ(store->GetUserKey(TestUserId(n))->sealed, TestRecord(n, n, 0x40).sealed);
}

// A server that stops answering (SIGSTOP: connections open, nothing read): calls end with
// kUnavailable after about the read timeout, and work again once it answers.
TEST(MariaDbKeyStoreTest, AStalledServerTimesOut) {
  KW_REQUIRE_MARIADB(server);
  auto options = FreshDatabase(*server);
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  sql::MariaDbOptions impatient = Impatient(options->Clone());
  impatient.max_pool_size = 1;
  auto store = MustOpen(impatient);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->InsertUserKey(TestRecord(1, 1000)).ok());
  {
    RestartAtExit restart(*server);
    server->Pause();
    auto start = Clock::now();
    EXPECT_EQ(store->GetUserKey(TestUserId(1)).status().code(), ErrorCode::kUnavailable);
    EXPECT_LT(SecondsSince(start), 2.9);  // the read timeout (2 s), and no second try
    start = Clock::now();
    EXPECT_EQ(store->Ping().code(), ErrorCode::kUnavailable);  // a new connection: the connect timeout (1 s)
    EXPECT_LT(SecondsSince(start), 1.9);
  }
  auto got = store->GetUserKey(TestUserId(1));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(store->Ping().ok());
}

TEST(MariaDbKeyStoreTest, NoServerListeningIsUnavailableAtOnce) {
  sql::MariaDbOptions options;
  options.host = "127.0.0.1";
  options.port = 1;  // nothing listens on tcpmux
  options.database = "keywarden";
  options.user = "keywarden";
  options.password = SecureBuffer::CopyOf(std::string_view("secret-password"));
  const auto start = Clock::now();
  auto store = connector::store::OpenMariaDbKeyStore(Impatient(std::move(options)));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(store.status().message().find("keywarden@127.0.0.1:1/keywarden"), std::string::npos)
      << store.status().message();
  EXPECT_EQ(store.status().message().find("secret-password"), std::string::npos);
  EXPECT_LT(SecondsSince(start), 1.5);
}

}  // namespace
}  // namespace keywarden::connector::store
