// The Key Connector end to end: a real HTTP server, a real test identity issuer (discovery and
// JWKS over HTTP), a real SQLite file and key file, and requests over loopback sockets.
#include <gtest/gtest.h>
#include <sqlite3.h>

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
#include "support/raw_connection.h"
#include "support/temp_dir.h"
#include "support/test_issuer.h"
#include "support/wait.h"

namespace keywarden::connector {
namespace {

using keywarden::testing::SendRaw;
using keywarden::testing::SendRequest;
using keywarden::testing::TempDir;
using keywarden::testing::TestIssuer;
using keywarden::testing::TestResponse;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr char kIssuer[] = "https://identity.keywarden.test";
constexpr char kUserA[] = "a09726a0-9590-49d1-a5f5-afe300b6a515";
constexpr char kUserB[] = "0f2b2c1e-1d2a-4c3b-9e4f-5a6b7c8d9e0f";

std::string RandomKeyBase64(std::size_t size = 32) {
  std::vector<std::uint8_t> bytes(size);
  EXPECT_TRUE(RandomBytes(bytes).ok());
  return Base64Encode(bytes);
}

std::string KeyBody(const std::string& key_b64) { return nlohmann::json{{"key", key_b64}}.dump(); }

class ConnectorApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(custody::CreateKeyFile(dir_.File("key.pem"), custody::KeyFileFormat::kPemPkcs8, nullptr).ok());

    issuer_ = TestIssuer::Start(kIssuer, jose::JwsAlgorithm::kRs256, "issuer-key-1");
    ASSERT_NE(issuer_, nullptr);
    auto foreign = jose::JwtSigner::Generate(jose::JwsAlgorithm::kRs256, "issuer-key-1");  // same kid, other key
    ASSERT_TRUE(foreign.ok());
    foreign_ = std::make_shared<jose::JwtSigner>(std::move(foreign).value());

    config_.listen = {"127.0.0.1", 0};
    config_.identity_server_uri = issuer_->uri();
    config_.web_vault_uri = "https://vault.keywarden.test";
    config_.web_vault_origin = "https://vault.keywarden.test";
    config_.database.sqlite_path = dir_.File("connector.db");
    config_.rsa_key.key_file = dir_.File("key.pem");
    config_.limits.threads = 2;
    config_.log.audit = false;
    config_.metrics.sample_seconds = 1;
    StartConnector();
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

  void RestartConnector() {
    connector_->Stop(std::chrono::milliseconds(1000));
    connector_.reset();
    StartConnector();
  }

  std::string Token(const std::string& sub, const nlohmann::json& changes = nlohmann::json::object(),
                    const jose::JwtSigner* signer = nullptr) {
    nlohmann::json claims = issuer_->Claims(sub);
    for (const auto& [name, value] : changes.items()) {
      if (value.is_null()) {
        claims.erase(name);
      } else {
        claims[name] = value;
      }
    }
    auto token = (signer != nullptr ? *signer : issuer_->signer()).Mint(nlohmann::json::object(), claims);
    EXPECT_TRUE(token.ok());
    return token.ok() ? *token : "";
  }

  Headers Auth(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }
  Headers AuthJson(const std::string& token) {
    return {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
  }

  TestResponse Get(const std::string& user) { return SendRequest(port(), "GET", "/user-keys", Auth(Token(user))); }
  TestResponse Post(const std::string& user, const std::string& key_b64) {
    return SendRequest(port(), "POST", "/user-keys", AuthJson(Token(user)), KeyBody(key_b64));
  }
  TestResponse Put(const std::string& user, const std::string& key_b64) {
    return SendRequest(port(), "PUT", "/user-keys", AuthJson(Token(user)), KeyBody(key_b64));
  }

  std::uint16_t port() const { return connector_->port(); }

  TempDir dir_;  // removed after the connector, which is reset in TearDown
  std::unique_ptr<TestIssuer> issuer_;
  std::shared_ptr<jose::JwtSigner> foreign_;
  ConnectorConfig config_;
  std::unique_ptr<ConnectorService> connector_;
};

TEST_F(ConnectorApiTest, KeyLifecycleMatchesTheReference) {
  EXPECT_EQ(Get(kUserA).status, 404);
  const std::string first = RandomKeyBase64();
  TestResponse created = Post(kUserA, first);
  EXPECT_EQ(created.status, 200);
  EXPECT_TRUE(created.body.empty());

  TestResponse read = Get(kUserA);
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(read.json()["key"], first);
  EXPECT_NE(read.header("content-type").find("application/json"), std::string::npos);

  TestResponse again = Post(kUserA, RandomKeyBase64());
  EXPECT_EQ(again.status, 400);
  EXPECT_TRUE(again.json().contains("message"));
  EXPECT_EQ(Get(kUserA).json()["key"], first) << "a refused POST must not change the stored key";

  const std::string second = RandomKeyBase64(64);
  EXPECT_EQ(Put(kUserA, second).status, 200);
  EXPECT_EQ(Get(kUserA).json()["key"], second);

  EXPECT_EQ(SendRequest(port(), "DELETE", "/user-keys", Auth(Token(kUserA))).status, 200);
  EXPECT_EQ(Get(kUserA).status, 404);
  EXPECT_EQ(SendRequest(port(), "DELETE", "/user-keys", Auth(Token(kUserA))).status, 404);
}

TEST_F(ConnectorApiTest, PutCreatesAndUsersAreIsolated) {
  const std::string a = RandomKeyBase64();
  const std::string b = RandomKeyBase64();
  EXPECT_EQ(Put(kUserA, a).status, 200);
  EXPECT_EQ(Post(kUserB, b).status, 200);
  EXPECT_EQ(Get(kUserA).json()["key"], a);
  EXPECT_EQ(Get(kUserB).json()["key"], b);
  // The user id comes from the token only: upper-case GUIDs name the same user.
  std::string upper = kUserA;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(Get(upper).json()["key"], a);
}

TEST_F(ConnectorApiTest, RequestBodyIsReadCaseInsensitively) {
  const std::string key = RandomKeyBase64();
  TestResponse created =
      SendRequest(port(), "POST", "/user-keys", AuthJson(Token(kUserA)), nlohmann::json{{"Key", key}}.dump());
  EXPECT_EQ(created.status, 200);
  EXPECT_EQ(Get(kUserA).json()["key"], key);
}

TEST_F(ConnectorApiTest, TokensAreCheckedOverHttp) {
  const auto now = std::chrono::system_clock::now();
  const auto seconds = [&](std::chrono::seconds offset) {
    return std::chrono::duration_cast<std::chrono::seconds>((now + offset).time_since_epoch()).count();
  };
  const std::vector<std::tuple<std::string, Headers, int>> cases = {
      {"valid", Auth(Token(kUserA)), 404},
      {"external amr", Auth(Token(kUserA, {{"amr", {"external"}}})), 404},
      {"unrelated audience", Auth(Token(kUserA, {{"aud", "some-other-api"}})), 404},
      {"no header", {}, 401},
      {"wrong scheme", {{"Authorization", "Basic dXNlcjpwYXNz"}}, 401},
      {"empty bearer", {{"Authorization", "Bearer "}}, 401},
      {"garbage", {{"Authorization", "Bearer not.a.token"}}, 401},
      {"foreign key, same kid", Auth(Token(kUserA, nlohmann::json::object(), foreign_.get())), 401},
      {"wrong issuer", Auth(Token(kUserA, {{"iss", "https://evil.test"}})), 401},
      {"expired", Auth(Token(kUserA, {{"exp", seconds(std::chrono::seconds(-3600))}})), 401},
      {"not yet valid", Auth(Token(kUserA, {{"nbf", seconds(std::chrono::seconds(3600))}})), 401},
      {"scope missing", Auth(Token(kUserA, {{"scope", nullptr}})), 403},
      {"scope as string", Auth(Token(kUserA, {{"scope", "api offline_access"}})), 403},
      {"scope without api", Auth(Token(kUserA, {{"scope", {"offline_access"}}})), 403},
      {"amr wrong", Auth(Token(kUserA, {{"amr", {"pwd"}}})), 403},
      {"amr absent", Auth(Token(kUserA, {{"amr", nullptr}})), 403},
      {"sub not a guid", Auth(Token("alice")), 401},
      {"sub absent", Auth(Token(kUserA, {{"sub", nullptr}})), 401},
      {"huge token", Auth(std::string(17000, 'a')), 401},
  };
  for (const auto& [name, headers, expected] : cases) {
    SCOPED_TRACE(name);
    TestResponse response = SendRequest(port(), "GET", "/user-keys", headers);
    EXPECT_EQ(response.status, expected);
    if (expected == 401) {
      EXPECT_NE(response.header("www-authenticate").find("Bearer"), std::string::npos);
    }
    if (expected != 404) {
      EXPECT_TRUE(response.json().contains("message")) << response.body;
    }
  }
  // alg "none": the signed token with its header replaced and its signature stripped.
  const std::string valid = Token(kUserA);
  const std::string payload = valid.substr(valid.find('.') + 1, valid.rfind('.') - valid.find('.') - 1);
  const std::string none = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + payload + ".";
  EXPECT_EQ(SendRequest(port(), "GET", "/user-keys", Auth(none)).status, 401);
}

TEST_F(ConnectorApiTest, AnUnauthenticatedWriteIsRefusedBeforeItsBodyIsRead) {
  for (const char* method : {"POST", "PUT"}) {
    for (const auto& [authorization, expected] : std::vector<std::pair<std::string, int>>{
             {"", 401}, {"Bearer not.a.token", 401}, {"Bearer " + Token(kUserA, {{"amr", {"pwd"}}}), 403}}) {
      SCOPED_TRACE(std::string(method) + " " + authorization.substr(0, 20));
      http::RawConnection c(port());
      std::string head = std::string(method) + " /user-keys HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n";
      if (!authorization.empty()) head += "Authorization: " + authorization + "\r\n";
      // The body is announced and never sent: the answer can only come from the header.
      ASSERT_TRUE(c.Send(head + "Content-Length: 60000\r\n\r\n"));
      auto answer = c.Read();
      ASSERT_TRUE(answer);
      EXPECT_EQ(answer->status, expected);
      EXPECT_NE(answer->headers["WWW-Authenticate"].find("Bearer"), std::string::npos);
    }
  }
  // A valid token still writes.
  EXPECT_EQ(Post(kUserA, RandomKeyBase64()).status, 200);
}

TEST_F(ConnectorApiTest, BadInputIsA4xxAndChangesNothing) {
  const std::string key = RandomKeyBase64();
  ASSERT_EQ(Post(kUserA, key).status, 200);
  const std::string token = Token(kUserA);
  const std::vector<std::tuple<std::string, Headers, std::string, int>> cases = {
      {"not base64", AuthJson(token), R"({"key":"***"})", 400},
      {"too short", AuthJson(token), KeyBody(Base64Encode(std::vector<std::uint8_t>(4, 1))), 400},
      {"too long", AuthJson(token), KeyBody(RandomKeyBase64(4096)), 400},
      {"key not a string", AuthJson(token), R"({"key":42})", 400},
      {"no key", AuthJson(token), R"({"other":"x"})", 400},
      {"empty body", AuthJson(token), "", 400},
      {"not json", AuthJson(token), "key=abc", 400},
      {"json array", AuthJson(token), "[]", 400},
      {"wrong content type", {{"Authorization", "Bearer " + token}, {"Content-Type", "text/plain"}}, KeyBody(key), 415},
  };
  for (const auto& [name, headers, body, expected] : cases) {
    SCOPED_TRACE(name);
    for (const char* method : {"POST", "PUT"}) {
      TestResponse response = SendRequest(port(), method, "/user-keys", headers, body);
      EXPECT_EQ(response.status, expected) << method;
      EXPECT_TRUE(response.json().contains("message")) << response.body;
    }
  }
  TestResponse oversized = SendRequest(port(), "PUT", "/user-keys", AuthJson(token), KeyBody(std::string(200000, 'A')));
  EXPECT_EQ(oversized.status, 413);
  EXPECT_EQ(SendRequest(port(), "GET", "/no-such-route").status, 404);
  EXPECT_EQ(SendRequest(port(), "PATCH", "/user-keys", Auth(token)).status, 405);
  EXPECT_EQ(SendRaw(port(), "GARBAGE\r\n\r\n").status, 400);
  EXPECT_EQ(Get(kUserA).json()["key"], key) << "no bad request may change the stored key";
}

TEST_F(ConnectorApiTest, StatusRoutesAndMetrics) {
  TestResponse alive = SendRequest(port(), "GET", "/alive");
  ASSERT_EQ(alive.status, 200);
  ASSERT_TRUE(alive.json().is_string());
  EXPECT_EQ(alive.json().get<std::string>().back(), 'Z');
  EXPECT_EQ(SendRequest(port(), "GET", "/now").status, 200);
  TestResponse health = SendRequest(port(), "GET", "/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.json()["status"], "Healthy");

  ASSERT_EQ(Post(kUserA, RandomKeyBase64()).status, 200);
  EXPECT_EQ(SendRequest(port(), "GET", "/user-keys", Auth(Token(kUserA, {{"amr", {"pwd"}}}))).status, 403);
  TestResponse metrics = SendRequest(port(), "GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("keywarden_http_requests_total{route=\"/user-keys\",method=\"POST\",status=\"200\"} 1"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("keywarden_token_verification_failures_total{reason=\"wrong_amr\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("keywarden_http_request_duration_seconds_bucket"), std::string::npos);
  // The count of stored keys is sampled in the background (a scrape never scans the table).
  KW_EXPECT_EVENTUALLY(
      SendRequest(port(), "GET", "/metrics").body.find("keywarden_user_keys_stored 1") != std::string::npos,
      std::chrono::seconds(10));
}

TEST_F(ConnectorApiTest, CorsPreflightForTheWebVault) {
  TestResponse preflight = SendRequest(port(), "OPTIONS", "/user-keys",
                                       {{"Origin", "https://vault.keywarden.test"},
                                        {"Access-Control-Request-Method", "PUT"},
                                        {"Access-Control-Request-Headers", "authorization, content-type"}});
  EXPECT_EQ(preflight.status, 204);
  EXPECT_EQ(preflight.header("access-control-allow-origin"), "https://vault.keywarden.test");
  EXPECT_EQ(preflight.header("access-control-allow-credentials"), "true");
  TestResponse other = SendRequest(port(), "GET", "/alive", {{"Origin", "https://evil.test"}});
  EXPECT_EQ(other.header("access-control-allow-origin"), "");
}

TEST_F(ConnectorApiTest, KeysSurviveARestartAndLastAccessIsRecorded) {
  const std::string key = RandomKeyBase64();
  ASSERT_EQ(Post(kUserA, key).status, 200);
  ASSERT_EQ(Get(kUserA).status, 200);
  RestartConnector();  // Stop flushes the batched last-access time
  EXPECT_EQ(Get(kUserA).json()["key"], key);

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(config_.database.sqlite_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT last_access_date FROM user_keys WHERE id = ?", -1, &statement, nullptr),
            SQLITE_OK);
  sqlite3_bind_text(statement, 1, kUserA, -1, SQLITE_STATIC);
  ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
  EXPECT_NE(sqlite3_column_type(statement, 0), SQLITE_NULL);
  sqlite3_finalize(statement);
  sqlite3_close(db);
}

TEST_F(ConnectorApiTest, ASwappedRowDoesNotHandOutAnotherUsersKey) {
  const std::string key_a = RandomKeyBase64();
  ASSERT_EQ(Post(kUserA, key_a).status, 200);
  ASSERT_EQ(Post(kUserB, RandomKeyBase64()).status, 200);
  connector_->Stop(std::chrono::milliseconds(1000));
  connector_.reset();

  // An attacker with write access to the database copies A's sealed key onto B's row.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(config_.database.sqlite_path.c_str(), &db), SQLITE_OK);
  const std::string sql = std::string("UPDATE user_keys SET sealed = (SELECT sealed FROM user_keys WHERE id = '") +
                          kUserA + "') WHERE id = '" + kUserB + "'";
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);

  StartConnector();
  TestResponse stolen = Get(kUserB);
  EXPECT_NE(stolen.status, 200);
  EXPECT_EQ(stolen.body.find(key_a), std::string::npos);
  EXPECT_EQ(Get(kUserA).json()["key"], key_a);
}

}  // namespace
}  // namespace keywarden::connector
