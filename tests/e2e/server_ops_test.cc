// Operating the server as an administrator does, each verb the real binary: `server init`,
// `serve --config` with a TOML file (a web vault folder included), `server health`, `server
// backup` while it serves, `server restore` refused while it runs and accepted once it has
// stopped, after which it serves the backup's accounts; PostgreSQL's backups left to pg_dump.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "e2e/child_process.h"
#include "server/server_fixture.h"
#include "support/http_test_client.h"
#include "support/temp_dir.h"
#include "support/wait.h"

namespace keywarden::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class CliServerOpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = FreePort();
    ASSERT_NE(port_, 0);
    const CliResult init = Cli({"server", "init", "--key-file", dir_.File("signing-key.pem")});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    fs::create_directories(dir_.path() / "web-vault");
    dir_.Write("web-vault/index.html", "<!doctype html><title>vault</title>");
    config_ = dir_.Write("server.toml", "public_url = \"http://127.0.0.1:" + std::to_string(port_) +
                                            "\"\n"
                                            "web_vault_dir = \"" +
                                            dir_.File("web-vault") +
                                            "\"\n"
                                            "[listen]\nhost = \"127.0.0.1\"\nport = " +
                                            std::to_string(port_) +
                                            "\n"
                                            "[database]\nsqlite_path = \"" +
                                            dir_.File("server.db") +
                                            "\"\n"
                                            "[signing_key]\nkey_file = \"" +
                                            dir_.File("signing-key.pem") +
                                            "\"\n"
                                            "[password_hash]\nmemory_kib = 8192\niterations = 1\n");
  }

  CliResult Cli(const std::vector<std::string>& args) { return RunCliWithEnv(args, ChildEnvironment()); }

  void StartServer() {
    server_ = std::make_unique<ChildProcess>();
    ASSERT_TRUE(server_->Spawn({"server", "serve", "--config", config_}, ChildEnvironment()));
    const bool up = WaitUntil([&] { return SendRequest(port_, "GET", "/alive").status == 200; }, 60s, 50ms);
    ASSERT_TRUE(up) << server_->err();
  }

  void StopServer() {
    ASSERT_TRUE(server_->Signal(SIGTERM));
    const std::optional<int> code = server_->WaitExit(30s);
    ASSERT_TRUE(code.has_value()) << "the server did not stop within 30 s";
    EXPECT_EQ(*code, 0) << server_->err();
  }

  void Register(const std::string& email) {
    const TestResponse registered =
        SendRequest(port_, "POST", "/identity/accounts/register/finish", {{"Content-Type", "application/json"}},
                    server::testing::RegistrationBody(email, "password of " + email).dump());
    ASSERT_EQ(registered.status, 200) << registered.body;
  }

  TempDir dir_;
  std::uint16_t port_ = 0;
  std::string config_;
  std::unique_ptr<ChildProcess> server_;
};

TEST_F(CliServerOpsTest, BackupWhileServingRestoreOnlyOnceStopped) {
  StartServer();
  const CliResult health = Cli({"server", "health", "--config", config_});
  ASSERT_EQ(health.exit_code, 0) << health.err;
  EXPECT_EQ(nlohmann::json::parse(health.out)["status"], "Healthy");
  const TestResponse vault = SendRequest(port_, "GET", "/");
  EXPECT_EQ(vault.status, 200);
  EXPECT_EQ(vault.body, "<!doctype html><title>vault</title>");

  Register("alice@example.com");
  const std::string backup = dir_.File("backup.db");
  const CliResult taken = Cli({"server", "backup", "--config", config_, "--out", backup});
  ASSERT_EQ(taken.exit_code, 0) << taken.err;
  const auto taken_json = nlohmann::json::parse(taken.out);
  EXPECT_EQ(taken_json["backup"], backup);
  EXPECT_EQ(taken_json["database"], dir_.File("server.db"));
  EXPECT_EQ(taken_json["users"], "1");
  const CliResult again = Cli({"server", "backup", "--config", config_, "--out", backup});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("--force"), std::string::npos) << again.err;
  Register("bob@example.com");

  const CliResult refused = Cli({"server", "restore", "--config", config_, "--from", backup, "--force"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("in use"), std::string::npos) << refused.err;
  EXPECT_EQ(SendRequest(port_, "GET", "/health").status, 200);

  StopServer();
  const CliResult health_down = Cli({"server", "health", "--config", config_});
  EXPECT_EQ(health_down.exit_code, 1);
  const CliResult no_force = Cli({"server", "restore", "--config", config_, "--from", backup});
  EXPECT_EQ(no_force.exit_code, 1);
  EXPECT_NE(no_force.err.find("--force"), std::string::npos) << no_force.err;
  const CliResult restored = Cli({"server", "restore", "--config", config_, "--from", backup, "--force"});
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  const auto restored_json = nlohmann::json::parse(restored.out);
  EXPECT_EQ(restored_json["users"], "1");
  ASSERT_TRUE(restored_json.contains("previous"));
  EXPECT_TRUE(fs::exists(restored_json["previous"].get<std::string>()));

  StartServer();
  const CliResult counted = Cli({"server", "backup", "--config", config_, "--out", dir_.File("after.db")});
  ASSERT_EQ(counted.exit_code, 0) << counted.err;
  EXPECT_EQ(nlohmann::json::parse(counted.out)["users"], "1") << "bob registered after the backup";
  Register("bob@example.com");  // free again
  StopServer();
}

TEST_F(CliServerOpsTest, PostgresqlBackupsAreLeftToPgDump) {
  const std::string postgres =
      dir_.Write("postgres.toml",
                 "public_url = \"https://vault.example.com\"\n"
                 "[database]\nprovider = \"postgresql\"\npostgresql = \"Host=127.0.0.1;Database=keywarden\"\n"
                 "[signing_key]\nkey_file = \"" +
                     dir_.File("signing-key.pem") + "\"\n");
  const CliResult backup = Cli({"server", "backup", "--config", postgres, "--out", dir_.File("pg.db")});
  EXPECT_EQ(backup.exit_code, 2);
  EXPECT_NE(backup.err.find("pg_dump"), std::string::npos) << backup.err;
  const CliResult restore = Cli({"server", "restore", "--config", postgres, "--from", dir_.File("pg.db")});
  EXPECT_EQ(restore.exit_code, 2);
  EXPECT_NE(restore.err.find("pg_restore"), std::string::npos) << restore.err;
  EXPECT_FALSE(fs::exists(dir_.File("pg.db")));
}

}  // namespace
}  // namespace keywarden::testing
