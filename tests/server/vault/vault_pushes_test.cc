// Every change of the vault queues the push the reference sends for it, naming the device that
// made it, in the change's transaction: the hub delivers it to the user's other clients.
#include "server/vault/vault_pushes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "keywarden/crypto/enc_string.h"
#include "keywarden/crypto/symmetric_key.h"
#include "server/server_fixture.h"
#include "server/store/server_database.h"

namespace keywarden::server::testing {
namespace {

using notifications::PushNotification;
using notifications::PushType;

std::string Enc(std::string_view text) {
  static const SymmetricKey key = *SymmetricKey::Generate();
  return EncString::EncryptText(key, text)->ToString();
}

nlohmann::json NoteCipher(const std::string& name) {
  return {{"type", 2},         {"name", Enc(name)}, {"notes", Enc("text")},
          {"favorite", false}, {"reprompt", 0},     {"secureNote", {{"type", 0}}}};
}

class VaultPushesTest : public ServerTestOnEachDatabase {
 protected:
  // The pushes queued since the last call, for `user_id`.
  std::vector<PushNotification> TakeQueued(const std::string& user_id) {
    const std::vector<PushNotification> queued = QueuedPushes(user_id);
    std::size_t& seen = seen_[user_id];
    std::vector<PushNotification> fresh(queued.begin() + static_cast<std::ptrdiff_t>(std::min(seen, queued.size())),
                                        queued.end());
    seen = queued.size();
    return fresh;
  }

  // Exactly one push was queued since the last look: of `type`, from device-1, about `id`.
  nlohmann::json ExpectOne(const std::string& user_id, PushType type, const std::string& id) {
    const auto queued = TakeQueued(user_id);
    EXPECT_EQ(queued.size(), 1u);
    if (queued.size() != 1) return {};
    EXPECT_EQ(queued[0].type, static_cast<int>(type));
    EXPECT_EQ(queued[0].context_id, "device-1");
    const nlohmann::json payload = nlohmann::json::parse(queued[0].payload);
    if (!id.empty()) {
      EXPECT_EQ(payload["Id"], id);
    }
    return payload;
  }

  std::map<std::string, std::size_t> seen_;
};
KW_SERVER_TEST_ON_EACH_DATABASE(VaultPushesTest);

TEST_P(VaultPushesTest, FolderChangesTellTheOtherClients) {
  const TestAccount alice = NewUser("alice@example.com");
  TakeQueued(alice.id);
  const nlohmann::json folder = Post("/api/folders", {{"name", Enc("Work")}}, alice.access_token).json();
  const std::string id = folder["id"];
  nlohmann::json payload = ExpectOne(alice.id, PushType::kSyncFolderCreate, id);
  EXPECT_EQ(payload["UserId"], alice.id);
  EXPECT_EQ(payload["RevisionDate"], folder["revisionDate"]);

  ASSERT_EQ(Send("PUT", "/api/folders/" + id, nlohmann::json{{"name", Enc("Home")}}.dump(), alice.access_token).status,
            200);
  ExpectOne(alice.id, PushType::kSyncFolderUpdate, id);
  ASSERT_EQ(Send("DELETE", "/api/folders/" + id, "", alice.access_token).status, 200);
  ExpectOne(alice.id, PushType::kSyncFolderDelete, id);
}

TEST_P(VaultPushesTest, ItemChangesTellTheOtherClients) {
  const TestAccount alice = NewUser("alice@example.com");
  TakeQueued(alice.id);
  const TestResponse created = Post("/api/ciphers", NoteCipher("one"), alice.access_token);
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string id = created.json()["id"];
  nlohmann::json payload = ExpectOne(alice.id, PushType::kSyncCipherCreate, id);
  EXPECT_EQ(payload["UserId"], alice.id);
  EXPECT_TRUE(payload["OrganizationId"].is_null());
  EXPECT_EQ(payload["RevisionDate"], created.json()["revisionDate"]);

  ASSERT_EQ(Send("PUT", "/api/ciphers/" + id, NoteCipher("two").dump(), alice.access_token).status, 200);
  ExpectOne(alice.id, PushType::kSyncCipherUpdate, id);
  ASSERT_EQ(Send("PUT", "/api/ciphers/" + id + "/delete", "", alice.access_token).status, 200);
  ExpectOne(alice.id, PushType::kSyncCipherUpdate, id);
  ASSERT_EQ(Send("PUT", "/api/ciphers/" + id + "/restore", "", alice.access_token).status, 200);
  ExpectOne(alice.id, PushType::kSyncCipherUpdate, id);
  ASSERT_EQ(Send("DELETE", "/api/ciphers/" + id, "", alice.access_token).status, 200);
  ExpectOne(alice.id, PushType::kSyncLoginDelete, id);
}

TEST_P(VaultPushesTest, BulkChangesAskForASyncOfTheItems) {
  const TestAccount alice = NewUser("alice@example.com");
  const std::string first = Post("/api/ciphers", NoteCipher("a"), alice.access_token).json()["id"];
  const std::string second = Post("/api/ciphers", NoteCipher("b"), alice.access_token).json()["id"];
  TakeQueued(alice.id);
  const std::string ids = nlohmann::json{{"ids", {first, second}}}.dump();
  ASSERT_EQ(Send("PUT", "/api/ciphers/delete", ids, alice.access_token).status, 200);
  nlohmann::json payload = ExpectOne(alice.id, PushType::kSyncCiphers, "");
  EXPECT_EQ(payload["UserId"], alice.id);
  EXPECT_TRUE(payload["Date"].is_string());
  ASSERT_EQ(Send("PUT", "/api/ciphers/move", nlohmann::json{{"ids", {first}}, {"folderId", nullptr}}.dump(),
                 alice.access_token)
                .status,
            200);
  ExpectOne(alice.id, PushType::kSyncCiphers, "");
  // A bulk change that changed nothing tells nobody.
  ASSERT_EQ(Send("PUT", "/api/ciphers/delete", nlohmann::json{{"ids", {"00000000-0000-0000-0000-000000000001"}}}.dump(),
                 alice.access_token)
                .status,
            200);
  EXPECT_TRUE(TakeQueued(alice.id).empty());
}

TEST_P(VaultPushesTest, ARefusedChangeQueuesNothing) {
  const TestAccount alice = NewUser("alice@example.com");
  const TestAccount bob = NewUser("bob@example.com");
  const std::string id = Post("/api/ciphers", NoteCipher("a"), alice.access_token).json()["id"];
  TakeQueued(alice.id);
  EXPECT_EQ(Send("PUT", "/api/ciphers/" + id, NoteCipher("b").dump(), bob.access_token).status, 404);
  EXPECT_EQ(Send("DELETE", "/api/folders/00000000-0000-0000-0000-000000000001", "", alice.access_token).status, 404);
  EXPECT_TRUE(TakeQueued(alice.id).empty());
  EXPECT_TRUE(TakeQueued(bob.id).empty());
}

}  // namespace
}  // namespace keywarden::server::testing
