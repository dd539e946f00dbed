// The vault's routes over a real socket, on SQLite and on PostgreSQL: what a client stores comes
// back in the sync, edits follow the reference's rules, the revision date moves, bad input is a
// 400 naming the field, and nobody reaches another user's items.
#include <gtest/gtest.h>

#include <map>

#include "keywarden/crypto/enc_string.h"
#include "keywarden/crypto/symmetric_key.h"
#include "server/server_fixture.h"

namespace keywarden::server::testing {
namespace {

std::string Enc(std::string_view text) {
  static const SymmetricKey key = *SymmetricKey::Generate();
  return EncString::EncryptText(key, text)->ToString();
}

nlohmann::json LoginCipher(const std::string& name) {
  return {{"type", 1},
          {"name", Enc(name)},
          {"notes", nullptr},
          {"favorite", false},
          {"reprompt", 0},
          {"login", {{"username", Enc("alice")}, {"password", Enc("hunter2")}, {"uris", nlohmann::json::array()}}}};
}

class VaultRoutesTest : public ServerTestOnEachDatabase {
 protected:
  std::int64_t RevisionDate(const TestAccount& account) {
    return Send("GET", "/api/accounts/revision-date", "", account.access_token).json().get<std::int64_t>();
  }
};
KW_SERVER_TEST_ON_EACH_DATABASE(VaultRoutesTest);

TEST_P(VaultRoutesTest, ACipherRoundTripsThroughTheSync) {
  const TestAccount alice = NewUser("alice@example.com");
  const std::int64_t before = RevisionDate(alice);
  const nlohmann::json folder = Post("/api/folders", {{"name", Enc("Work")}}, alice.access_token).json();
  nlohmann::json cipher = LoginCipher("Example");
  cipher["folderId"] = folder["id"];
  const TestResponse created = Post("/api/ciphers", cipher, alice.access_token);
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_GT(RevisionDate(alice), before);

  const nlohmann::json sync = Send("GET", "/api/sync?excludeDomains=true", "", alice.access_token).json();
  ASSERT_EQ(sync["ciphers"].size(), 1U);
  const nlohmann::json& stored = sync["ciphers"][0];
  EXPECT_EQ(stored["name"], cipher["name"]);
  EXPECT_EQ(stored["login"]["password"], cipher["login"]["password"]);
  EXPECT_EQ(stored["folderId"], folder["id"]);
  EXPECT_EQ(stored["edit"], true);
  EXPECT_EQ(stored["permissions"]["delete"], true);
  EXPECT_EQ(sync["folders"].size(), 1U);
  EXPECT_EQ(sync["profile"]["email"], "alice@example.com");
  EXPECT_TRUE(sync["domains"].is_null());
}

// Items outside any folder and in one, created and moved in either order: a missing folder must
// not fix the type of the statement's parameter for the items after it (on PostgreSQL each
// connection prepares a statement once, with the types of its first call).
TEST_P(VaultRoutesTest, ItemsInAndOutOfFoldersInAnyOrder) {
  const TestAccount alice = NewUser("alice@example.com");
  const std::string folder = Post("/api/folders", {{"name", Enc("Work")}}, alice.access_token).json()["id"];
  std::map<std::string, nlohmann::json> expected;  // id -> folderId
  for (int round = 0; round < 3; ++round) {
    const TestResponse loose = Post("/api/ciphers", LoginCipher("Loose"), alice.access_token);
    ASSERT_EQ(loose.status, 200) << loose.body;
    expected[loose.json()["id"]] = nullptr;
    nlohmann::json filed = LoginCipher("Filed");
    filed["folderId"] = folder;
    const TestResponse created = Post("/api/ciphers", filed, alice.access_token);
    ASSERT_EQ(created.status, 200) << created.body;
    expected[created.json()["id"]] = folder;
    // Out of the folder by an edit, and the loose one into it.
    nlohmann::json edit = LoginCipher("Unfiled");
    const TestResponse unfiled =
        Send("PUT", "/api/ciphers/" + created.json()["id"].get<std::string>(), edit.dump(), alice.access_token);
    ASSERT_EQ(unfiled.status, 200) << unfiled.body;
    expected[created.json()["id"]] = nullptr;
    edit["folderId"] = folder;
    const TestResponse moved =
        Send("PUT", "/api/ciphers/" + loose.json()["id"].get<std::string>(), edit.dump(), alice.access_token);
    ASSERT_EQ(moved.status, 200) << moved.body;
    expected[loose.json()["id"]] = folder;
  }
  const nlohmann::json sync = Send("GET", "/api/sync", "", alice.access_token).json();
  ASSERT_EQ(sync["ciphers"].size(), expected.size());
  for (const auto& cipher : sync["ciphers"]) {
    EXPECT_EQ(cipher["folderId"], expected[cipher["id"]]) << cipher["id"];
    EXPECT_TRUE(cipher["organizationId"].is_null());
  }
}

TEST_P(VaultRoutesTest, AnEditBasedOnAnOlderCopyIsRefused) {
  const TestAccount alice = NewUser("alice@example.com");
  const nlohmann::json created = Post("/api/ciphers", LoginCipher("Example"), alice.access_token).json();
  nlohmann::json edit = LoginCipher("Edited");
  edit["lastKnownRevisionDate"] = created["revisionDate"];
  const std::string path = "/api/ciphers/" + created["id"].get<std::string>();
  const TestResponse first = Send("PUT", path, edit.dump(), alice.access_token);
  ASSERT_EQ(first.status, 200) << first.body;
  edit["lastKnownRevisionDate"] = "2020-01-01T00:00:00.000Z";
  const TestResponse stale = Send("PUT", path, edit.dump(), alice.access_token);
  EXPECT_EQ(stale.status, 400);
  EXPECT_NE(stale.json()["message"].get<std::string>().find("out of date"), std::string::npos);
}

TEST_P(VaultRoutesTest, SoftDeleteRestoreAndPurge) {
  const TestAccount alice = NewUser("alice@example.com");
  const std::string id = Post("/api/ciphers", LoginCipher("Example"), alice.access_token).json()["id"];
  const std::string path = "/api/ciphers/" + id;
  EXPECT_EQ(Send("PUT", path + "/delete", "", alice.access_token).status, 200);
  auto sync = Send("GET", "/api/sync", "", alice.access_token).json();
  EXPECT_TRUE(sync["ciphers"][0]["deletedDate"].is_string());
  const TestResponse restored = Send("PUT", path + "/restore", "", alice.access_token);
  EXPECT_EQ(restored.status, 200);
  EXPECT_TRUE(restored.json()["deletedDate"].is_null());
  EXPECT_EQ(Send("DELETE", path, "", alice.access_token).status, 200);
  EXPECT_EQ(Send("GET", path, "", alice.access_token).status, 404);
}

TEST_P(VaultRoutesTest, BadBodiesAre400sNamingTheFieldAndChangeNothing) {
  const TestAccount alice = NewUser("alice@example.com");
  const std::int64_t before = RevisionDate(alice);
  struct Case {
    nlohmann::json body;
    std::string field;
  };
  nlohmann::json not_enc = LoginCipher("x");
  not_enc["name"] = "plain text";
  nlohmann::json bad_folder = LoginCipher("x");
  bad_folder["folderId"] = "../../etc";
  nlohmann::json bad_password = LoginCipher("x");
  bad_password["login"]["password"] = 42;
  for (const Case& c : {Case{not_enc, "Name"}, Case{bad_folder, "FolderId"}, Case{bad_password, "Login.Password"}}) {
    const TestResponse response = Post("/api/ciphers", c.body, alice.access_token);
    EXPECT_EQ(response.status, 400) << c.field;
    EXPECT_TRUE(response.json()["validationErrors"].contains(c.field)) << response.body;
  }
  for (const std::string& raw :
       {std::string("{"), std::string("[]"), std::string(""), std::string("{\"type\": \"x\"}")}) {
    EXPECT_EQ(Send("POST", "/api/ciphers", raw, alice.access_token).status, 400) << raw;
  }
  nlohmann::json org = LoginCipher("x");
  org["organizationId"] = "8c1a42e6-1b3c-4a5e-9f00-0123456789ab";
  EXPECT_EQ(Post("/api/ciphers", org, alice.access_token).status, 400);
  EXPECT_EQ(RevisionDate(alice), before);
  EXPECT_TRUE(Send("GET", "/api/sync", "", alice.access_token).json()["ciphers"].empty());
}

// Every vault and account route: without a token 401, and another user's objects are not found.
TEST_P(VaultRoutesTest, AuthorizationMatrix) {
  const TestAccount alice = NewUser("alice@example.com");
  const TestAccount mallory = NewUser("mallory@example.com");
  const std::string cipher = Post("/api/ciphers", LoginCipher("Secret"), alice.access_token).json()["id"];
  const std::string folder = Post("/api/folders", {{"name", Enc("Private")}}, alice.access_token).json()["id"];
  const std::string body = LoginCipher("Taken").dump();
  const std::string folder_body = nlohmann::json{{"name", Enc("Taken")}}.dump();
  struct Route {
    std::string method;
    std::string path;
    std::string body;
    bool owned;  // names one of alice's objects: another user gets 404
  };
  const std::vector<Route> routes = {
      {"GET", "/api/sync", "", false},
      {"GET", "/api/accounts/profile", "", false},
      {"PUT", "/api/accounts/profile", "{}", false},
      {"GET", "/api/accounts/revision-date", "", false},
      {"GET", "/api/accounts/keys", "", false},
      {"POST", "/api/accounts/api-key", "{}", false},
      {"POST", "/api/accounts/security-stamp", "{}", false},
      {"POST", "/api/accounts/key-management/user-key-id", "{}", false},
      {"GET", "/api/folders", "", false},
      {"POST", "/api/folders", folder_body, false},
      {"GET", "/api/folders/" + folder, "", true},
      {"PUT", "/api/folders/" + folder, folder_body, true},
      {"DELETE", "/api/folders/" + folder, "", true},
      {"GET", "/api/ciphers", "", false},
      {"POST", "/api/ciphers", body, false},
      {"GET", "/api/ciphers/" + cipher, "", true},
      {"GET", "/api/ciphers/" + cipher + "/details", "", true},
      {"PUT", "/api/ciphers/" + cipher, body, true},
      {"PUT", "/api/ciphers/" + cipher + "/partial", "{\"favorite\": true}", true},
      {"PUT", "/api/ciphers/" + cipher + "/delete", "", true},
      {"PUT", "/api/ciphers/" + cipher + "/restore", "", true},
      {"DELETE", "/api/ciphers/" + cipher, "", true},
      {"PUT", "/api/ciphers/delete", "{\"ids\": [\"" + cipher + "\"]}", false},
      {"PUT", "/api/ciphers/move", "{\"ids\": [\"" + cipher + "\"]}", false},
      {"GET", "/api/two-factor", "", false},
  };
  for (const Route& route : routes) {
    EXPECT_EQ(Send(route.method, route.path, route.body).status, 401) << route.method << " " << route.path;
    EXPECT_EQ(Send(route.method, route.path, route.body, "not-a-token").status, 401)
        << route.method << " " << route.path;
    if (route.owned) {
      const TestResponse stranger = Send(route.method, route.path, route.body, mallory.access_token);
      EXPECT_EQ(stranger.status, 404) << route.method << " " << route.path << ": " << stranger.body;
    }
  }
  // Bulk routes skip what is not the caller's: alice's item is untouched.
  const auto sync = Send("GET", "/api/sync", "", alice.access_token).json();
  ASSERT_EQ(sync["ciphers"].size(), 1U);
  EXPECT_TRUE(sync["ciphers"][0]["deletedDate"].is_null());
  EXPECT_EQ(sync["folders"].size(), 1U);
  // Ids that are not GUIDs are simply not found.
  EXPECT_EQ(Send("GET", "/api/ciphers/not-a-guid", "", alice.access_token).status, 404);
}

}  // namespace
}  // namespace keywarden::server::testing
