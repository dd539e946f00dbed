// The Key Connector with this server as its identity server, both run as the real binary and
// talked to over loopback sockets: `keywarden server serve` (plain http, which both allow on
// loopback) and `keywarden connector serve` with identity_server_uri = the server's public URL +
// "/identity". The connector finds the server's signing keys through its discovery document and
// JWKS, as it would Bitwarden's; tokens from the server's grants open the caller's own key, and
// nothing else does.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "custody/open_signing_key.h"
#include "e2e/child_process.h"
#include "e2e/cli_runner.h"
#include "e2e/server_process.h"
#include "jose/base64url.h"
#include "jose/jwt_signer.h"
#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/random.h"
#include "support/http_test_client.h"
#include "support/temp_dir.h"

namespace keywarden::testing {
namespace {

using namespace std::chrono_literals;
using Headers = std::vector<std::pair<std::string, std::string>>;

Headers Bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }
Headers BearerJson(const std::string& token) {
  return {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
}

// One part of a compact JWS (0 the header, 1 the claims) as JSON.
nlohmann::json JwtPart(const std::string& token, int index) {
  std::size_t start = 0;
  for (int i = 0; i < index; ++i) start = token.find('.', start) + 1;
  const std::size_t end = token.find('.', start);
  auto bytes = jose::Base64UrlDecode(std::string_view(token).substr(start, end - start));
  if (!bytes.ok()) return nlohmann::json();
  return nlohmann::json::parse(bytes->begin(), bytes->end(), nullptr, /*allow_exceptions=*/false);
}

// `token` with its claims replaced by `claims` and its signature kept.
std::string WithClaims(const std::string& token, const nlohmann::json& claims) {
  const std::size_t first = token.find('.');
  const std::size_t second = token.find('.', first + 1);
  return token.substr(0, first + 1) + jose::Base64UrlEncode(claims.dump()) + token.substr(second);
}

std::int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

class ServerConnectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerProcessOptions options;
    options.tls = false;
    ASSERT_TRUE(server_.Start(options));

    const std::string key_file = dir_.File("connector-key.pem");
    const CliResult init = RunCli({"connector", "init", "--key-file", key_file});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    port_ = FreePort();
    std::string toml = "identity_server_uri = \"" + server_.url() + "/identity\"\n";
    toml += "listen = \"127.0.0.1:" + std::to_string(port_) + "\"\n";
    toml += "[database]\nsqlite_path = \"" + dir_.File("connector.db") + "\"\n";
    toml += "[rsa_key]\nkey_file = \"" + key_file + "\"\n";
    toml += "[limits]\nthreads = 2\n";
    const std::string config = dir_.Write("connector.toml", toml);
    ASSERT_TRUE(connector_.Spawn({"connector", "serve", "--config", config}, ChildEnvironment()));
    // The connector reads the identity server's discovery document and JWKS before it listens.
    ASSERT_TRUE(connector_.WaitForStderr("key connector listening on", 60s)) << connector_.err();
  }

  int GetStatus(const std::string& token) { return SendRequest(port_, "GET", "/user-keys", Bearer(token)).status; }

  TempDir dir_;
  ServerProcess server_;
  ChildProcess connector_;
  std::uint16_t port_ = 0;
};

TEST_F(ServerConnectorTest, AcceptsTheServersTokensAndRefusesForgedTamperedAndExpiredOnes) {
  const TestAccount alice = server_.NewUser("alice@example.com");
  const TestAccount bob = server_.NewUser("bob@example.com");
  ASSERT_FALSE(alice.access_token.empty());
  ASSERT_FALSE(bob.access_token.empty());

  // A password-grant token stores and reads the caller's key.
  std::vector<std::uint8_t> key_bytes(64);
  ASSERT_TRUE(RandomBytes(key_bytes).ok());
  const std::string key = Base64Encode(key_bytes);
  const TestResponse stored =
      SendRequest(port_, "POST", "/user-keys", BearerJson(alice.access_token), nlohmann::json{{"key", key}}.dump());
  ASSERT_EQ(stored.status, 200) << stored.body << connector_.err();
  const TestResponse read = SendRequest(port_, "GET", "/user-keys", Bearer(alice.access_token));
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.json().value("key", ""), key);
  // Another account's token sees no key: the connector keys by the token's subject.
  EXPECT_EQ(GetStatus(bob.access_token), 404);

  // The API-key grant (`bw login --apikey`, how a Key Connector user logs in to the CLI) too.
  const TestResponse api_key =
      server_.Post("/api/accounts/api-key", {{"masterPasswordHash", alice.client_hash}}, alice.access_token);
  ASSERT_EQ(api_key.status, 200) << api_key.body;
  const TestResponse client_credentials = server_.Token({{"grant_type", "client_credentials"},
                                                         {"client_id", "user." + alice.id},
                                                         {"client_secret", api_key.json().value("apiKey", "")},
                                                         {"scope", "api"},
                                                         {"deviceType", "25"},
                                                         {"deviceIdentifier", "e2e-api-key"},
                                                         {"deviceName", "linux"}});
  ASSERT_EQ(client_credentials.status, 200) << client_credentials.body;
  const std::string api_token = client_credentials.json().value("access_token", "");
  const TestResponse read_by_api_key = SendRequest(port_, "GET", "/user-keys", Bearer(api_token));
  ASSERT_EQ(read_by_api_key.status, 200) << read_by_api_key.body;
  EXPECT_EQ(read_by_api_key.json().value("key", ""), key);

  const nlohmann::json header = JwtPart(alice.access_token, 0);
  const nlohmann::json claims = JwtPart(alice.access_token, 1);
  ASSERT_TRUE(header.is_object() && claims.is_object());
  const std::string kid = header.value("kid", "");
  ASSERT_FALSE(kid.empty());

  // Forged: alice's claims under the server's kid, signed by a key the server never published.
  auto stranger = jose::JwtSigner::Generate(jose::JwsAlgorithm::kRs256, kid);
  ASSERT_TRUE(stranger.ok()) << stranger.status().ToString();
  auto forged = stranger->Mint(nullptr, claims);
  ASSERT_TRUE(forged.ok());
  EXPECT_EQ(GetStatus(*forged), 401);

  // Tampered: bob's token claiming to be alice, bob's signature kept.
  nlohmann::json as_alice = JwtPart(bob.access_token, 1);
  as_alice["sub"] = claims["sub"];
  EXPECT_EQ(GetStatus(WithClaims(bob.access_token, as_alice)), 401);

  // Expired: signed by the server's own key (from its key file, the kid the server uses), but
  // past its lifetime and the connector's 60 s of clock skew.
  custody::SigningKeySettings settings;
  settings.key_file = server_.key_file();
  auto server_key = custody::OpenSigningKey(settings);
  ASSERT_TRUE(server_key.ok()) << server_key.status().ToString();
  const jose::JwtSigner server_signer(std::shared_ptr<const jose::SigningKey>(std::move(server_key).value()));
  ASSERT_EQ(server_signer.kid(), kid);
  nlohmann::json expired_claims = claims;
  const std::int64_t now = NowSeconds();
  expired_claims["iat"] = now - 7200;
  expired_claims["nbf"] = now - 7200;
  expired_claims["exp"] = now - 3600;
  auto expired = server_signer.Mint(nullptr, expired_claims);
  ASSERT_TRUE(expired.ok());
  EXPECT_EQ(GetStatus(*expired), 401);
  // The same key and claims within their lifetime are accepted: the refusal above was the expiry.
  nlohmann::json fresh_claims = claims;
  fresh_claims["iat"] = now;
  fresh_claims["nbf"] = now;
  fresh_claims["exp"] = now + 600;
  auto fresh = server_signer.Mint(nullptr, fresh_claims);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(GetStatus(*fresh), 200);

  // No token, or one that is not a JWS.
  EXPECT_EQ(SendRequest(port_, "GET", "/user-keys").status, 401);
  EXPECT_EQ(GetStatus("not.a.token"), 401);
}

}  // namespace
}  // namespace keywarden::testing
