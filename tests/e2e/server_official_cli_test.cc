// The Keywarden server as the unmodified official Bitwarden CLI (2026.9.0) sees it, over TLS:
// `keywarden server serve --dev`, then bw config, login, sync, items and folders, lock, unlock
// and logout, each a real `bw` process.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <regex>
#include <string>
#include <vector>

#include "e2e/child_process.h"
#include "e2e/dev_server.h"
#include "e2e/official_cli.h"
#include "keywarden/crypto/encoding.h"
#include "support/skip.h"

namespace keywarden::testing {
namespace {

class ServerOfficialCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!OfficialCliInstalled()) {
      KW_SKIP_OR_FAIL_IN_CI(
          "the official Bitwarden CLI is not installed (scripts/setup installs it under tests/official_cli)");
    }
    ASSERT_TRUE(StartDevServer(server_));
    cli_ = std::make_unique<OfficialCli>(server_.ca_file);
    const CliResult configured = cli_->Run({"config", "server", server_.url});
    ASSERT_EQ(configured.exit_code, 0) << configured.out << configured.err;
  }

  // `bw args... --session <session>`; the output must be success.
  CliResult Bw(const std::vector<std::string>& args) {
    std::vector<std::string> with_session = args;
    with_session.push_back("--session");
    with_session.push_back(session_);
    CliResult result = cli_->Run(with_session);
    EXPECT_EQ(result.exit_code, 0) << "bw " << args[0] << ": " << result.out << result.err;
    return result;
  }

  DevServer server_;
  std::unique_ptr<OfficialCli> cli_;
  std::string session_;
};

TEST_F(ServerOfficialCliTest, LogsInWithAPasswordAndKeepsAVault) {
  const CliResult login = cli_->Run({"login", server_.email, server_.password, "--raw"});
  ASSERT_EQ(login.exit_code, 0) << login.out << login.err;
  session_ = Trim(login.out);
  ASSERT_FALSE(session_.empty());

  EXPECT_NE(Bw({"sync"}).out.find("Syncing complete"), std::string::npos);
  EXPECT_EQ(Trim(Bw({"list", "items"}).out), "[]");

  // A folder, then a login item in it.
  const auto folder = nlohmann::json::parse(Bw({"create", "folder", Encode({{"name", "Work"}})}).out);
  ASSERT_TRUE(folder.contains("id"));
  const nlohmann::json item = {
      {"type", 1},
      {"name", "Example site"},
      {"notes", "first note"},
      {"favorite", false},
      {"folderId", folder["id"]},
      {"login", {{"username", "alice"}, {"password", "correct horse"}, {"uris", nlohmann::json::array()}}},
      {"reprompt", 0}};
  const auto created = nlohmann::json::parse(Bw({"create", "item", Encode(item)}).out);
  ASSERT_TRUE(created.contains("id"));
  const std::string id = created["id"];

  // What the server stored decrypts again after a fresh sync.
  Bw({"sync", "--force"});
  const auto listed = nlohmann::json::parse(Bw({"list", "items"}).out);
  ASSERT_EQ(listed.size(), 1U);
  EXPECT_EQ(listed[0]["name"], "Example site");
  EXPECT_EQ(listed[0]["login"]["password"], "correct horse");
  EXPECT_EQ(listed[0]["folderId"], folder["id"]);

  // Edit, soft delete, restore.
  nlohmann::json edited = listed[0];
  edited["name"] = "Renamed site";
  const auto after_edit = nlohmann::json::parse(Bw({"edit", "item", id, Encode(edited)}).out);
  EXPECT_EQ(after_edit["name"], "Renamed site");
  Bw({"delete", "item", id});
  Bw({"sync"});
  EXPECT_EQ(Trim(Bw({"list", "items"}).out), "[]");
  const auto trash = nlohmann::json::parse(Bw({"list", "items", "--trash"}).out);
  ASSERT_EQ(trash.size(), 1U);
  Bw({"restore", "item", id});
  Bw({"sync"});
  const auto restored = nlohmann::json::parse(Bw({"list", "items"}).out);
  ASSERT_EQ(restored.size(), 1U);
  EXPECT_EQ(restored[0]["name"], "Renamed site");

  // Lock and unlock with the password: the vault is still there.
  Bw({"lock"});
  const CliResult unlock = cli_->Run({"unlock", server_.password, "--raw"});
  ASSERT_EQ(unlock.exit_code, 0) << unlock.out << unlock.err;
  session_ = Trim(unlock.out);
  EXPECT_EQ(nlohmann::json::parse(Bw({"list", "items"}).out).size(), 1U);

  // Permanent delete, then logout.
  Bw({"delete", "item", id, "--permanent"});
  Bw({"sync"});
  EXPECT_EQ(Trim(Bw({"list", "items", "--trash"}).out), "[]");
  const CliResult logout = cli_->Run({"logout"});
  EXPECT_EQ(logout.exit_code, 0) << logout.out << logout.err;
}

TEST_F(ServerOfficialCliTest, AWrongPasswordGetsTheClientsOwnMessage) {
  const CliResult login = cli_->Run({"login", server_.email, "not the password", "--raw"});
  EXPECT_NE(login.exit_code, 0);
  // The exact error text the CLI turns into its friendlier one, naming the server.
  EXPECT_NE((login.out + login.err).find("localhost"), std::string::npos) << login.out << login.err;
}

}  // namespace
}  // namespace keywarden::testing
