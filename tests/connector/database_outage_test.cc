// The Key Connector on PostgreSQL and on MariaDB while the database goes away and comes back:
// a real server of the test's own (tests/support/postgres_server.h, mariadb_server.h), the
// connector in this process configured through the reference's variables, and requests over
// loopback sockets.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>

#include "connector/config/connector_config.h"
#include "connector/connector_service.h"
#include "custody/file/file_rsa_key_provider.h"
#include "jose/jwt_signer.h"
#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/random.h"
#include "support/http_test_client.h"
#include "support/mariadb_server.h"
#include "support/postgres_server.h"
#include "support/skip.h"
#include "support/temp_dir.h"

namespace keywarden::connector {
namespace {

using keywarden::testing::MariaDbServer;
using keywarden::testing::PostgresServer;
using keywarden::testing::SendRequest;
using keywarden::testing::TempDir;
using keywarden::testing::TestResponse;
using Clock = std::chrono::steady_clock;

constexpr char kIssuer[] = "https://identity.keywarden.test";
constexpr char kUser[] = "a09726a0-9590-49d1-a5f5-afe300b6a515";
constexpr std::uint32_t kRequestTimeoutMs = 5000;

// A database server of the test's own (it is stopped and started), as the reference names it.
struct OwnDatabase {
  std::string provider;           // keyConnectorSettings__database__provider
  std::string variable;           // the reference's connection-string variable
  std::string connection_string;  // with short timeouts
  std::function<Status()> stop;
  std::function<Status()> start;
  std::shared_ptr<void> server;  // keeps the server alive
};

template <typename Server>
OwnDatabase Own(std::unique_ptr<Server> owned, std::string provider, std::string variable, std::string timeouts) {
  std::shared_ptr<Server> server = std::move(owned);
  OwnDatabase database{std::move(provider),
                       std::move(variable),
                       "",
                       [server] { return server->Stop(); },
                       [server] { return server->Start(); },
                       server};
  auto name = server->CreateDatabase();
  EXPECT_TRUE(name.ok()) << name.status().ToString();
  if (name.ok()) database.connection_string = server->ConnectionString(*name) + timeouts;
  return database;
}

class DatabaseOutageTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgresql") {
      KW_OWN_POSTGRES_OR_SKIP(server);
      database_ = Own(std::move(server), "postgresql", "keyConnectorSettings__database__postgreSqlConnectionString",
                      ";Timeout=2;Command Timeout=2");
    } else {
      if (!MariaDbServer::Installed()) KW_SKIP_OR_FAIL_IN_CI(MariaDbServer::UnavailableReason());
      auto server = MariaDbServer::Create();
      ASSERT_TRUE(server.ok()) << server.status().ToString();
      database_ = Own(std::move(server).value(), "mysql", "keyConnectorSettings__database__mySqlConnectionString",
                      ";Connection Timeout=2;Default Command Timeout=2");
    }
    ASSERT_FALSE(database_.connection_string.empty());
    ASSERT_TRUE(custody::CreateKeyFile(dir_.File("key.pem"), custody::KeyFileFormat::kPemPkcs8, nullptr).ok());

    // As an existing reference deployment names it, with short database timeouts.
    auto config = LoadConnectorConfig(std::nullopt,
                                      {{"keyConnectorSettings__identityServerUri", kIssuer},
                                       {"keyConnectorSettings__database__provider", database_.provider},
                                       {database_.variable, database_.connection_string},
                                       {"keyConnectorSettings__certificate__filesystemPath", dir_.File("key.pem")}});
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    config->listen = {"127.0.0.1", 0};
    config->limits.threads = 2;
    config->limits.request_timeout_ms = kRequestTimeoutMs;
    config->log.audit = false;

    auto signer = jose::JwtSigner::Generate(jose::JwsAlgorithm::kRs256, "issuer-key-1");
    ASSERT_TRUE(signer.ok());
    signer_ = std::make_shared<jose::JwtSigner>(std::move(signer).value());
    ConnectorServiceOptions options;
    options.local_issuer = ConnectorServiceOptions::LocalIssuer{
        kIssuer, [signer = signer_]() -> Result<std::string> { return signer->JwksJson(); }};
    auto service = ConnectorService::Start(*config, std::move(options));
    ASSERT_TRUE(service.ok()) << service.status().ToString();
    connector_ = std::move(service).value();
  }

  void TearDown() override { connector_.reset(); }

  std::vector<std::pair<std::string, std::string>> Auth() {
    auto token = signer_->Mint(
        nlohmann::json::object(),
        jose::JwtSigner::StandardClaims(kIssuer, kUser, std::chrono::system_clock::now(), std::chrono::minutes(10)));
    EXPECT_TRUE(token.ok());
    return {{"Authorization", "Bearer " + (token.ok() ? *token : "")}, {"Content-Type", "application/json"}};
  }

  TestResponse Send(const std::string& method, const std::string& path, const std::string& body = "") {
    return SendRequest(connector_->port(), method, path, path == "/health" ? decltype(Auth()){} : Auth(), body);
  }

  TempDir dir_;
  OwnDatabase database_;
  std::shared_ptr<jose::JwtSigner> signer_;
  std::unique_ptr<ConnectorService> connector_;
};

TEST_P(DatabaseOutageTest, AnOutageAnswers503QuicklyAndTheServiceRecoversWithoutRestart) {
  std::vector<std::uint8_t> key(32);
  ASSERT_TRUE(RandomBytes(key).ok());
  const std::string key_b64 = Base64Encode(key);
  ASSERT_EQ(Send("POST", "/user-keys", nlohmann::json{{"key", key_b64}}.dump()).status, 200);
  ASSERT_EQ(Send("GET", "/user-keys").json()["key"], key_b64);
  ASSERT_EQ(Send("GET", "/health").status, 200);

  ASSERT_TRUE(database_.stop().ok());
  for (const auto& [method, body] :
       {std::pair<std::string, std::string>{"GET", ""}, {"PUT", nlohmann::json{{"key", key_b64}}.dump()}}) {
    const auto start = Clock::now();
    const TestResponse response = Send(method, "/user-keys", body);
    EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(kRequestTimeoutMs)) << method;
    EXPECT_EQ(response.status, 503) << method << ": " << response.body;
    ASSERT_TRUE(response.json().is_object()) << response.body;
    EXPECT_TRUE(response.json()["message"].is_string()) << response.body;
    EXPECT_EQ(response.body.find("Password"), std::string::npos) << response.body;
  }
  const auto start = Clock::now();
  const TestResponse health = Send("GET", "/health");
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(kRequestTimeoutMs));
  EXPECT_EQ(health.status, 503) << health.body;
  EXPECT_EQ(health.json()["status"], "Unhealthy") << health.body;

  // The same connector, the database back: it answers again, with the key it stored before.
  ASSERT_TRUE(database_.start().ok());
  const TestResponse healthy = Send("GET", "/health");
  EXPECT_EQ(healthy.status, 200) << healthy.body;
  EXPECT_EQ(healthy.json()["status"], "Healthy");
  const TestResponse got = Send("GET", "/user-keys");
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json()["key"], key_b64);
}

INSTANTIATE_TEST_SUITE_P(Databases, DatabaseOutageTest, ::testing::Values("postgresql", "mysql"),
                         [](const ::testing::TestParamInfo<std::string>& param) { return param.param; });

}  // namespace
}  // namespace keywarden::connector
