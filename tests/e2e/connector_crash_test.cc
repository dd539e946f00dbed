// Crashes under a write load: `kill -9` of the connector (on SQLite and on PostgreSQL) and of
// the PostgreSQL server. Afterwards every write acknowledged with 200 reads back with its exact
// value (or with a later write whose answer never came), and every row opens. While the database
// is down the connector answers 503, never 500, never hangs, and recovers without a restart.
#include "e2e/scale_fixture.h"
#include "support/wait.h"

namespace keywarden::testing {
namespace {

using namespace std::chrono_literals;

class CliConnectorCrash : public ScaleTest {
 protected:
  // Many writers PUT through one instance; it is killed with SIGKILL in the middle, started
  // again on the same configuration, and every key is read back.
  void KillConnectorDuringWrites(Instance& instance) {
    Spawn(instance);
    WaitHealthy(instance);
    if (HasFatalFailure()) return;
    std::map<std::string, UserWrites> writes;
    const std::vector<std::string> users = SeedUsers(64, writes);

    std::atomic<bool> stop{false};
    LoadTally tally;
    LoadOptions options;
    options.threads = 8;
    options.reads = false;
    options.retry = false;
    std::thread load([&] { RunLoad({instance.port}, users, writes, options, stop, tally); });
    std::this_thread::sleep_for(1500ms);
    const int acked_before_kill = tally.ok.load();
    ASSERT_TRUE(instance.process->Signal(SIGKILL));
    instance.process->WaitExit(10s);
    stop = true;
    load.join();
    EXPECT_EQ(tally.Failures(), "");
    EXPECT_GT(acked_before_kill, 50) << "too little load to prove anything";
    RecordProperty("acked", tally.ok.load());

    Spawn(instance);
    WaitHealthy(instance);
    if (HasFatalFailure()) return;
    ExpectAllReadBack(instance.port, writes);
  }
};

TEST_F(CliConnectorCrash, KillNineOfTheConnectorOnSqliteLosesNoAcknowledgedWrite) {
  Instance& instance = AddInstance(SqliteLines(dir_.File("connector.db")));
  KillConnectorDuringWrites(instance);
}

TEST_F(CliConnectorCrash, KillNineOfTheConnectorOnPostgresLosesNoAcknowledgedWrite) {
  KW_SHARED_POSTGRES_OR_SKIP(server);
  auto database = server->CreateDatabase();
  ASSERT_TRUE(database.ok()) << database.status().ToString();
  Instance& instance = AddInstance(PostgresLines(*server, *database));
  KillConnectorDuringWrites(instance);
  auto rows = server->QueryValue(*database, "SELECT count(*) FROM user_keys");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, "64");
}

TEST_F(CliConnectorCrash, KillNineOfPostgresAnswers503ThenRecoversWithoutRestartLosingNothing) {
  KW_OWN_POSTGRES_OR_SKIP(server);
  auto database = server->CreateDatabase();
  ASSERT_TRUE(database.ok()) << database.status().ToString();
  Instance& instance = AddInstance(PostgresLines(*server, *database));
  Spawn(instance);
  WaitHealthy(instance);
  if (HasFatalFailure()) return;
  std::map<std::string, UserWrites> writes;
  const std::vector<std::string> users = SeedUsers(64, writes);

  std::atomic<bool> stop{false};
  LoadTally tally;
  LoadOptions options;
  options.threads = 8;
  options.reads = false;
  options.retry = false;  // the connector stays up: every request must get an answer
  options.accept = [](int status) { return status == 503; };
  std::thread load([&] { RunLoad({instance.port}, users, writes, options, stop, tally); });
  std::this_thread::sleep_for(1000ms);
  const int acked_before_kill = tally.ok.load();
  server->Kill9();

  // Down: /health and the API say 503 with a JSON message, quickly.
  std::this_thread::sleep_for(200ms);
  const auto asked = std::chrono::steady_clock::now();
  const TestResponse health = SendRequest(instance.port, "GET", "/health");
  EXPECT_EQ(health.status, 503) << health.body;
  EXPECT_EQ(health.json().value("status", ""), "Unhealthy") << health.body;
  const TestResponse get = SendRequest(instance.port, "GET", "/user-keys", Auth(users[0]));
  EXPECT_EQ(get.status, 503) << get.body;
  EXPECT_TRUE(get.json().contains("message")) << get.body;
  EXPECT_LT(std::chrono::steady_clock::now() - asked, 8s);
  std::this_thread::sleep_for(800ms);
  const int acked_while_down = tally.ok.load();

  ASSERT_TRUE(server->Start().ok());
  // Back: writes are acknowledged again, by the same process (checked below, after the load stops).
  WaitUntil([&] { return tally.ok.load() >= acked_while_down + 50; }, 20s, 50ms);
  stop = true;
  load.join();
  EXPECT_EQ(tally.Failures(), "");
  EXPECT_EQ(tally.unanswered.load(), 0);
  EXPECT_GT(acked_before_kill, 50);
  EXPECT_GT(tally.unavailable.load(), 0) << "the outage was not seen";
  EXPECT_GE(tally.ok.load(), acked_while_down + 50) << "no recovery within 20 s";
  EXPECT_FALSE(instance.process->WaitExit(0ms).has_value()) << "the connector exited";
  EXPECT_EQ(SendRequest(instance.port, "GET", "/health").status, 200);
  RecordProperty("acked", tally.ok.load());
  RecordProperty("unavailable", tally.unavailable.load());

  ExpectAllReadBack(instance.port, writes);
  auto rows = server->QueryValue(*database, "SELECT count(*) FROM user_keys");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, "64");
}

}  // namespace
}  // namespace keywarden::testing
