// The token endpoint and the account routes over a real socket, on SQLite and on PostgreSQL: the
// grants the official clients use, the response they require (names in their exact case),
// sessions that rotate and end.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "jose/base64url.h"
#include "net/ip_network.h"
#include "server/identity/token_endpoint.h"
#include "server/server_fixture.h"
#include "server/store/devices.h"
#include "server/store/server_database.h"

namespace keywarden::server::testing {
namespace {

nlohmann::json Claims(const std::string& token) {
  const std::size_t first = token.find('.');
  const std::size_t second = token.find('.', first + 1);
  auto payload = jose::Base64UrlDecode(token.substr(first + 1, second - first - 1));
  if (!payload.ok()) return nullptr;
  return nlohmann::json::parse(std::string(payload->begin(), payload->end()), nullptr, false);
}

class TokenEndpointTest : public ServerTestOnEachDatabase {};
KW_SERVER_TEST_ON_EACH_DATABASE(TokenEndpointTest);

// The token route's requests that count against the hashing limit: password grants only.
TEST(TokenEndpointGrantTest, OnlyPasswordGrantsAreHashingRequests) {
  http::HttpRequest request;
  request.body = "grant_type=password&username=a%40example.com&password=x";
  EXPECT_TRUE(TokenEndpoint::IsPasswordGrant(request));
  for (const char* other : {"grant_type=refresh_token&refresh_token=x", "grant_type=client_credentials&client_id=u", "",
                            "grant_type=passwords", "grant_type=password%zz", "username=password"}) {
    request.body = other;
    EXPECT_FALSE(TokenEndpoint::IsPasswordGrant(request)) << other;
  }
}

// For tests that move time: the server runs on a FakeClock, and stops before the clock goes.
class TokenEndpointTimeTest : public ServerTest {
 protected:
  void SetUp() override {
    clock_ = &fake_clock_;
    StartServer();
  }
  void TearDown() override { StopServer(); }

  FakeClock fake_clock_{Clock::System().Now()};
};

TEST_P(TokenEndpointTest, PreloginGivesTheAccountsKdfAndADefaultToStrangers) {
  Register("alice@example.com");
  const auto known = Post("/identity/accounts/prelogin/password", {{"email", " Alice@Example.com "}}).json();
  EXPECT_EQ(known["kdfSettings"]["kdfType"], 1);
  EXPECT_EQ(known["kdfSettings"]["iterations"], 2);
  EXPECT_EQ(known["kdfSettings"]["memory"], 16);
  EXPECT_EQ(known["salt"], "alice@example.com");
  const auto stranger = Post("/identity/accounts/prelogin", {{"email", "nobody@example.com"}}).json();
  EXPECT_EQ(stranger["kdfSettings"]["kdfType"], 0);
  EXPECT_EQ(stranger["kdfSettings"]["iterations"], 600000);
}

TEST_P(TokenEndpointTest, APasswordGrantAnswersWhatTheCliRequires) {
  const TestAccount alice = Register("alice@example.com");
  const TestResponse response = PasswordGrant(alice);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_NE(response.header("content-type").find("application/json"), std::string::npos);
  const nlohmann::json body = response.json();
  for (const char* name :
       {"access_token", "token_type", "expires_in", "refresh_token", "Kdf", "KdfIterations", "KdfMemory",
        "KdfParallelism", "Key", "PrivateKey", "AccountKeys", "ForcePasswordReset", "UserDecryptionOptions"}) {
    EXPECT_TRUE(body.contains(name)) << name;
  }
  const nlohmann::json& pair = body["AccountKeys"]["publicKeyEncryptionKeyPair"];
  EXPECT_TRUE(pair["wrappedPrivateKey"].is_string());
  EXPECT_TRUE(pair["publicKey"].is_string());
  const nlohmann::json& unlock = body["UserDecryptionOptions"]["MasterPasswordUnlock"];
  EXPECT_EQ(body["UserDecryptionOptions"]["HasMasterPassword"], true);
  EXPECT_EQ(unlock["Salt"], "alice@example.com");
  EXPECT_EQ(unlock["MasterKeyEncryptedUserKey"], body["Key"]);
  EXPECT_EQ(unlock["Kdf"]["KdfType"], 1);

  const nlohmann::json claims = Claims(body["access_token"]);
  EXPECT_EQ(claims["iss"], config_->public_url + "/identity");
  EXPECT_EQ(claims["email"], "alice@example.com");
  EXPECT_EQ(claims["email_verified"], false);
  EXPECT_TRUE(claims["premium"].is_boolean());
  EXPECT_EQ(claims["client_id"], "cli");
  EXPECT_EQ(claims["device"], "device-1");
  EXPECT_EQ(claims["scope"], nlohmann::json({"api", "offline_access"}));
  EXPECT_EQ(claims["amr"], nlohmann::json({"Application"}));
  EXPECT_TRUE(claims["sstamp"].is_string());
  EXPECT_TRUE(claims["exp"].is_number_integer());
}

TEST_P(TokenEndpointTest, AWrongPasswordGetsTheReferenceMessageAndNoAccountIsRevealed) {
  TestAccount alice = Register("alice@example.com");
  alice.client_hash = Base64Encode(std::vector<std::uint8_t>(32, 7));
  const TestResponse wrong = PasswordGrant(alice);
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(wrong.json()["error"], "invalid_grant");
  EXPECT_EQ(wrong.json()["ErrorModel"]["Message"], "Username or password is incorrect. Try again.");
  TestAccount nobody = alice;
  nobody.email = "nobody@example.com";
  const TestResponse unknown = PasswordGrant(nobody);
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.body, wrong.body);
}

// Form fields are stored and looked up as text: bytes that are not UTF-8, or a NUL, are refused
// as a malformed request on every database (PostgreSQL would refuse them as text, SQLite could
// not put them in a JSON answer), and text beyond ASCII is fine.
TEST_P(TokenEndpointTest, FormFieldsThatAreNotTextAreAMalformedRequest) {
  const TestAccount alice = Register("alice@example.com");
  const auto grant = [&](const std::string& username, const std::string& identifier, const std::string& name) {
    return Token({{"grant_type", "password"},
                  {"username", username},
                  {"password", alice.client_hash},
                  {"scope", "api offline_access"},
                  {"client_id", "cli"},
                  {"deviceType", "25"},
                  {"deviceIdentifier", identifier},
                  {"deviceName", name}});
  };
  const std::vector<std::vector<std::string>> malformed = {
      {"\xff@example.com", "device-1", "linux"},
      {alice.email, "device-\xc0\xaf", "linux"},
      {alice.email, "device-1", std::string("li\0nux", 6)},
      {alice.email, "device-\xed\xa0\x80", "linux"},
  };
  for (const auto& fields : malformed) {
    const TestResponse refused = grant(fields[0], fields[1], fields[2]);
    EXPECT_EQ(refused.status, 400) << refused.body;
    EXPECT_EQ(refused.json().value("error", ""), "invalid_request") << refused.body;
  }
  const TestResponse accepted = grant(alice.email, "appareil-\xc3\xa9", "J\xc3\xbcrgen's \xf0\x9f\x92\xbb");
  EXPECT_EQ(accepted.status, 200) << accepted.body;
}

TEST_F(TokenEndpointTimeTest, RefreshTokensRotateAndAReusedOneEndsTheSession) {
  const TestAccount alice = NewUser("alice@example.com");
  const auto refresh = [&](const std::string& token) {
    return Token({{"grant_type", "refresh_token"}, {"client_id", "cli"}, {"refresh_token", token}});
  };
  const TestResponse first = refresh(alice.refresh_token);
  ASSERT_EQ(first.status, 200) << first.body;
  const std::string second_token = first.json()["refresh_token"];
  EXPECT_NE(second_token, alice.refresh_token);
  EXPECT_EQ(Send("GET", "/api/accounts/revision-date", "", first.json()["access_token"]).status, 200);

  // The first token again, after the grace: a thief or a replay. The whole family ends, the new
  // token included.
  fake_clock_.Advance(std::chrono::seconds(config_->tokens.refresh_reuse_grace_seconds + 1));
  const TestResponse reused = refresh(alice.refresh_token);
  EXPECT_EQ(reused.status, 400);
  EXPECT_EQ(reused.json()["error"], "invalid_grant");
  EXPECT_EQ(refresh(second_token).status, 400);
}

// The official CLI, when two requests find the access token near its end, refreshes with the
// same token twice within milliseconds (tests/e2e/server_official_cli_sessions_test.cc).
TEST_F(TokenEndpointTimeTest, ATokenUsedTwiceAtOnceGetsAnAccessTokenButNoSecondSuccessor) {
  const TestAccount alice = NewUser("alice@example.com");
  const auto refresh = [&](const std::string& token) {
    return Token({{"grant_type", "refresh_token"}, {"client_id", "cli"}, {"refresh_token", token}});
  };
  const TestResponse first = refresh(alice.refresh_token);
  ASSERT_EQ(first.status, 200) << first.body;
  const std::string successor = first.json()["refresh_token"];

  // The same token a moment later, and again at the end of the grace: access tokens that work,
  // no new refresh token, and the successor stays the family's one live token.
  const auto grace = std::chrono::seconds(config_->tokens.refresh_reuse_grace_seconds);
  for (const auto step : {std::chrono::seconds(1), grace - std::chrono::seconds(1)}) {
    fake_clock_.Advance(step);
    const TestResponse again = refresh(alice.refresh_token);
    ASSERT_EQ(again.status, 200) << again.body;
    EXPECT_FALSE(again.json().contains("refresh_token")) << again.body;
    EXPECT_EQ(Send("GET", "/api/accounts/revision-date", "", again.json()["access_token"]).status, 200);
  }
  const TestResponse next = refresh(successor);
  ASSERT_EQ(next.status, 200) << next.body;
  const std::string third = next.json()["refresh_token"];

  // Past the grace the first token is a replay: the family ends.
  fake_clock_.Advance(std::chrono::seconds(2));
  EXPECT_EQ(refresh(alice.refresh_token).status, 400);
  EXPECT_EQ(refresh(third).status, 400);
}

TEST_P(TokenEndpointTest, ANewSecurityStampEndsRefreshAndAccessTokensAtOnce) {
  const TestAccount alice = NewUser("alice@example.com");
  ASSERT_EQ(Send("GET", "/api/accounts/revision-date", "", alice.access_token).status, 200);
  const TestResponse rotated =
      Post("/api/accounts/security-stamp", {{"masterPasswordHash", alice.client_hash}}, alice.access_token);
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  EXPECT_EQ(Send("GET", "/api/accounts/revision-date", "", alice.access_token).status, 401);
  EXPECT_EQ(
      Token({{"grant_type", "refresh_token"}, {"client_id", "cli"}, {"refresh_token", alice.refresh_token}}).status,
      400);
  EXPECT_EQ(PasswordGrant(alice).status, 200);
}

TEST_P(TokenEndpointTest, ThePersonalApiKeyLogsInAndRotates) {
  const TestAccount alice = NewUser("alice@example.com");
  const TestResponse key =
      Post("/api/accounts/api-key", {{"masterPasswordHash", alice.client_hash}}, alice.access_token);
  ASSERT_EQ(key.status, 200) << key.body;
  const std::string secret = key.json()["apiKey"];
  const auto grant = [&](const std::string& client_secret) {
    return Token({{"grant_type", "client_credentials"},
                  {"client_id", "user." + alice.id},
                  {"client_secret", client_secret},
                  {"scope", "api"},
                  {"deviceType", "25"},
                  {"deviceIdentifier", "device-2"},
                  {"deviceName", "linux"}});
  };
  const TestResponse login = grant(secret);
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_FALSE(login.json().contains("refresh_token"));
  EXPECT_TRUE(login.json().contains("Kdf"));
  EXPECT_EQ(Claims(login.json()["access_token"])["client_id"], "user." + alice.id);
  EXPECT_EQ(grant("wrong").json()["error"], "invalid_client");

  const TestResponse rotated =
      Post("/api/accounts/rotate-api-key", {{"masterPasswordHash", alice.client_hash}}, alice.access_token);
  ASSERT_EQ(rotated.status, 200);
  EXPECT_NE(rotated.json()["apiKey"], secret);
  EXPECT_EQ(grant(secret).json()["error"], "invalid_client");
  EXPECT_EQ(grant(rotated.json()["apiKey"]).status, 200);
}

TEST_P(TokenEndpointTest, RepeatedFailuresPauseLoginsWithRetryAfter) {
  StopServer();
  StartServer([](ServerConfig& c) { c.login.max_failures_per_account = 3; });
  TestAccount alice = Register("alice@example.com");
  const std::string right = alice.client_hash;
  alice.client_hash = Base64Encode(std::vector<std::uint8_t>(32, 1));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(PasswordGrant(alice).status, 400);
  alice.client_hash = right;
  const TestResponse paused = PasswordGrant(alice);
  EXPECT_EQ(paused.status, 429);
  EXPECT_FALSE(paused.header("retry-after").empty());
}

// Behind a reverse proxy named in [limits] trusted_proxies, failed logins count against the
// client the proxy names in X-Forwarded-For: one client's failures pause that client, not everyone
// behind the proxy, and a client cannot dodge the count by writing the header itself.
TEST_P(TokenEndpointTest, FailuresBehindATrustedProxyCountPerForwardedClient) {
  StopServer();
  StartServer([](ServerConfig& c) {
    c.login.max_failures_per_account = 100;
    c.login.max_failures_per_address = 3;
    auto proxies = net::ParseIpNetworkList("127.0.0.1");
    ASSERT_TRUE(proxies.ok());
    c.limits.trusted_proxies = *proxies;
  });
  TestAccount alice = Register("alice@example.com");
  TestAccount wrong = alice;
  wrong.client_hash = Base64Encode(std::vector<std::uint8_t>(32, 1));
  const auto grant = [&](const TestAccount& account, const std::string& forwarded_for) {
    return keywarden::testing::SendRequest(
        port(), "POST", "/identity/connect/token",
        {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}, {"X-Forwarded-For", forwarded_for}},
        keywarden::testing::FormEncode(keywarden::testing::PasswordGrantFields(account, "device-1")));
  };
  // The attacker varies what it writes itself; the proxy appends its real address each time.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(grant(wrong, "192.0.2." + std::to_string(i) + ", 203.0.113.66").status, 400);
  }
  EXPECT_EQ(grant(wrong, "192.0.2.9, 203.0.113.66").status, 429);
  // Another client behind the same proxy logs in.
  EXPECT_EQ(grant(alice, "198.51.100.20").status, 200);
}

// Failed logins arriving together, as they do at several instances behind a load balancer, are
// each counted: none is lost to another's read-modify-write of the same counter.
TEST_P(TokenEndpointTest, ConcurrentFailuresAreEachCounted) {
  constexpr int kLimit = 12;
  StopServer();
  StartServer([](ServerConfig& c) {
    c.login.max_failures_per_account = kLimit;
    c.limits.threads = 8;
    c.password_hash.concurrency = 8;
  });
  TestAccount alice = Register("alice@example.com");
  const std::string right = alice.client_hash;
  TestAccount wrong = alice;
  wrong.client_hash = Base64Encode(std::vector<std::uint8_t>(32, 1));
  std::vector<std::thread> threads;
  std::atomic<int> refused{0};
  for (int i = 0; i < kLimit - 1; ++i) {
    threads.emplace_back([&] {
      if (PasswordGrant(wrong).status == 400) ++refused;
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_EQ(refused.load(), kLimit - 1);
  // The limit's last failure pauses logins, so the right password is refused with 429. Had one
  // of the concurrent failures been lost, the counter would be short and it would log in.
  EXPECT_EQ(PasswordGrant(wrong).status, 400);
  alice.client_hash = right;
  EXPECT_EQ(PasswordGrant(alice).status, 429);
}

// A device's first logins arriving together (a client retrying, or instances behind a balancer)
// all succeed, and register the device once.
TEST_P(TokenEndpointTest, ConcurrentFirstLoginsOfADeviceRegisterItOnce) {
  StopServer();
  StartServer([](ServerConfig& c) {
    c.limits.threads = 8;
    c.password_hash.concurrency = 8;
  });
  const TestAccount alice = NewUser("alice@example.com");
  for (int round = 0; round < 3; ++round) {
    const std::string device = "new-device-" + std::to_string(round);
    std::vector<std::thread> threads;
    std::atomic<int> logged_in{0};
    for (int i = 0; i < 8; ++i) {
      threads.emplace_back([&] {
        if (PasswordGrant(alice, device).status == 200) ++logged_in;
      });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(logged_in.load(), 8) << device;
  }
  auto database = OpenServerDatabase(config_->database);
  ASSERT_TRUE(database.ok()) << database.status().ToString();
  std::vector<store::Device> devices;
  ASSERT_TRUE((*database)
                  ->Read([&](sql::Session& session) -> Status {
                    KW_ASSIGN_OR_RETURN(devices, store::ListDevices(session, alice.id));
                    return OkStatus();
                  })
                  .ok());
  std::multiset<std::string> identifiers;
  for (const store::Device& device : devices) identifiers.insert(device.identifier);
  EXPECT_EQ(identifiers, (std::multiset<std::string>{"device-1", "new-device-0", "new-device-1", "new-device-2"}));
}

TEST_P(TokenEndpointTest, TheUserKeyIdIsStoredOnceAndEchoedBySync) {
  const TestAccount alice = NewUser("alice@example.com");
  const std::string id = "0123456789abcdef0123456789abcdef";
  EXPECT_EQ(Post("/api/accounts/key-management/user-key-id", {{"userKeyId", id}}, alice.access_token).status, 200);
  EXPECT_EQ(Post("/api/accounts/key-management/user-key-id", {{"userKeyId", id}}, alice.access_token).status, 200);
  EXPECT_EQ(Post("/api/accounts/key-management/user-key-id", {{"userKeyId", std::string(32, 'f')}}, alice.access_token)
                .status,
            400);
  const auto sync = Send("GET", "/api/sync?excludeDomains=true", "", alice.access_token).json();
  EXPECT_EQ(sync["userDecryption"]["userKeyId"], id);
  EXPECT_EQ(sync["userDecryption"]["masterPasswordUnlock"]["salt"], "alice@example.com");
}

TEST_P(TokenEndpointTest, TheDiscoveryDocumentAndJwksDescribeTheIssuer) {
  const auto discovery = Send("GET", "/identity/.well-known/openid-configuration").json();
  EXPECT_EQ(discovery["issuer"], config_->public_url + "/identity");
  const auto jwks = Send("GET", "/identity/.well-known/openid-configuration/jwks").json();
  ASSERT_EQ(jwks["keys"].size(), 1U);
  EXPECT_EQ(jwks["keys"][0]["kty"], "RSA");
}

TEST_P(TokenEndpointTest, ARotatedSigningKeyStaysPublishedForItsTokens) {
  const TestAccount alice = NewUser("alice@example.com");
  StopServer();
  // A new key file: the server signs with it, and still publishes the old key.
  std::filesystem::remove(dir_.File("signing-key.pem"));
  StartServer();
  const auto jwks = Send("GET", "/identity/.well-known/openid-configuration/jwks").json();
  EXPECT_EQ(jwks["keys"].size(), 2U);
  const TestResponse old_token = Send("GET", "/api/accounts/revision-date", "", alice.access_token);
  EXPECT_EQ(old_token.status, 200) << old_token.body << " " << old_token.header("www-authenticate");
}

TEST_P(TokenEndpointTest, DevicesAreListedAndKnownByTheirIdentifier) {
  const TestAccount alice = NewUser("alice@example.com");
  ASSERT_EQ(PasswordGrant(alice, "device-2").status, 200);
  const auto devices = Send("GET", "/api/devices", "", alice.access_token).json();
  ASSERT_EQ(devices["data"].size(), 2U);
  EXPECT_EQ(devices["data"][0]["identifier"], "device-1");
  EXPECT_EQ(devices["data"][0]["type"], 25);
  const auto known = [&](const std::string& email, const std::string& device) {
    const std::string encoded = jose::Base64UrlEncode(std::vector<std::uint8_t>(email.begin(), email.end()));
    return SendRequest(port(), "GET", "/api/devices/knowndevice",
                       {{"X-Request-Email", encoded}, {"X-Device-Identifier", device}})
        .body;
  };
  EXPECT_EQ(known("alice@example.com", "device-2"), "true");
  EXPECT_EQ(known("alice@example.com", "device-3"), "false");
  EXPECT_EQ(known("nobody@example.com", "device-2"), "false");
  EXPECT_EQ(Send("GET", "/api/devices/identifier/device-2", "", alice.access_token).json()["name"], "linux");
  EXPECT_EQ(Send("GET", "/api/devices/identifier/other", "", alice.access_token).status, 404);
}

}  // namespace
}  // namespace keywarden::server::testing
