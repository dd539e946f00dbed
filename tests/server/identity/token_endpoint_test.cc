// The token endpoint and the account routes over a real socket: the grants the official clients
// use, the response they require (names in their exact case), sessions that rotate and end.
#include <gtest/gtest.h>

#include "jose/base64url.h"
#include "server/identity/token_endpoint.h"
#include "server/server_fixture.h"

namespace keywarden::server::testing {
namespace {

nlohmann::json Claims(const std::string& token) {
  const std::size_t first = token.find('.');
  const std::size_t second = token.find('.', first + 1);
  auto payload = jose::Base64UrlDecode(token.substr(first + 1, second - first - 1));
  if (!payload.ok()) return nullptr;
  return nlohmann::json::parse(std::string(payload->begin(), payload->end()), nullptr, false);
}

class TokenEndpointTest : public ServerTest {};

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

TEST_F(TokenEndpointTest, PreloginGivesTheAccountsKdfAndADefaultToStrangers) {
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

TEST_F(TokenEndpointTest, APasswordGrantAnswersWhatTheCliRequires) {
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

TEST_F(TokenEndpointTest, AWrongPasswordGetsTheReferenceMessageAndNoAccountIsRevealed) {
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

TEST_F(TokenEndpointTest, RefreshTokensRotateAndAReusedOneEndsTheSession) {
  const TestAccount alice = NewUser("alice@example.com");
  const auto refresh = [&](const std::string& token) {
    return Token({{"grant_type", "refresh_token"}, {"client_id", "cli"}, {"refresh_token", token}});
  };
  const TestResponse first = refresh(alice.refresh_token);
  ASSERT_EQ(first.status, 200) << first.body;
  const std::string second_token = first.json()["refresh_token"];
  EXPECT_NE(second_token, alice.refresh_token);
  EXPECT_EQ(Send("GET", "/api/accounts/revision-date", "", first.json()["access_token"]).status, 200);

  // The first token again: a thief or a replay. The whole family ends, the new token included.
  const TestResponse reused = refresh(alice.refresh_token);
  EXPECT_EQ(reused.status, 400);
  EXPECT_EQ(reused.json()["error"], "invalid_grant");
  EXPECT_EQ(refresh(second_token).status, 400);
}

TEST_F(TokenEndpointTest, ANewSecurityStampEndsRefreshAndAccessTokensAtOnce) {
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

TEST_F(TokenEndpointTest, ThePersonalApiKeyLogsInAndRotates) {
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

TEST_F(TokenEndpointTest, RepeatedFailuresPauseLoginsWithRetryAfter) {
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

TEST_F(TokenEndpointTest, TheUserKeyIdIsStoredOnceAndEchoedBySync) {
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

TEST_F(TokenEndpointTest, TheDiscoveryDocumentAndJwksDescribeTheIssuer) {
  const auto discovery = Send("GET", "/identity/.well-known/openid-configuration").json();
  EXPECT_EQ(discovery["issuer"], config_->public_url + "/identity");
  const auto jwks = Send("GET", "/identity/.well-known/openid-configuration/jwks").json();
  ASSERT_EQ(jwks["keys"].size(), 1U);
  EXPECT_EQ(jwks["keys"][0]["kty"], "RSA");
}

TEST_F(TokenEndpointTest, ARotatedSigningKeyStaysPublishedForItsTokens) {
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

}  // namespace
}  // namespace keywarden::server::testing
