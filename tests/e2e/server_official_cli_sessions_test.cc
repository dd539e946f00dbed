// The unmodified official Bitwarden CLI (2026.9.0) against `keywarden server serve --config` over
// TLS, for what the --dev server's fixed settings cannot show: a login with the personal API key
// then `bw unlock`, an authenticator code as the second step, and a session that lives on
// rotated refresh tokens while every access token lasts a minute. Each `bw` call is a real
// process; accounts are registered and set up over HTTPS as the web vault would.
#include <liboath/oath.h>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "e2e/official_cli.h"
#include "e2e/server_process.h"
#include "keywarden/crypto/encoding.h"
#include "support/skip.h"

namespace keywarden::testing {
namespace {

using namespace std::chrono_literals;

std::string Encode(const nlohmann::json& value) {
  const std::string text = value.dump();
  return Base64Encode(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

std::string Trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  return text;
}

bool Contains(const CliResult& result, const std::string& text) {
  return (result.out + result.err).find(text) != std::string::npos;
}

// ---- authenticator codes, made by liboath as an authenticator app would ----

constexpr std::int64_t kTotpStep = 30;

std::int64_t UnixSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The 6-digit code of time step `step` for the Base32 secret `key`.
std::string TotpCode(const std::string& key, std::int64_t step) {
  EXPECT_EQ(oath_init(), OATH_OK);
  char* secret = nullptr;
  std::size_t length = 0;
  if (oath_base32_decode(key.data(), key.size(), &secret, &length) != OATH_OK) {
    ADD_FAILURE() << "the authenticator key is not Base32";
    return "";
  }
  char code[7] = {};
  const int made = oath_totp_generate(secret, length, static_cast<time_t>(step * kTotpStep), kTotpStep, 0, 6, code);
  std::free(secret);
  EXPECT_EQ(made, OATH_OK);
  return code;
}

// A 6-digit code that is none of the codes around now: certainly wrong.
std::string WrongTotpCode(const std::string& key) {
  const std::int64_t step = UnixSeconds() / kTotpStep;
  std::vector<std::string> near;
  for (std::int64_t s = step - 2; s <= step + 2; ++s) near.push_back(TotpCode(key, s));
  for (int candidate = 0;; ++candidate) {
    char text[8];
    std::snprintf(text, sizeof text, "%06d", (std::atoi(near[2].c_str()) + 1 + candidate) % 1000000);
    if (std::find(near.begin(), near.end(), text) == near.end()) return text;
  }
}

// ---- the CLI's stored session ----

// The refresh token the CLI keeps in its data file ("" when there is none).
std::string StoredRefreshToken(const std::string& data_file) {
  std::ifstream in(data_file);
  const nlohmann::json data = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!data.is_object()) return "";
  for (const auto& [name, value] : data.items()) {
    if (name.ends_with("_token_refreshToken") && value.is_string()) return value.get<std::string>();
  }
  return "";
}

class ServerOfficialCliSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!OfficialCliInstalled()) {
      KW_SKIP_OR_FAIL_IN_CI(
          "the official Bitwarden CLI is not installed (scripts/setup installs it under tests/official_cli)");
    }
  }

  // Starts the server and points a fresh CLI profile at it.
  void Start(const ServerProcessOptions& options) {
    ASSERT_TRUE(server_.Start(options));
    cli_ = std::make_unique<OfficialCli>(server_.ca_file());
    const CliResult configured = cli_->Run({"config", "server", server_.url()});
    ASSERT_EQ(configured.exit_code, 0) << configured.out << configured.err;
  }

  // `bw args... --session <session>`; the command must succeed.
  CliResult Bw(const std::vector<std::string>& args) {
    std::vector<std::string> with_session = args;
    with_session.push_back("--session");
    with_session.push_back(session_);
    CliResult result = cli_->Run(with_session);
    EXPECT_EQ(result.exit_code, 0) << "bw " << args[0] << ": " << result.out << result.err;
    return result;
  }

  // `bw create folder NAME`; the new folder's id.
  std::string CreateFolder(const std::string& name) {
    const nlohmann::json folder = nlohmann::json::parse(Bw({"create", "folder", Encode({{"name", name}})}).out, nullptr,
                                                        /*allow_exceptions=*/false);
    EXPECT_TRUE(folder.is_object() && folder.contains("id")) << folder.dump();
    return folder.is_object() ? folder.value("id", "") : "";
  }

  // The names of the folders the CLI holds (after its last sync), without its "No Folder" entry
  // (id "").
  std::vector<std::string> FolderNames() {
    const nlohmann::json folders =
        nlohmann::json::parse(Bw({"list", "folders"}).out, nullptr, /*allow_exceptions=*/false);
    std::vector<std::string> names;
    if (!folders.is_array()) return names;
    for (const auto& folder : folders) {
      if (folder.contains("id") && folder["id"].is_string() && !folder["id"].get<std::string>().empty()) {
        names.push_back(folder.value("name", ""));
      }
    }
    return names;
  }

  ServerProcess server_;
  std::unique_ptr<OfficialCli> cli_;
  std::string session_;
};

TEST_F(ServerOfficialCliSessionTest, LogsInWithThePersonalApiKeyThenUnlocks) {
  ASSERT_NO_FATAL_FAILURE(Start(ServerProcessOptions()));
  const TestAccount account = server_.NewUser("api-key@example.com");
  const TestResponse api_key =
      server_.Post("/api/accounts/api-key", {{"masterPasswordHash", account.client_hash}}, account.access_token);
  ASSERT_EQ(api_key.status, 200) << api_key.body;
  const std::string secret = api_key.json().value("apiKey", "");
  ASSERT_FALSE(secret.empty());
  const std::string client_id = "BW_CLIENTID=user." + account.id;

  // A wrong secret: the CLI's own message for invalid_client.
  const CliResult refused = cli_->Run({"login", "--apikey"}, {client_id, "BW_CLIENTSECRET=not-the-api-key-secret"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_TRUE(Contains(refused, "client_id or client_secret is incorrect")) << refused.out << refused.err;

  // The right one logs in; a master-password account stays locked until `bw unlock`.
  const CliResult login = cli_->Run({"login", "--apikey"}, {client_id, "BW_CLIENTSECRET=" + secret});
  ASSERT_EQ(login.exit_code, 0) << login.out << login.err;
  EXPECT_TRUE(Contains(login, "unlock")) << login.out;
  const CliResult unlock = cli_->Run({"unlock", account.password, "--raw"});
  ASSERT_EQ(unlock.exit_code, 0) << unlock.out << unlock.err;
  session_ = Trim(unlock.out);
  ASSERT_FALSE(session_.empty());

  // The unlocked vault writes, and a forced sync (a new client_credentials grant, as an API-key
  // session has no refresh token) reads it back decrypted.
  ASSERT_FALSE(CreateFolder("Made after an API-key login").empty());
  Bw({"sync", "--force"});
  EXPECT_EQ(FolderNames(), std::vector<std::string>{"Made after an API-key login"});
}

TEST_F(ServerOfficialCliSessionTest, AnAuthenticatorCodeIsTheSecondStep) {
  ASSERT_NO_FATAL_FAILURE(Start(ServerProcessOptions()));
  const TestAccount account = server_.NewUser("totp@example.com");
  const nlohmann::json proof = {{"masterPasswordHash", account.client_hash}};
  const TestResponse offered = server_.Post("/api/two-factor/get-authenticator", proof, account.access_token);
  ASSERT_EQ(offered.status, 200) << offered.body;
  const std::string key = offered.json().value("key", "");
  ASSERT_FALSE(key.empty());

  // Enrol with the previous step's code (within the server's window of one step): the server
  // then takes, at login, only codes of later steps, so the login below need not wait for the
  // next step. Not in the last seconds of a step, so the server still sees the same "now".
  while (UnixSeconds() % kTotpStep >= kTotpStep - 5) std::this_thread::sleep_for(200ms);
  nlohmann::json enable = proof;
  enable["key"] = key;
  enable["token"] = TotpCode(key, UnixSeconds() / kTotpStep - 1);
  const TestResponse enabled =
      server_.Send("PUT", "/api/two-factor/authenticator", enable.dump(), account.access_token);
  ASSERT_EQ(enabled.status, 200) << enabled.body;
  EXPECT_EQ(enabled.json().value("enabled", false), true);

  // A wrong code: refused with the reference's message, which the CLI prints.
  const CliResult wrong =
      cli_->Run({"login", account.email, account.password, "--method", "0", "--code", WrongTotpCode(key), "--raw"});
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_TRUE(Contains(wrong, "Two-step token is invalid. Try again.")) << wrong.out << wrong.err;

  // The current code: logged in, and the vault syncs.
  const CliResult login = cli_->Run({"login", account.email, account.password, "--method", "0", "--code",
                                     TotpCode(key, UnixSeconds() / kTotpStep), "--raw"});
  ASSERT_EQ(login.exit_code, 0) << login.out << login.err;
  session_ = Trim(login.out);
  ASSERT_FALSE(session_.empty());
  EXPECT_TRUE(Contains(Bw({"sync"}), "Syncing complete"));
}

TEST_F(ServerOfficialCliSessionTest, ASessionOutlivesMinuteLongAccessTokensOnRotatedRefreshTokens) {
  // A minute is the shortest lifetime the server allows; the CLI refreshes any token that ends
  // within five minutes, so every authenticated call below starts with a refresh grant.
  //
  // The CLI sends one refresh token twice when two of its requests refresh at once; a grace of
  // 5 s keeps that apart from the replay at the end.
  ServerProcessOptions options;
  options.access_token_seconds = 60;
  options.refresh_reuse_grace_seconds = 5;
  ASSERT_NO_FATAL_FAILURE(Start(options));
  const TestAccount account = server_.Register("refresh@example.com");
  const CliResult login = cli_->Run({"login", account.email, account.password, "--raw"});
  ASSERT_EQ(login.exit_code, 0) << login.out << login.err << "\nserver log:\n" << server_.log();
  session_ = Trim(login.out);
  const std::string original_refresh_token = StoredRefreshToken(cli_->data_file());
  ASSERT_FALSE(original_refresh_token.empty()) << "no refresh token in " << cli_->data_file();

  // Several commands in a row, each refreshing: the server's grant count grows with each.
  const double grants_before = server_.RequestCount("/identity/connect/token", 200);
  constexpr int kFolders = 3;
  for (int i = 0; i < kFolders; ++i) ASSERT_FALSE(CreateFolder("Folder " + std::to_string(i)).empty());
  const auto original_used = std::chrono::steady_clock::now();  // by the first of these commands
  const double grants_after = server_.RequestCount("/identity/connect/token", 200);
  EXPECT_GE(grants_after - grants_before, kFolders) << "each command should have refreshed its token";
  EXPECT_EQ(server_.RequestCount("/identity/connect/token", 400), 0) << "no grant may have been refused";

  // Each refresh rotated the token: the CLI holds a new one, and sync still works on it.
  const std::string current_refresh_token = StoredRefreshToken(cli_->data_file());
  ASSERT_FALSE(current_refresh_token.empty());
  EXPECT_NE(current_refresh_token, original_refresh_token);
  EXPECT_TRUE(Contains(Bw({"sync", "--force"}), "Syncing complete"));
  EXPECT_EQ(FolderNames().size(), static_cast<std::size_t>(kFolders));

  // The original token, replayed by someone who copied it after the grace, is refused, and the
  // reuse revokes its whole family: the CLI's own session ends at its next refresh.
  std::this_thread::sleep_until(original_used + std::chrono::seconds(options.refresh_reuse_grace_seconds + 1));
  const TestResponse replayed =
      server_.Token({{"grant_type", "refresh_token"}, {"client_id", "cli"}, {"refresh_token", original_refresh_token}});
  EXPECT_EQ(replayed.status, 400) << replayed.body;
  EXPECT_EQ(replayed.json().value("error", ""), "invalid_grant");
  const CliResult after_replay = cli_->Run({"sync", "--force", "--session", session_});
  EXPECT_NE(after_replay.exit_code, 0) << after_replay.out;
}

}  // namespace
}  // namespace keywarden::testing
