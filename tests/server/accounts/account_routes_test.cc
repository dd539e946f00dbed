// The account routes over a real socket, on SQLite and on PostgreSQL: what the profile, password
// and KDF changes store reads back, registration with an e-mail token, account deletion, the
// vault purge, and the account count behind /health and /metrics.
#include <gtest/gtest.h>

#include "keywarden/crypto/enc_string.h"
#include "keywarden/crypto/symmetric_key.h"
#include "server/server_fixture.h"
#include "support/wait.h"

namespace keywarden::server::testing {
namespace {

using namespace std::chrono_literals;

std::string Enc(std::string_view text) {
  static const SymmetricKey key = *SymmetricKey::Generate();
  return EncString::EncryptText(key, text)->ToString();
}

class AccountRoutesTest : public ServerTestOnEachDatabase {
 protected:
  nlohmann::json Profile(const TestAccount& account) {
    return Send("GET", "/api/accounts/profile", "", account.access_token).json();
  }
  nlohmann::json Prelogin(const std::string& email) {
    return Post("/identity/accounts/prelogin/password", {{"email", email}}).json();
  }
};
KW_SERVER_TEST_ON_EACH_DATABASE(AccountRoutesTest);

// Optional text goes to NULL and back, in either order and of any length: an unset value must
// not fix the type of the statement's parameter for the values after it (on PostgreSQL each
// connection prepares a statement once, with the types of its first call).
TEST_P(AccountRoutesTest, ProfileChangesReadBackAndEmptyTextReadsAsNull) {
  const TestAccount alice = NewUser("alice@example.com");
  for (int round = 0; round < 3; ++round) {
    const TestResponse cleared =
        Send("PUT", "/api/accounts/profile", R"({"name": "", "masterPasswordHint": ""})", alice.access_token);
    ASSERT_EQ(cleared.status, 200) << cleared.body;
    nlohmann::json profile = Profile(alice);
    EXPECT_TRUE(profile["name"].is_null()) << profile.dump();
    EXPECT_TRUE(profile["masterPasswordHint"].is_null()) << profile.dump();

    // Eight bytes, the size of a bigint, and seven.
    const TestResponse set =
        Send("PUT", "/api/accounts/profile",
             R"({"name": "Alice A.", "masterPasswordHint": "the cat", "culture": "fr-FR"})", alice.access_token);
    ASSERT_EQ(set.status, 200) << set.body;
    profile = Profile(alice);
    EXPECT_EQ(profile["name"], "Alice A.");
    EXPECT_EQ(profile["masterPasswordHint"], "the cat");
    EXPECT_EQ(profile["culture"], "fr-FR");
  }
}

// U+0000 fits no database's text (PostgreSQL refuses it): a 400 on every database, never a 500
// on one and a stored NUL on the other; and nothing changes.
TEST_P(AccountRoutesTest, ANulCharacterInABodyIsA400AndChangesNothing) {
  const TestAccount alice = NewUser("alice@example.com");
  ASSERT_EQ(Send("PUT", "/api/accounts/profile", R"({"name": "Alice"})", alice.access_token).status, 200);
  for (const char* body : {R"({"name": "A\u0000lice"})", R"({"name": "Alice", "culture": "en\u0000"})"}) {
    const TestResponse refused = Send("PUT", "/api/accounts/profile", body, alice.access_token);
    EXPECT_EQ(refused.status, 400) << body << ": " << refused.body;
  }
  EXPECT_EQ(Profile(alice)["name"], "Alice");
  EXPECT_EQ(Profile(alice)["culture"], "en-US");

  nlohmann::json bob = RegistrationBody("bob@example.com", "password of bob@example.com");
  bob["name"] = std::string("B\0ob", 4);
  EXPECT_EQ(Post("/identity/accounts/register/finish", bob).status, 400);
  EXPECT_EQ(Prelogin("bob@example.com")["kdfSettings"]["kdfType"], 0) << "no account was made";
  EXPECT_EQ(Post("/identity/accounts/prelogin/password", {{"email", std::string("bob\0@example.com", 16)}}).status,
            400);
  // An escaped backslash before "u0000" is text like any other.
  ASSERT_EQ(Send("PUT", "/api/accounts/profile", R"({"name": "A\\u0000"})", alice.access_token).status, 200);
  EXPECT_EQ(Profile(alice)["name"], "A\\u0000");
}

TEST_P(AccountRoutesTest, ANewPasswordEndsEverySessionAndIsTheOneThatLogsIn) {
  TestAccount alice = NewUser("alice@example.com");
  const std::string new_hash = ClientHash(alice.email, "a new password");
  const std::string new_key = Enc("user key under the new master key");
  const TestResponse changed = Post("/api/accounts/password",
                                    {{"masterPasswordHash", alice.client_hash},
                                     {"newMasterPasswordHash", new_hash},
                                     {"key", new_key},
                                     {"masterPasswordHint", "new hint"}},
                                    alice.access_token);
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(Send("GET", "/api/accounts/revision-date", "", alice.access_token).status, 401);
  EXPECT_EQ(
      Token({{"grant_type", "refresh_token"}, {"client_id", "cli"}, {"refresh_token", alice.refresh_token}}).status,
      400);
  EXPECT_EQ(PasswordGrant(alice).status, 400);
  alice.client_hash = new_hash;
  const TestResponse login = PasswordGrant(alice);
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(login.json()["Key"], new_key);
}

TEST_P(AccountRoutesTest, AKdfChangeIsWhatPreloginAnswersAfterwards) {
  TestAccount alice = NewUser("alice@example.com");
  const std::string new_hash = Base64Encode(std::vector<std::uint8_t>(32, 9));
  // PBKDF2 has no memory or parallelism: both are stored as NULL.
  const TestResponse changed = Post("/api/accounts/kdf",
                                    {{"masterPasswordHash", alice.client_hash},
                                     {"newMasterPasswordHash", new_hash},
                                     {"key", Enc("user key")},
                                     {"kdf", 0},
                                     {"kdfIterations", 600000}},
                                    alice.access_token);
  ASSERT_EQ(changed.status, 200) << changed.body;
  const nlohmann::json prelogin = Prelogin(alice.email);
  EXPECT_EQ(prelogin["kdfSettings"]["kdfType"], 0);
  EXPECT_EQ(prelogin["kdfSettings"]["iterations"], 600000);
  EXPECT_TRUE(prelogin["kdfSettings"]["memory"].is_null()) << prelogin.dump();
  EXPECT_TRUE(prelogin["kdfSettings"]["parallelism"].is_null()) << prelogin.dump();
  alice.client_hash = new_hash;
  const TestResponse login = PasswordGrant(alice);
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(login.json()["Kdf"], 0);
  EXPECT_TRUE(login.json()["KdfMemory"].is_null());
}

TEST_P(AccountRoutesTest, ARegistrationTokenServesItsAddressOnce) {
  const TestResponse sent =
      Post("/identity/accounts/register/send-verification-email", {{"email", "bob@example.com"}, {"name", "Bob"}});
  ASSERT_EQ(sent.status, 200) << sent.body;
  const std::string token = sent.json().get<std::string>();
  ASSERT_FALSE(token.empty());

  nlohmann::json carol = RegistrationBody("carol@example.com", "password of carol@example.com");
  carol["emailVerificationToken"] = token;
  EXPECT_EQ(Post("/identity/accounts/register/finish", carol).status, 400) << "a token for another address";

  nlohmann::json bob = RegistrationBody("bob@example.com", "password of bob@example.com");
  bob["emailVerificationToken"] = token;
  const TestResponse finished = Post("/identity/accounts/register/finish", bob);
  ASSERT_EQ(finished.status, 200) << finished.body;
  EXPECT_EQ(Post("/identity/accounts/register/finish", bob).status, 400) << "the token again";
  EXPECT_EQ(Prelogin("bob@example.com")["kdfSettings"]["kdfType"], 1);
  EXPECT_EQ(Prelogin("carol@example.com")["kdfSettings"]["kdfType"], 0) << "carol has no account";
}

TEST_P(AccountRoutesTest, ADeletedAccountTakesEverythingItOwnedWithIt) {
  const TestAccount alice = NewUser("alice@example.com");
  const std::string folder = Post("/api/folders", {{"name", Enc("Work")}}, alice.access_token).json()["id"];
  nlohmann::json cipher = {{"type", 2}, {"name", Enc("Note")}, {"secureNote", {{"type", 0}}}, {"folderId", folder}};
  ASSERT_EQ(Post("/api/ciphers", cipher, alice.access_token).status, 200);
  ASSERT_EQ(Post("/api/two-factor/get-recover", {{"masterPasswordHash", alice.client_hash}}, alice.access_token).status,
            200);
  const TestResponse deleted =
      Post("/api/accounts/delete", {{"masterPasswordHash", alice.client_hash}}, alice.access_token);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(Send("GET", "/api/sync", "", alice.access_token).status, 401);
  EXPECT_EQ(PasswordGrant(alice).status, 400);
  EXPECT_EQ(Prelogin(alice.email)["kdfSettings"]["kdfType"], 0);

  // The address is free again, and the new account starts empty.
  const TestAccount again = NewUser(alice.email);
  EXPECT_NE(again.id, alice.id);
  const nlohmann::json sync = Send("GET", "/api/sync", "", again.access_token).json();
  EXPECT_TRUE(sync["ciphers"].empty());
  EXPECT_TRUE(sync["folders"].empty());
}

TEST_P(AccountRoutesTest, PurgeEmptiesTheVaultAndKeepsTheAccount) {
  const TestAccount alice = NewUser("alice@example.com");
  ASSERT_EQ(Post("/api/folders", {{"name", Enc("Work")}}, alice.access_token).status, 200);
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(
        Post("/api/ciphers", {{"type", 2}, {"name", Enc("Note")}, {"secureNote", {{"type", 0}}}}, alice.access_token)
            .status,
        200);
  }
  EXPECT_EQ(Post("/api/ciphers/purge", {{"masterPasswordHash", "d3Jvbmc="}}, alice.access_token).status, 400);
  EXPECT_EQ(Send("GET", "/api/sync", "", alice.access_token).json()["ciphers"].size(), 2U);
  const TestResponse purged =
      Post("/api/ciphers/purge", {{"masterPasswordHash", alice.client_hash}}, alice.access_token);
  ASSERT_EQ(purged.status, 200) << purged.body;
  const nlohmann::json sync = Send("GET", "/api/sync", "", alice.access_token).json();
  EXPECT_TRUE(sync["ciphers"].empty());
  EXPECT_TRUE(sync["folders"].empty());
  EXPECT_EQ(sync["profile"]["email"], alice.email);
}

TEST_P(AccountRoutesTest, HealthAndMetricsCountTheAccounts) {
  Register("alice@example.com");
  Register("bob@example.com");
  const TestResponse health = Send("GET", "/health");
  EXPECT_EQ(health.status, 200) << health.body;
  // The gauge is sampled every second (metrics.sample_seconds in the fixture).
  KW_EXPECT_EVENTUALLY(Send("GET", "/metrics").body.find("\nkeywarden_accounts 2") != std::string::npos, 10s)
      << Send("GET", "/metrics").body;
}

}  // namespace
}  // namespace keywarden::server::testing
