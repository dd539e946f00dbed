// Test support: a Keywarden server on a loopback port (plain HTTP, a fresh SQLite database and
// signing key in a temporary folder), and clients that register and log in the way the official
// clients do, with the key hierarchy computed by libkeywarden.
#ifndef KEYWARDEN_TESTS_SERVER_SERVER_FIXTURE_H_
#define KEYWARDEN_TESTS_SERVER_SERVER_FIXTURE_H_

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "custody/file/file_rsa_key_provider.h"
#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/kdf.h"
#include "keywarden/crypto/master_key.h"
#include "keywarden/keys/account.h"
#include "net/loopback.h"
#include "server/server_service.h"
#include "support/client_crypto.h"
#include "support/http_test_client.h"
#include "support/temp_dir.h"

namespace keywarden::server::testing {

using keywarden::testing::ClientHash;
using keywarden::testing::FormEncode;
using keywarden::testing::KdfJson;
using keywarden::testing::RegistrationBody;
using keywarden::testing::SendRequest;
using keywarden::testing::TestAccount;
using keywarden::testing::TestKdf;
using keywarden::testing::TestResponse;

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer(); }

  // Starts the server; `adjust` may change the configuration first.
  void StartServer(const std::function<void(ServerConfig&)>& adjust = nullptr) {
    // A restart keeps the port, and so the issuer its tokens name.
    auto port = config_ ? Result<std::uint16_t>(config_->listen.port) : net::FreeLoopbackPort();
    ASSERT_TRUE(port.ok());
    config_ = std::make_unique<ServerConfig>();
    config_->listen = {"127.0.0.1", *port};
    config_->public_url = "http://127.0.0.1:" + std::to_string(*port);
    config_->database.sqlite_path = dir_.File("server.db");
    config_->signing_key.key_file = dir_.File("signing-key.pem");
    if (!std::filesystem::exists(config_->signing_key.key_file)) {
      ASSERT_TRUE(
          custody::CreateKeyFile(config_->signing_key.key_file, custody::KeyFileFormat::kPemPkcs8, nullptr).ok());
    }
    config_->password_hash.memory_kib = 8192;
    config_->password_hash.iterations = 1;
    config_->metrics.sample_seconds = 1;
    if (adjust) adjust(*config_);
    ServerServiceOptions options;
    options.clock = clock_;
    auto service = ServerService::Start(*config_, options);
    ASSERT_TRUE(service.ok()) << service.status().message();
    service_ = std::move(service).value();
  }

  void StopServer() { service_.reset(); }

  std::uint16_t port() const { return config_->listen.port; }

  TestResponse Post(const std::string& path, const nlohmann::json& body, const std::string& token = "") {
    return Send("POST", path, body.dump(), token);
  }
  TestResponse Send(const std::string& method, const std::string& path, const std::string& body = "",
                    const std::string& token = "") {
    std::vector<std::pair<std::string, std::string>> headers = {{"Content-Type", "application/json; charset=utf-8"}};
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    return SendRequest(port(), method, path, headers, body);
  }
  TestResponse Token(const std::vector<std::pair<std::string, std::string>>& fields) {
    return SendRequest(port(), "POST", "/identity/connect/token",
                       {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}, {"Device-Type", "25"}},
                       FormEncode(fields));
  }

  // Registers `email` as the web vault does; the account's password is "password of <email>".
  TestAccount Register(const std::string& email) {
    TestAccount account;
    account.email = email;
    account.password = "password of " + email;
    const TestResponse finished = Post("/identity/accounts/register/finish", RegistrationBody(email, account.password));
    EXPECT_EQ(finished.status, 200) << finished.body;
    account.client_hash = ClientHash(email, account.password);
    return account;
  }

  TestResponse PasswordGrant(const TestAccount& account, const std::string& device = "device-1") {
    return Token({{"grant_type", "password"},
                  {"username", account.email},
                  {"password", account.client_hash},
                  {"scope", "api offline_access"},
                  {"client_id", "cli"},
                  {"deviceType", "25"},
                  {"deviceIdentifier", device},
                  {"deviceName", "linux"}});
  }

  // Registers and logs in.
  TestAccount NewUser(const std::string& email) {
    TestAccount account = Register(email);
    const TestResponse login = PasswordGrant(account);
    EXPECT_EQ(login.status, 200) << login.body;
    const nlohmann::json body = login.json();
    account.access_token = body.value("access_token", "");
    account.refresh_token = body.value("refresh_token", "");
    const TestResponse profile = Send("GET", "/api/accounts/profile", "", account.access_token);
    account.id = profile.json().value("id", "");
    return account;
  }

  keywarden::testing::TempDir dir_;
  // The server's clock from the next StartServer() on; a test that moves time sets its own
  // FakeClock (which must outlive the server) and restarts.
  const Clock* clock_ = &Clock::System();
  std::unique_ptr<ServerConfig> config_;
  std::unique_ptr<ServerService> service_;
};

}  // namespace keywarden::server::testing

#endif  // KEYWARDEN_TESTS_SERVER_SERVER_FIXTURE_H_
