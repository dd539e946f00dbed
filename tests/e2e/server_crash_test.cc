// kill -9 of `keywarden server serve` under a write load, on SQLite and on PostgreSQL: client
// threads create folders and items over HTTP as the official clients do; the server is killed
// with SIGKILL in the middle, started again on the same database, and every write it answered
// with 200 reads back through the sync, exactly as sent. Writes whose answer never came may or
// may not be there; nothing else is.
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "e2e/server_process_fixture.h"
#include "keywarden/crypto/enc_string.h"
#include "keywarden/crypto/symmetric_key.h"

namespace keywarden::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kAccounts = 4;
constexpr int kThreads = 8;

// What the load learnt about one account's writes; each thread appends under the mutex.
struct AccountWrites {
  std::mutex mu;
  std::map<std::string, std::string> acked_ciphers;  // id -> the name (an EncString) sent
  std::map<std::string, std::string> acked_folders;
  std::set<std::string> attempted_names;  // every name sent, answered or not
};

struct Tally {
  std::atomic<int> acked{0};
  std::atomic<int> unanswered{0};
  std::mutex mu;
  std::vector<std::string> failures;

  void Fail(std::string what) {
    std::lock_guard lock(mu);
    if (failures.size() < 20) failures.push_back(std::move(what));
  }
  std::string Failures() {
    std::lock_guard lock(mu);
    std::string text;
    for (const std::string& f : failures) text += f + "\n";
    return text;
  }
};

class CliServerCrash : public ServerProcessTest {
 protected:
  // Writers on kAccounts accounts through `instance`; SIGKILL once enough writes were answered;
  // the same configuration again; every acknowledged write read back.
  void KillServerDuringWrites(Instance& instance) {
    Spawn(instance);
    if (HasFatalFailure()) return;
    std::vector<TestAccount> accounts;
    for (int i = 0; i < kAccounts; ++i)
      accounts.push_back(NewAccount(instance, "user" + std::to_string(i) + "@example.com"));
    if (HasFailure()) return;
    std::vector<AccountWrites> writes(kAccounts);
    const auto key = SymmetricKey::Generate();
    ASSERT_TRUE(key.ok());

    Tally tally;
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        const TestAccount& account = accounts[t % kAccounts];
        AccountWrites& mine = writes[t % kAccounts];
        // Bounded in count and time, whatever happens to the server.
        const auto deadline = std::chrono::steady_clock::now() + 60s;
        for (int n = 0; n < 5000 && !stop.load() && std::chrono::steady_clock::now() < deadline; ++n) {
          const bool folder = n % 3 == 0;
          const std::string name =
              EncString::EncryptText(*key, "thread " + std::to_string(t) + " write " + std::to_string(n))->ToString();
          {
            std::lock_guard lock(mine.mu);
            mine.attempted_names.insert(name);
          }
          const nlohmann::json body = folder
                                          ? nlohmann::json{{"name", name}}
                                          : nlohmann::json{{"type", 2}, {"name", name}, {"secureNote", {{"type", 0}}}};
          const TestResponse r = SendApi(instance.port, "POST", folder ? "/api/folders" : "/api/ciphers", body.dump(),
                                         account.access_token);
          if (r.status == 200) {
            const nlohmann::json answer = r.json();
            if (!answer.is_object() || !answer.contains("id") || answer.value("name", "") != name) {
              tally.Fail("a 200 without the item: " + r.body.substr(0, 200));
              continue;
            }
            std::lock_guard lock(mine.mu);
            (folder ? mine.acked_folders : mine.acked_ciphers)[answer["id"].get<std::string>()] = name;
            tally.acked++;
          } else if (r.status == 0) {
            tally.unanswered++;  // the server is gone: the outcome is unknown
          } else {
            tally.Fail("answered " + std::to_string(r.status) + ": " + r.body.substr(0, 200));
          }
        }
      });
    }
    const bool loaded = WaitUntil([&] { return tally.acked.load() >= 150 || !tally.Failures().empty(); }, 30s);
    const int acked_before_kill = tally.acked.load();
    // The requests in flight now die with the server; no new one starts after it.
    const bool killed = instance.process->Signal(SIGKILL);
    stop = true;
    for (std::thread& thread : threads) thread.join();
    ASSERT_TRUE(killed);
    ASSERT_TRUE(instance.process->WaitExit(10s) == -1) << "not ended by SIGKILL";
    EXPECT_TRUE(loaded) << "too few writes answered in 30 s: " << acked_before_kill;
    EXPECT_EQ(tally.Failures(), "");
    RecordProperty("acked", tally.acked.load());
    RecordProperty("unanswered", tally.unanswered.load());
    if (HasFatalFailure()) return;

    Spawn(instance);
    if (HasFatalFailure()) return;
    int read_back = 0;
    for (int i = 0; i < kAccounts; ++i) {
      // The tokens from before the crash still work: same key, same issuer, same accounts.
      const TestResponse sync =
          SendApi(instance.port, "GET", "/api/sync?excludeDomains=true", "", accounts[i].access_token);
      ASSERT_EQ(sync.status, 200) << sync.body.substr(0, 200);
      const nlohmann::json body = sync.json();
      std::map<std::string, std::string> ciphers;
      std::map<std::string, std::string> folders;
      for (const auto& c : body["ciphers"]) ciphers[c["id"].get<std::string>()] = c["name"].get<std::string>();
      for (const auto& f : body["folders"]) folders[f["id"].get<std::string>()] = f["name"].get<std::string>();
      AccountWrites& mine = writes[i];
      for (const auto& [id, name] : mine.acked_ciphers) {
        EXPECT_EQ(ciphers[id], name) << "item " << id << " of " << accounts[i].email << " was acknowledged";
        ++read_back;
      }
      for (const auto& [id, name] : mine.acked_folders) {
        EXPECT_EQ(folders[id], name) << "folder " << id << " of " << accounts[i].email << " was acknowledged";
        ++read_back;
      }
      for (const auto& [id, name] : ciphers) {
        EXPECT_TRUE(mine.attempted_names.contains(name)) << "item " << id << " was never written";
      }
      for (const auto& [id, name] : folders) {
        EXPECT_TRUE(mine.attempted_names.contains(name)) << "folder " << id << " was never written";
      }
    }
    EXPECT_EQ(read_back, tally.acked.load());
  }
};

TEST_F(CliServerCrash, KillNineOnSqliteLosesNoAcknowledgedWrite) {
  Instance& instance = AddInstance(SqliteLines(), NewKeyFile("signing-key.pem"));
  KillServerDuringWrites(instance);
}

TEST_F(CliServerCrash, KillNineOnPostgresLosesNoAcknowledgedWrite) {
  KW_SHARED_POSTGRES_OR_SKIP(server);
  auto database = server->CreateDatabase();
  ASSERT_TRUE(database.ok()) << database.status().ToString();
  Instance& instance = AddInstance(PostgresLines(*server, *database), NewKeyFile("signing-key.pem"));
  KillServerDuringWrites(instance);
}

}  // namespace
}  // namespace keywarden::testing
