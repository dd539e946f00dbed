// The Key Connector with its RSA key on a SoftHSM2 token: a real HTTP server, a test identity
// issuer, a SQLite file, and requests over loopback sockets.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "connector/connector_service.h"
#include "custody/file/file_rsa_key_provider.h"
#include "http/server.h"
#include "jose/jwt_signer.h"
#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/random.h"
#include "support/http_test_client.h"
#include "support/softhsm_token.h"
#include "support/test_issuer.h"

namespace keywarden::connector {
namespace {

using keywarden::testing::SendRequest;
using keywarden::testing::SoftHsmToken;
using keywarden::testing::TestIssuer;
using keywarden::testing::TestResponse;

constexpr char kIssuer[] = "https://identity.keywarden.test";
constexpr char kUser[] = "a09726a0-9590-49d1-a5f5-afe300b6a515";

class Pkcs11ConnectorServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    KW_SOFTHSM_TOKEN_OR_SKIP(token_);
    auto key = RsaPrivateKey::Generate();
    ASSERT_TRUE(key.ok());
    ASSERT_TRUE(token_->ImportKey(*key, "connector", {0x01}).ok());
    fingerprint_ = custody::SpkiFingerprint(key->PublicKey());

    issuer_ = TestIssuer::Start(kIssuer, jose::JwsAlgorithm::kRs256, "issuer-key-1");
    ASSERT_NE(issuer_, nullptr);

    config_.listen = {"127.0.0.1", 0};
    config_.identity_server_uri = issuer_->uri();
    config_.database.sqlite_path = token_->dir().File("connector.db");
    config_.rsa_key.provider = custody::RsaKeySettings::Provider::kPkcs11;
    config_.rsa_key.pkcs11 = token_->Settings("connector");
    config_.rsa_key.pkcs11.sessions = 2;
    config_.limits.threads = 2;
    config_.log.audit = false;
  }

  void TearDown() override {
    connector_.reset();
    issuer_.reset();
  }

  void StartConnector() {
    auto service = ConnectorService::Start(config_);
    ASSERT_TRUE(service.ok()) << service.status().ToString();
    connector_ = std::move(service).value();
  }

  std::vector<std::pair<std::string, std::string>> Auth() {
    return {{"Authorization", "Bearer " + issuer_->Token(kUser)}, {"Content-Type", "application/json"}};
  }

  std::unique_ptr<SoftHsmToken> token_;
  std::string fingerprint_;
  std::unique_ptr<TestIssuer> issuer_;
  ConnectorConfig config_;
  std::unique_ptr<ConnectorService> connector_;
};

TEST_F(Pkcs11ConnectorServiceTest, ServesKeysWithTheDataKeyWrappedOnTheToken) {
  StartConnector();
  ASSERT_NE(connector_, nullptr);
  std::vector<std::uint8_t> user_key(32);
  ASSERT_TRUE(RandomBytes(user_key).ok());
  const std::string body = nlohmann::json{{"key", Base64Encode(user_key)}}.dump();
  EXPECT_EQ(SendRequest(connector_->port(), "PUT", "/user-keys", Auth(), body).status, 200);
  TestResponse got = SendRequest(connector_->port(), "GET", "/user-keys", Auth());
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json()["key"], Base64Encode(user_key));

  // /health asks the token, and keeps answering after the token drops every session.
  EXPECT_EQ(SendRequest(connector_->port(), "GET", "/health").status, 200);
  ASSERT_TRUE(token_->Reset().ok());
  EXPECT_EQ(SendRequest(connector_->port(), "GET", "/health").status, 200);

  // A restart unwraps the stored data key on the token again.
  connector_->Stop(std::chrono::milliseconds(1000));
  connector_.reset();
  StartConnector();
  ASSERT_NE(connector_, nullptr);
  got = SendRequest(connector_->port(), "GET", "/user-keys", Auth());
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json()["key"], Base64Encode(user_key));
}

TEST_F(Pkcs11ConnectorServiceTest, AWrongPinStopsStartUpNamingTheKeyProvider) {
  config_.rsa_key.pkcs11.pin = SecureBuffer::CopyOf(std::string_view("kw-Wrong-Pin-3141"));
  auto service = ConnectorService::Start(config_);
  ASSERT_FALSE(service.ok());
  EXPECT_NE(service.status().message().find("RSA key provider"), std::string::npos) << service.status().message();
  EXPECT_NE(service.status().message().find("wrong PIN"), std::string::npos);
  EXPECT_EQ(service.status().message().find("kw-Wrong-Pin-3141"), std::string::npos);
}

}  // namespace
}  // namespace keywarden::connector
