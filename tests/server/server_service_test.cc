// What the assembled server reports about itself on /metrics.
#include <gtest/gtest.h>

#include <atomic>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "keywarden/crypto/enc_string.h"
#include "keywarden/crypto/symmetric_key.h"
#include "server/server_fixture.h"

namespace keywarden::server::testing {
namespace {

class ServerServiceTest : public ServerTest {
 protected:
  // The value of an unlabelled metric on /metrics, or -1 when it is not there.
  double Metric(const std::string& name) {
    const TestResponse metrics = Send("GET", "/metrics");
    EXPECT_EQ(metrics.status, 200);
    std::istringstream lines(metrics.body);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
    }
    return -1;
  }
};

// SQLite's group commit seen from outside: every write request's transaction is counted, and the
// commits that carried them, never more commits than transactions.
TEST_F(ServerServiceTest, MetricsCountSqliteWriteTransactionsAndTheirCommits) {
  const double transactions_before = Metric("keywarden_database_write_transactions");
  const double commits_before = Metric("keywarden_database_commits");
  ASSERT_GE(transactions_before, 0);
  ASSERT_GE(commits_before, 0);
  const TestAccount account = NewUser("metrics@example.com");  // registration and login write
  auto key = SymmetricKey::Generate();
  ASSERT_TRUE(key.ok());
  auto name = EncString::EncryptText(*key, "Work");
  ASSERT_TRUE(name.ok());
  const TestResponse folder = Post("/api/folders", {{"name", name->ToString()}}, account.access_token);
  EXPECT_EQ(folder.status, 200) << folder.body;
  const double transactions = Metric("keywarden_database_write_transactions") - transactions_before;
  const double commits = Metric("keywarden_database_commits") - commits_before;
  EXPECT_GE(transactions, 3);  // at least the account, the login's device and token, the folder
  EXPECT_GE(commits, 1);
  EXPECT_LE(commits, transactions);
}

// Logins queue for their own slots, not for the threads every route shares: with 40 password
// grants in flight (more than the 32 threads of the blocking pool) a sync is answered at once,
// not after the logins ahead of it (without the limit it waited for 6 in a trial run). Each hash
// is costly enough that the logins are still queued when the sync comes, and cheap enough that
// all 40 finish within the 10 s a login waits for its slot even in the sanitizer build on a
// loaded machine (with 32 MiB, 17 of them timed out there).
TEST_F(ServerServiceTest, ALoginFloodDoesNotHoldUpTheSync) {
  StopServer();
  StartServer([](ServerConfig& config) {
    config.password_hash.memory_kib = 16384;
    config.password_hash.iterations = 2;
    config.password_hash.concurrency = 1;
  });
  const TestAccount account = NewUser("flood@example.com");
  constexpr int kLogins = 40;
  std::atomic<int> done{0};
  std::atomic<int> ok{0};
  std::vector<std::thread> logins;
  for (int i = 0; i < kLogins; ++i) {
    logins.emplace_back([&] {
      if (PasswordGrant(account).status == 200) ++ok;
      ++done;
    });
  }
  // Let the grants reach the server, then sync.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const int before = done.load();
  const TestResponse sync = Send("GET", "/api/sync?excludeDomains=true", "", account.access_token);
  const int after = done.load();
  for (auto& login : logins) login.join();
  EXPECT_EQ(sync.status, 200);
  EXPECT_LE(after - before, 3) << "the sync waited for " << after - before << " logins";
  EXPECT_EQ(ok.load(), kLogins);
}

}  // namespace
}  // namespace keywarden::server::testing
