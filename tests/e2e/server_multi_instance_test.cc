// Two `keywarden server serve` processes on one PostgreSQL database, as behind a load balancer
// (one public URL, every piece of state in the database): an account made and logged in on one
// is served by the other; a write on either reads back on the other at once; a session refreshed
// on one continues on the other, and its old refresh token is dead on both; a security stamp
// rotated on one ends the access tokens on the other; and, with a key file each, each instance's
// JWKS lists the other's key and each accepts the other's tokens.
#include <set>
#include <string>

#include "e2e/server_process_fixture.h"
#include "keywarden/crypto/enc_string.h"
#include "keywarden/crypto/symmetric_key.h"

namespace keywarden::testing {
namespace {

using namespace std::chrono_literals;

std::string Enc(std::string_view text) {
  static const SymmetricKey key = *SymmetricKey::Generate();
  return EncString::EncryptText(key, text)->ToString();
}

std::set<std::string> JwksKids(const ServerProcessTest::Instance& instance) {
  std::set<std::string> kids;
  const nlohmann::json jwks =
      SendRequest(instance.port, "GET", "/identity/.well-known/openid-configuration/jwks").json();
  if (!jwks.is_object() || !jwks["keys"].is_array()) return kids;
  for (const auto& key : jwks["keys"]) kids.insert(key.value("kid", ""));
  return kids;
}

class CliServerMultiInstance : public ServerProcessTest {
 protected:
  // Two instances on a new database of the shared server, with `key_files` (one each, or one
  // for both), behind one public URL.
  void StartTwo(PostgresServer& server, const std::string& first_key, const std::string& second_key) {
    auto database = server.CreateDatabase();
    ASSERT_TRUE(database.ok()) << database.status().ToString();
    // The balancer's address: nothing listens there, it only names the issuer of the tokens.
    const std::string public_url = "http://127.0.0.1:" + std::to_string(FreePort());
    AddInstance(PostgresLines(server, *database), first_key, public_url);
    AddInstance(PostgresLines(server, *database), second_key, public_url);
    for (Instance& instance : instances_) {
      Spawn(instance);
      if (HasFatalFailure()) return;
    }
  }
};

TEST_F(CliServerMultiInstance, AccountsWritesSessionsAndStampsAreSharedAtOnce) {
  KW_SHARED_POSTGRES_OR_SKIP(server);
  const std::string key = NewKeyFile("signing-key.pem");
  StartTwo(*server, key, key);
  if (HasFatalFailure()) return;
  const Instance& a = instances_[0];
  const Instance& b = instances_[1];

  TestAccount alice = NewAccount(a, "alice@example.com");
  ASSERT_FALSE(HasFailure());
  EXPECT_EQ(SendApi(b.port, "GET", "/api/accounts/profile", "", alice.access_token).json().value("id", ""), alice.id);

  // A write on A reads back on B at once, and one on B on A.
  const std::string name = Enc("written on A");
  const TestResponse created =
      SendApi(a.port, "POST", "/api/ciphers",
              nlohmann::json{{"type", 2}, {"name", name}, {"secureNote", {{"type", 0}}}}.dump(), alice.access_token);
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string id = created.json()["id"];
  const TestResponse on_b = SendApi(b.port, "GET", "/api/ciphers/" + id, "", alice.access_token);
  ASSERT_EQ(on_b.status, 200) << on_b.body;
  EXPECT_EQ(on_b.json()["name"], name);
  const TestResponse folder =
      SendApi(b.port, "POST", "/api/folders", nlohmann::json{{"name", Enc("written on B")}}.dump(), alice.access_token);
  ASSERT_EQ(folder.status, 200) << folder.body;
  const nlohmann::json sync_on_a = SendApi(a.port, "GET", "/api/sync", "", alice.access_token).json();
  ASSERT_EQ(sync_on_a["folders"].size(), 1U) << sync_on_a.dump();
  EXPECT_EQ(sync_on_a["folders"][0]["id"], folder.json()["id"]);
  ASSERT_EQ(sync_on_a["ciphers"].size(), 1U);
  EXPECT_EQ(sync_on_a["ciphers"][0]["id"], id);
  // Both see the same revision date: clients of either sync when it moves.
  EXPECT_EQ(SendApi(a.port, "GET", "/api/accounts/revision-date", "", alice.access_token).body,
            SendApi(b.port, "GET", "/api/accounts/revision-date", "", alice.access_token).body);

  // The refresh token A issued works at B; B's new access token works at A.
  const TestResponse refreshed = SendRefreshGrant(b.port, alice.refresh_token);
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  const std::string new_access = refreshed.json()["access_token"];
  const std::string new_refresh = refreshed.json()["refresh_token"];
  EXPECT_EQ(SendApi(a.port, "GET", "/api/sync", "", new_access).status, 200);
  // Rotation is shared: the used token again, at A, ends the session everywhere.
  EXPECT_EQ(SendRefreshGrant(a.port, alice.refresh_token).status, 400);
  EXPECT_EQ(SendRefreshGrant(b.port, new_refresh).status, 400);

  // A new security stamp on B: A refuses the old access tokens at their next use.
  LogIn(a.port, alice);
  ASSERT_EQ(SendApi(a.port, "GET", "/api/accounts/revision-date", "", alice.access_token).status, 200);
  const TestResponse stamped =
      SendApi(b.port, "POST", "/api/accounts/security-stamp",
              nlohmann::json{{"masterPasswordHash", alice.client_hash}}.dump(), alice.access_token);
  ASSERT_EQ(stamped.status, 200) << stamped.body;
  EXPECT_EQ(SendApi(a.port, "GET", "/api/accounts/revision-date", "", alice.access_token).status, 401);
  EXPECT_EQ(SendApi(a.port, "GET", "/api/sync", "", new_access).status, 401);
  EXPECT_EQ(SendRefreshGrant(a.port, alice.refresh_token).status, 400);
  LogIn(b.port, alice);
  EXPECT_EQ(SendApi(a.port, "GET", "/api/accounts/revision-date", "", alice.access_token).status, 200);
}

TEST_F(CliServerMultiInstance, WithAKeyFileEachTheyPublishAndAcceptEachOthersKeys) {
  KW_SHARED_POSTGRES_OR_SKIP(server);
  StartTwo(*server, NewKeyFile("first-key.pem"), NewKeyFile("second-key.pem"));
  if (HasFatalFailure()) return;
  const Instance& a = instances_[0];
  const Instance& b = instances_[1];

  // Each JWKS lists two keys, the same two (a JWKS is cached for a few seconds).
  std::set<std::string> on_a;
  std::set<std::string> on_b;
  const bool both = WaitUntil(
      [&] {
        on_a = JwksKids(a);
        on_b = JwksKids(b);
        return on_a.size() == 2 && on_a == on_b;
      },
      20s, 200ms);
  EXPECT_TRUE(both) << "A publishes " << on_a.size() << " keys, B " << on_b.size();

  // A token signed by B is accepted by A, and one signed by A by B.
  TestAccount alice = NewAccount(b, "alice@example.com");
  ASSERT_FALSE(HasFailure());
  KW_EXPECT_EVENTUALLY(SendApi(a.port, "GET", "/api/accounts/revision-date", "", alice.access_token).status == 200,
                       20s);
  LogIn(a.port, alice);
  KW_EXPECT_EVENTUALLY(SendApi(b.port, "GET", "/api/accounts/revision-date", "", alice.access_token).status == 200,
                       20s);
}

}  // namespace
}  // namespace keywarden::testing
