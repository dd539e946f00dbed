// The Key Connector on PostgreSQL while the database goes away and comes back: a real server
// (tests/support/postgres_server.h), the connector in this process configured through the
// reference's variables, and requests over loopback sockets.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "connector/config.h"
#include "connector/connector_service.h"
#include "connector/file_rsa_key_provider.h"
#include "connector/jwt_signer.h"
#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/random.h"
#include "support/http_test_client.h"
#include "support/postgres_server.h"
#include "support/temp_dir.h"

namespace keywarden::connector {
namespace {

using keywarden::testing::PostgresServer;
using keywarden::testing::SendRequest;
using keywarden::testing::TempDir;
using keywarden::testing::TestResponse;
using Clock = std::chrono::steady_clock;

constexpr char kIssuer[] = "https://identity.keywarden.test";
constexpr char kUser[] = "a09726a0-9590-49d1-a5f5-afe300b6a515";
constexpr std::uint32_t kRequestTimeoutMs = 5000;

class PostgresConnectorServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    KW_OWN_POSTGRES_OR_SKIP(server);
    server_ = std::move(server);
    auto database = server_->CreateDatabase();
    ASSERT_TRUE(database.ok()) << database.status().ToString();
    ASSERT_TRUE(CreateKeyFile(dir_.File("key.pem"), KeyFileFormat::kPemPkcs8, nullptr).ok());

    // As an existing reference deployment names it, with short database timeouts.
    auto config = LoadConnectorConfig(
        std::nullopt, {{"keyConnectorSettings__identityServerUri", kIssuer},
                       {"keyConnectorSettings__database__provider", "postgresql"},
                       {"keyConnectorSettings__database__postgreSqlConnectionString",
                        server_->ConnectionString(*database) + ";Timeout=2;Command Timeout=2"},
                       {"keyConnectorSettings__certificate__filesystemPath", dir_.File("key.pem")}});
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    config->listen = {"127.0.0.1", 0};
    config->limits.threads = 2;
    config->limits.request_timeout_ms = kRequestTimeoutMs;
    config->log.audit = false;

    auto signer = JwtSigner::Generate(JwsAlgorithm::kRs256, "issuer-key-1");
    ASSERT_TRUE(signer.ok());
    signer_ = std::make_shared<JwtSigner>(std::move(signer).value());
    ConnectorServiceOptions options;
    options.local_issuer = ConnectorServiceOptions::LocalIssuer{
        kIssuer, [signer = signer_]() -> Result<std::string> { return signer->JwksJson(); }};
    auto service = ConnectorService::Start(*config, std::move(options));
    ASSERT_TRUE(service.ok()) << service.status().ToString();
    connector_ = std::move(service).value();
  }

  void TearDown() override { connector_.reset(); }

  std::vector<std::pair<std::string, std::string>> Auth() {
    auto token = signer_->Mint(nlohmann::json::object(),
                               JwtSigner::StandardClaims(kIssuer, kUser, std::chrono::system_clock::now(),
                                                         std::chrono::minutes(10)));
    EXPECT_TRUE(token.ok());
    return {{"Authorization", "Bearer " + (token.ok() ? *token : "")}, {"Content-Type", "application/json"}};
  }

  TestResponse Send(const std::string& method, const std::string& path, const std::string& body = "") {
    return SendRequest(connector_->port(), method, path, path == "/health" ? decltype(Auth()){} : Auth(), body);
  }

  TempDir dir_;
  std::unique_ptr<PostgresServer> server_;
  std::shared_ptr<JwtSigner> signer_;
  std::unique_ptr<ConnectorService> connector_;
};

TEST_F(PostgresConnectorServiceTest, AnOutageAnswers503QuicklyAndTheServiceRecoversWithoutRestart) {
  std::vector<std::uint8_t> key(32);
  ASSERT_TRUE(RandomBytes(key).ok());
  const std::string key_b64 = Base64Encode(key);
  ASSERT_EQ(Send("POST", "/user-keys", nlohmann::json{{"key", key_b64}}.dump()).status, 200);
  ASSERT_EQ(Send("GET", "/user-keys").json()["key"], key_b64);
  ASSERT_EQ(Send("GET", "/health").status, 200);

  ASSERT_TRUE(server_->Stop().ok());
  for (const auto& [method, body] : {std::pair<std::string, std::string>{"GET", ""},
                                     {"PUT", nlohmann::json{{"key", key_b64}}.dump()}}) {
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
  ASSERT_TRUE(server_->Start().ok());
  const TestResponse healthy = Send("GET", "/health");
  EXPECT_EQ(healthy.status, 200) << healthy.body;
  EXPECT_EQ(healthy.json()["status"], "Healthy");
  const TestResponse got = Send("GET", "/user-keys");
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json()["key"], key_b64);
}

}  // namespace
}  // namespace keywarden::connector
