// The sync's cost in statements does not grow with what the caller sees: the same number for a
// member of one small collection as for a member of many collections full of items, through
// groups and directly, in several organisations. Read from the server's own count
// (keywarden_sync_statements on /metrics), on SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include <sstream>

#include "server/organizations/organization_fixture.h"
#include "server/vault/cipher_bodies.h"

namespace keywarden::server::testing {
namespace {

class SyncStatementsTest : public OrganizationTest {
 protected:
  double SyncStatements(const TestAccount& account) {
    Sync(account);
    const TestResponse metrics = Send("GET", "/metrics");
    EXPECT_EQ(metrics.status, 200);
    std::istringstream lines(metrics.body);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.rfind("keywarden_sync_statements ", 0) == 0) return std::stod(line.substr(26));
    }
    ADD_FAILURE() << "no keywarden_sync_statements in " << metrics.body;
    return -1;
  }

  // A collection of `organization` granted to `member_id`, holding `items` new items.
  void AddCollectionWithItems(const TestOrganization& organization, const TestAccount& owner,
                              const std::string& member_id, int items) {
    auto name = EncString::EncryptText(*organization.key, "Team");
    ASSERT_TRUE(name.ok());
    const TestResponse created =
        Post("/api/organizations/" + organization.id + "/collections",
             {{"name", name->ToString()},
              {"groups", nlohmann::json::array()},
              {"users", {{{"id", member_id}, {"readOnly", false}, {"hidePasswords", false}, {"manage", false}}}}},
             owner.access_token);
    ASSERT_EQ(created.status, 200) << created.body;
    const std::string collection_id = created.json()["id"];
    for (int i = 0; i < items; ++i) {
      nlohmann::json cipher = bodies_.Full(1 + i % 4);
      cipher["organizationId"] = organization.id;
      const TestResponse item =
          Post("/api/ciphers/create", {{"cipher", cipher}, {"collectionIds", {collection_id}}}, owner.access_token);
      ASSERT_EQ(item.status, 200) << item.body;
    }
  }

  vault::testing::CipherBodies bodies_;
};
KW_SERVER_TEST_ON_EACH_DATABASE(SyncStatementsTest);

TEST_P(SyncStatementsTest, TheSyncRunsAFixedNumberOfStatementsWhateverItCarries) {
  TestAccount owner = NewUser("owner@example.com");
  TestAccount alice = NewUser("alice@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  const std::string alice_id = AddMember(organization, owner, alice, 2);
  AddCollectionWithItems(organization, owner, alice_id, 1);
  const double small = SyncStatements(alice);
  ASSERT_GT(small, 0);

  // Ten times the collections and many more items, a second organisation, personal items.
  for (int i = 0; i < 9; ++i) AddCollectionWithItems(organization, owner, alice_id, 6);
  TestAccount other_owner = NewUser("other@example.com");
  const TestOrganization other = NewOrganizationOf(other_owner, "Other");
  const std::string alice_there = AddMember(other, other_owner, alice, 2);
  AddCollectionWithItems(other, other_owner, alice_there, 5);
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(Post("/api/ciphers", bodies_.Full(2), alice.access_token).status, 200);
  }
  const nlohmann::json large = Sync(alice);
  EXPECT_EQ(large["collections"].size(), 11U);
  EXPECT_EQ(large["ciphers"].size(), 1U + 54U + 5U + 5U);
  EXPECT_EQ(SyncStatements(alice), small);
}

}  // namespace
}  // namespace keywarden::server::testing
