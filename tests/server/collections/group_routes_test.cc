// The group routes over a real socket, on SQLite and PostgreSQL: only those who manage groups
// change them, a group's grants reach its members' sync, and ids of another organisation change
// nothing.
#include <gtest/gtest.h>

#include "server/collections/collection_access_fixture.h"

namespace keywarden::server::testing {
namespace {

class GroupRoutesTest : public CollectionAccessTest {
 protected:
  std::string GroupsPath(const std::string& org) { return "/api/organizations/" + org + "/groups"; }
};
KW_SERVER_TEST_ON_EACH_DATABASE(GroupRoutesTest);

TEST_P(GroupRoutesTest, AGroupGivesItsMembersItsCollections) {
  const std::string org = NewOrganization();
  const TestAccount admin = NewUser("admin@example.com");
  AddMember(org, admin, MemberType::kAdmin);
  const TestAccount user = NewUser("user@example.com");
  const std::string user_member = AddMember(org, user, MemberType::kUser);
  const std::string collection = AddCollection(org);
  const std::string item = AddOrganizationCipher(org, {collection});

  const nlohmann::json body = {
      {"name", "Engineers"},
      {"externalId", nullptr},
      {"collections", {{{"id", collection}, {"readOnly", true}, {"hidePasswords", false}, {"manage", false}}}},
      {"users", {user_member}}};
  const TestResponse created = Post(GroupsPath(org), body, admin.access_token);
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string group = created.json()["id"];
  EXPECT_EQ(created.json()["name"], "Engineers");
  EXPECT_EQ(created.json()["collections"].size(), 1U);

  nlohmann::json sync = Sync(user);
  ASSERT_EQ(sync["collections"].size(), 1U);
  EXPECT_EQ(sync["collections"][0]["readOnly"], true);
  const nlohmann::json cipher = FindById(sync["ciphers"], item);
  ASSERT_FALSE(cipher.is_null()) << sync["ciphers"];
  EXPECT_EQ(cipher["edit"], false);

  const TestResponse users = Send("GET", GroupsPath(org) + "/" + group + "/users", "", admin.access_token);
  ASSERT_EQ(users.status, 200) << users.body;
  EXPECT_EQ(users.json(), nlohmann::json::array({user_member}));

  EXPECT_EQ(Send("DELETE", GroupsPath(org) + "/" + group, "", admin.access_token).status, 200);
  sync = Sync(user);
  EXPECT_TRUE(sync["collections"].empty());
  EXPECT_TRUE(FindById(sync["ciphers"], item).is_null());
  EXPECT_EQ(CountEvents(1400), 1);
  EXPECT_EQ(CountEvents(1402), 1);
}

TEST_P(GroupRoutesTest, OnlyThoseWhoManageGroupsChangeThem) {
  const std::string org = NewOrganization();
  MemberPermissions manages_groups;
  manages_groups.manage_groups = true;
  MemberPermissions manages_users;
  manages_users.manage_users = true;
  struct Case {
    const char* email;
    MemberType type;
    MemberStatus status;
    MemberPermissions permissions;
    int expected;
  };
  const Case cases[] = {
      {"owner@example.com", MemberType::kOwner, MemberStatus::kConfirmed, {}, 200},
      {"admin@example.com", MemberType::kAdmin, MemberStatus::kConfirmed, {}, 200},
      {"groups@example.com", MemberType::kCustom, MemberStatus::kConfirmed, manages_groups, 200},
      {"users@example.com", MemberType::kCustom, MemberStatus::kConfirmed, manages_users, 404},
      {"user@example.com", MemberType::kUser, MemberStatus::kConfirmed, {}, 404},
      {"revoked@example.com", MemberType::kAdmin, MemberStatus::kRevoked, {}, 404},
      {"accepted@example.com", MemberType::kAdmin, MemberStatus::kAccepted, {}, 404},
  };
  for (const Case& c : cases) {
    const TestAccount account = NewUser(c.email);
    AddMember(org, account, c.type, c.status, c.permissions);
    const std::string existing = AddGroup(org, {});
    EXPECT_EQ(Post(GroupsPath(org), {{"name", "G"}}, account.access_token).status, c.expected) << c.email;
    EXPECT_EQ(Send("PUT", GroupsPath(org) + "/" + existing, nlohmann::json{{"name", "H"}}.dump(), account.access_token)
                  .status,
              c.expected)
        << c.email;
    EXPECT_EQ(Send("GET", GroupsPath(org) + "/" + existing + "/details", "", account.access_token).status, c.expected)
        << c.email;
    EXPECT_EQ(Send("DELETE", GroupsPath(org) + "/" + existing, "", account.access_token).status, c.expected) << c.email;
  }
  const TestAccount stranger = NewUser("stranger@example.com");
  EXPECT_EQ(Post(GroupsPath(org), {{"name", "G"}}, stranger.access_token).status, 404);
}

TEST_P(GroupRoutesTest, AnotherOrganizationsIdsChangeNothing) {
  const std::string org = NewOrganization("Acme");
  const std::string other = NewOrganization("Other");
  const TestAccount owner = NewUser("owner@example.com");
  const std::string member = AddMember(org, owner, MemberType::kOwner);
  const TestAccount outsider = NewUser("outsider@example.com");
  const std::string other_member = AddMember(other, outsider, MemberType::kUser);
  const std::string other_collection = AddCollection(other);
  const std::string other_group = AddGroup(other, {});
  const std::string group = AddGroup(org, {member});

  EXPECT_EQ(Post(GroupsPath(org), {{"name", "G"}, {"users", {other_member}}}, owner.access_token).status, 400);
  EXPECT_EQ(Post(GroupsPath(org),
                 {{"name", "G"},
                  {"collections",
                   {{{"id", other_collection}, {"readOnly", false}, {"hidePasswords", false}, {"manage", false}}}}},
                 owner.access_token)
                .status,
            400);
  EXPECT_EQ(
      Send("DELETE", GroupsPath(org), nlohmann::json{{"ids", {group, other_group}}}.dump(), owner.access_token).status,
      404);
  EXPECT_EQ(Send("PUT", "/api/organizations/" + org + "/users/" + member + "/groups",
                 nlohmann::json{{"groupIds", {other_group}}}.dump(), owner.access_token)
                .status,
            400);
  std::vector<collections::Group> groups;
  std::vector<std::string> members;
  Run([&](sql::Session& s) -> Status {
    KW_ASSIGN_OR_RETURN(groups, collections::ListGroups(s, org));
    KW_ASSIGN_OR_RETURN(members, collections::ListGroupMembers(s, group));
    return OkStatus();
  });
  EXPECT_EQ(groups.size(), 1U);
  EXPECT_EQ(members, std::vector<std::string>{member});

  EXPECT_EQ(Send("PUT", "/api/organizations/" + org + "/users/" + member + "/groups",
                 nlohmann::json{{"groupIds", nlohmann::json::array()}}.dump(), owner.access_token)
                .status,
            200);
  Run([&](sql::Session& s) -> Status {
    KW_ASSIGN_OR_RETURN(members, collections::ListGroupMembers(s, group));
    return OkStatus();
  });
  EXPECT_TRUE(members.empty());
  EXPECT_EQ(CountEvents(1504), 1);
}

}  // namespace
}  // namespace keywarden::server::testing
