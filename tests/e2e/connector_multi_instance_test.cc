// Three `keywarden connector serve` processes on one PostgreSQL database, as behind a load
// balancer: a concurrent first start makes one data key, a write through one instance reads
// back through the others at once, last-access dates from several batching writers only move
// forward, and a rolling restart under load fails no request that the client did not retry.
#include "e2e/scale_fixture.h"
#include "support/wait.h"

namespace keywarden::testing {
namespace {

using namespace std::chrono_literals;

class CliConnectorMultiInstance : public ScaleTest {
 protected:
  // Three instances on a new, empty database of the shared server, started at the same moment.
  void StartThree(PostgresServer& server) {
    auto database = server.CreateDatabase();
    ASSERT_TRUE(database.ok()) << database.status().ToString();
    database_ = *database;
    for (int i = 0; i < 3; ++i) AddInstance(PostgresLines(server, database_));
    for (Instance& instance : instances_) Spawn(instance);
    for (Instance& instance : instances_) WaitHealthy(instance);
  }

  std::string Query(PostgresServer& server, const std::string& sql) {
    auto value = server.QueryValue(database_, sql);
    EXPECT_TRUE(value.ok()) << value.status().ToString();
    return value.ok() ? *value : "";
  }

  // last_access_date of `user` in milliseconds, 0 while NULL.
  std::int64_t LastAccess(PostgresServer& server, const std::string& user) {
    const std::string text = Query(server, "SELECT last_access_date FROM user_keys WHERE id = '" + user + "'");
    return text.empty() ? 0 : std::stoll(text);
  }

  // Waits (up to 10 s: batches are written every second) until `done` holds.
  static bool Eventually(const std::function<bool()>& done) { return WaitUntil(done, 10s, 100ms); }

  std::string database_;
};

TEST_F(CliConnectorMultiInstance, ConcurrentFirstStartSharesOneDataKeyAndWritesReadBackEverywhere) {
  KW_SHARED_POSTGRES_OR_SKIP(server);
  StartThree(*server);
  if (HasFatalFailure()) return;
  EXPECT_EQ(Query(*server, "SELECT count(*) FROM data_keys"), "1");
  EXPECT_EQ(Query(*server, "SELECT count(*) FROM data_key_wrappings"), "1");

  // Each instance writes; the other two read the write back at once, and so does the writer.
  std::map<std::string, UserWrites> writes;
  for (std::size_t writer = 0; writer < instances_.size(); ++writer) {
    const std::string user = RandomUserId();
    const std::string key = RandomKeyText();
    ASSERT_EQ(SendRequest(instances_[writer].port, "POST", "/user-keys", Auth(user, true),
                          nlohmann::json{{"key", key}}.dump())
                  .status,
              200);
    for (const Instance& reader : instances_) {
      const TestResponse r = SendRequest(reader.port, "GET", "/user-keys", Auth(user));
      ASSERT_EQ(r.status, 200) << r.body;
      EXPECT_EQ(r.json()["key"], key) << "written on " << writer << ", read on " << reader.port;
    }
    // A replacement through the next instance is seen by all at once too.
    const std::string replacement = RandomKeyText();
    ASSERT_EQ(SendRequest(instances_[(writer + 1) % 3].port, "PUT", "/user-keys", Auth(user, true),
                          nlohmann::json{{"key", replacement}}.dump())
                  .status,
              200);
    for (const Instance& reader : instances_) {
      EXPECT_EQ(SendRequest(reader.port, "GET", "/user-keys", Auth(user)).json()["key"], replacement);
    }
    writes[user].Acked(replacement);
  }
  EXPECT_EQ(Query(*server, "SELECT count(*) FROM user_keys"), "3");
  // Every instance serves every key, and the data key is still the one.
  for (const Instance& instance : instances_) ExpectAllReadBack(instance.port, writes);
  EXPECT_EQ(Query(*server, "SELECT count(*) FROM data_keys"), "1");
}

TEST_F(CliConnectorMultiInstance, LastAccessDatesFromSeveralBatchersOnlyMoveForward) {
  KW_SHARED_POSTGRES_OR_SKIP(server);
  StartThree(*server);
  if (HasFatalFailure()) return;
  std::map<std::string, UserWrites> writes;
  const std::vector<std::string> users = SeedUsers(12, writes);
  const std::vector<std::string> read(users.begin(), users.begin() + 9);
  const std::vector<std::string> unread(users.begin() + 9, users.end());

  // Round 1: each user read through one instance; every read user gets a date.
  const auto now_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  const std::int64_t before_first = now_ms();
  for (std::size_t i = 0; i < read.size(); ++i) {
    ASSERT_EQ(SendRequest(instances_[i % 3].port, "GET", "/user-keys", Auth(read[i])).status, 200);
  }
  ASSERT_TRUE(Eventually([&] {
    for (const std::string& user : read) {
      if (LastAccess(*server, user) == 0) return false;
    }
    return true;
  })) << "a read user has no last access date";
  std::map<std::string, std::int64_t> first;
  for (const std::string& user : read) {
    first[user] = LastAccess(*server, user);
    EXPECT_GE(first[user], before_first - 1000) << user;
    EXPECT_LE(first[user], now_ms() + 1000) << user;
  }

  // Round 2: each user read through two other instances, the later read last. The batchers
  // write in any order; the stored date must end at least at the later read, never behind.
  std::map<std::string, std::int64_t> later_read_start;
  for (std::size_t i = 0; i < read.size(); ++i) {
    ASSERT_EQ(SendRequest(instances_[(i + 1) % 3].port, "GET", "/user-keys", Auth(read[i])).status, 200);
  }
  std::this_thread::sleep_for(20ms);
  for (std::size_t i = 0; i < read.size(); ++i) {
    later_read_start[read[i]] = now_ms();
    ASSERT_EQ(SendRequest(instances_[(i + 2) % 3].port, "GET", "/user-keys", Auth(read[i])).status, 200);
  }
  EXPECT_TRUE(Eventually([&] {
    for (const std::string& user : read) {
      if (LastAccess(*server, user) < later_read_start[user] - 1000) return false;
    }
    return true;
  })) << "a user's last access date is still behind the second round's later read after 10 s";
  for (Instance& instance : instances_) Terminate(instance);  // writes what is still pending
  for (const std::string& user : read) {
    const std::int64_t last = LastAccess(*server, user);
    EXPECT_GE(last, first[user]) << user << ": moved backwards";
    EXPECT_GT(last, first[user]) << user << ": the second round left no trace";
    EXPECT_GE(last, later_read_start[user] - 1000) << user;
  }
  for (const std::string& user : unread) EXPECT_EQ(LastAccess(*server, user), 0) << user;
}

TEST_F(CliConnectorMultiInstance, RollingRestartUnderLoadFailsNoRequestThatWasNotRetried) {
  KW_SHARED_POSTGRES_OR_SKIP(server);
  StartThree(*server);
  if (HasFatalFailure()) return;
  std::map<std::string, UserWrites> writes;
  const std::vector<std::string> users = SeedUsers(24, writes);

  std::atomic<bool> stop{false};
  LoadTally tally;
  std::thread load([&] { RunLoad(Ports(), users, writes, LoadOptions(), stop, tally); });
  std::this_thread::sleep_for(300ms);
  for (Instance& instance : instances_) {
    const int before = tally.ok.load();
    Terminate(instance);
    Spawn(instance);
    WaitHealthy(instance);
    std::this_thread::sleep_for(300ms);  // traffic reaches the restarted instance again
    EXPECT_GT(tally.ok.load(), before) << "no request succeeded while an instance restarted";
  }
  stop = true;
  load.join();

  EXPECT_EQ(tally.Failures(), "");
  EXPECT_GT(tally.ok.load(), 100);
  RecordProperty("requests_ok", tally.ok.load());
  RecordProperty("requests_retried", tally.retried.load());
  for (const auto& [user, state] : writes) EXPECT_TRUE(state.unknown.empty()) << user << ": a write went unanswered";
  // Every acknowledged PUT reads back with its value, through every instance.
  for (const Instance& instance : instances_) ExpectAllReadBack(instance.port, writes);
  EXPECT_EQ(Query(*server, "SELECT count(*) FROM data_keys"), "1");
  EXPECT_EQ(Query(*server, "SELECT count(*) FROM user_keys"), std::to_string(users.size()));
}

}  // namespace
}  // namespace keywarden::testing
