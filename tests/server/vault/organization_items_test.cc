// Organisation items over a real socket, on SQLite and PostgreSQL: what each member's sync shows
// (direct and group grants, read-only, hide-passwords, none; revoked, invited and accepted members
// see nothing), creating, editing, sharing, re-collecting and deleting them with the reference's
// rights, each member's own folder and favourite, and the personal ownership policy.
#include <gtest/gtest.h>

#include "server/collections/collection_access_fixture.h"
#include "server/organizations/policy_store.h"

namespace keywarden::server::testing {
namespace {

class OrganizationItemsTest : public CollectionAccessTest {};
KW_SERVER_TEST_ON_EACH_DATABASE(OrganizationItemsTest);

TEST_P(OrganizationItemsTest, EachMemberSeesWhatTheirGrantsAllow) {
  const std::string org = NewOrganization();
  const std::string shared = AddCollection(org, "Shared");
  const std::string secret = AddCollection(org, "Secret");
  const std::string in_shared = AddOrganizationCipher(org, {shared}, 10);
  const std::string in_both = AddOrganizationCipher(org, {shared, secret}, 20);
  const std::string in_secret = AddOrganizationCipher(org, {secret}, 30);

  const TestAccount direct = NewUser("direct@example.com");
  Grant(shared, AddMember(org, direct, MemberType::kUser));
  const TestAccount reader = NewUser("reader@example.com");
  Grant(shared, AddMember(org, reader, MemberType::kUser), /*read_only=*/true, /*hide_passwords=*/true);
  const TestAccount grouped = NewUser("grouped@example.com");
  const std::string grouped_member = AddMember(org, grouped, MemberType::kUser);
  GrantGroup(secret, AddGroup(org, {grouped_member}), /*read_only=*/true, false, /*manage=*/false);
  const TestAccount nothing = NewUser("nothing@example.com");
  AddMember(org, nothing, MemberType::kUser);
  const TestAccount owner = NewUser("owner@example.com");
  AddMember(org, owner, MemberType::kOwner);  // owners too see only what they are assigned in sync

  nlohmann::json sync = Sync(direct);
  ASSERT_EQ(sync["ciphers"].size(), 2U) << sync["ciphers"];
  EXPECT_EQ(sync["ciphers"][0]["id"], in_shared);  // in creation order
  EXPECT_EQ(sync["ciphers"][1]["id"], in_both);
  const nlohmann::json both = sync["ciphers"][1];
  EXPECT_EQ(both["edit"], true);
  EXPECT_EQ(both["viewPassword"], true);
  EXPECT_EQ(both["permissions"]["delete"], true);
  EXPECT_EQ(both["organizationUseTotp"], true);
  EXPECT_EQ(both["organizationId"], org);
  EXPECT_EQ(both["collectionIds"], nlohmann::json::array({shared}));  // only the collections they see
  ASSERT_EQ(sync["collections"].size(), 1U);
  EXPECT_EQ(sync["collections"][0]["object"], "collectionDetails");

  sync = Sync(reader);
  ASSERT_EQ(sync["ciphers"].size(), 2U);
  EXPECT_EQ(sync["ciphers"][0]["edit"], false);
  EXPECT_EQ(sync["ciphers"][0]["viewPassword"], false);
  EXPECT_EQ(sync["ciphers"][0]["permissions"]["delete"], false);
  EXPECT_EQ(sync["collections"][0]["readOnly"], true);
  EXPECT_EQ(sync["collections"][0]["hidePasswords"], true);

  sync = Sync(grouped);
  ASSERT_EQ(sync["ciphers"].size(), 2U);
  EXPECT_EQ(sync["ciphers"][0]["id"], in_both);
  EXPECT_EQ(sync["ciphers"][1]["id"], in_secret);
  EXPECT_EQ(sync["ciphers"][1]["edit"], false);
  EXPECT_EQ(sync["ciphers"][1]["viewPassword"], true);

  EXPECT_TRUE(Sync(nothing)["ciphers"].empty());
  EXPECT_TRUE(Sync(owner)["ciphers"].empty());
  EXPECT_EQ(Send("GET", "/api/ciphers/" + in_secret, "", direct.access_token).status, 404);
  const TestResponse one = Send("GET", "/api/ciphers/" + in_shared, "", reader.access_token);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.json()["edit"], false);
  EXPECT_EQ(Send("GET", "/api/ciphers", "", grouped.access_token).json()["data"].size(), 2U);
}

// A direct grant decides alone; without one the groups' most permissive grant counts.
TEST_P(OrganizationItemsTest, ADirectGrantOverridesGroups) {
  const std::string org = NewOrganization();
  const std::string collection = AddCollection(org);
  const std::string item = AddOrganizationCipher(org, {collection});
  const TestAccount member = NewUser("member@example.com");
  const std::string member_id = AddMember(org, member, MemberType::kUser);
  GrantGroup(collection, AddGroup(org, {member_id}), /*read_only=*/true);
  GrantGroup(collection, AddGroup(org, {member_id}), /*read_only=*/false);
  nlohmann::json sync = Sync(member);
  EXPECT_EQ(sync["collections"][0]["readOnly"], false);
  EXPECT_EQ(FindById(sync["ciphers"], item)["edit"], true);

  Grant(collection, member_id, /*read_only=*/true);
  sync = Sync(member);
  ASSERT_EQ(sync["collections"].size(), 1U);
  EXPECT_EQ(sync["collections"][0]["readOnly"], true);
  EXPECT_EQ(FindById(sync["ciphers"], item)["edit"], false);
}

TEST_P(OrganizationItemsTest, RevokedInvitedAndAcceptedMembersSeeNothing) {
  const std::string org = NewOrganization();
  const std::string collection = AddCollection(org);
  AddOrganizationCipher(org, {collection});
  for (const auto& [email, status] : {std::pair{"revoked@example.com", MemberStatus::kRevoked},
                                      std::pair{"invited@example.com", MemberStatus::kInvited},
                                      std::pair{"accepted@example.com", MemberStatus::kAccepted}}) {
    const TestAccount account = NewUser(email);
    const std::string member = AddMember(org, account, MemberType::kOwner, status);
    Grant(collection, member, false, false, true);
    const nlohmann::json sync = Sync(account);
    EXPECT_TRUE(sync["ciphers"].empty()) << email;
    EXPECT_TRUE(sync["collections"].empty()) << email;
    nlohmann::json create = {{"cipher", LoginCipher("x")}, {"collectionIds", {collection}}};
    create["cipher"]["organizationId"] = org;
    EXPECT_EQ(Post("/api/ciphers/create", create, account.access_token).status, 404) << email;
  }
}

TEST_P(OrganizationItemsTest, CreatingAndEditingFollowTheGrant) {
  const std::string org = NewOrganization();
  const std::string writable = AddCollection(org);
  const std::string readable = AddCollection(org);
  const TestAccount member = NewUser("member@example.com");
  const std::string member_id = AddMember(org, member, MemberType::kUser);
  Grant(writable, member_id);
  Grant(readable, member_id, /*read_only=*/true);
  const TestAccount other = NewUser("other@example.com");
  Grant(writable, AddMember(org, other, MemberType::kUser));

  nlohmann::json create = {{"cipher", LoginCipher("Shared login")}, {"collectionIds", {writable}}};
  create["cipher"]["organizationId"] = org;
  const TestResponse created = Post("/api/ciphers/create", create, member.access_token);
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string id = created.json()["id"];
  EXPECT_EQ(created.json()["collectionIds"], nlohmann::json::array({writable}));
  EXPECT_EQ(created.json()["edit"], true);
  EXPECT_FALSE(FindById(Sync(other)["ciphers"], id).is_null());

  create["collectionIds"] = {readable};
  EXPECT_EQ(Post("/api/ciphers/create", create, member.access_token).status, 404);
  create["cipher"]["organizationId"] = NewOrganization("Other");
  create["collectionIds"] = {writable};
  EXPECT_EQ(Post("/api/ciphers/create", create, member.access_token).status, 404);

  // An edit keeps the folder and favourite the editor's own.
  const nlohmann::json folder = Post("/api/folders", {{"name", Enc("Mine")}}, member.access_token).json();
  nlohmann::json edit = LoginCipher("Renamed");
  edit["organizationId"] = org;
  edit["folderId"] = folder["id"];
  edit["favorite"] = true;
  const TestResponse edited = Send("PUT", "/api/ciphers/" + id, edit.dump(), member.access_token);
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(FindById(Sync(member)["ciphers"], id)["folderId"], folder["id"]);
  EXPECT_EQ(FindById(Sync(member)["ciphers"], id)["favorite"], true);
  const nlohmann::json seen_by_other = FindById(Sync(other)["ciphers"], id);
  EXPECT_TRUE(seen_by_other["folderId"].is_null());
  EXPECT_EQ(seen_by_other["favorite"], false);
  EXPECT_EQ(seen_by_other["name"], edit["name"]);

  // Read-only: no edit, no delete.
  const std::string locked = AddOrganizationCipher(org, {readable});
  edit.erase("folderId");
  EXPECT_EQ(Send("PUT", "/api/ciphers/" + locked, edit.dump(), member.access_token).status, 400);
  EXPECT_EQ(Send("PUT", "/api/ciphers/" + locked + "/delete", "", member.access_token).status, 404);
  EXPECT_EQ(Send("DELETE", "/api/ciphers/" + locked, "", member.access_token).status, 404);
  // Writable: soft delete, restore, purge.
  EXPECT_EQ(Send("PUT", "/api/ciphers/" + id + "/delete", "", member.access_token).status, 200);
  EXPECT_FALSE(FindById(Sync(other)["ciphers"], id)["deletedDate"].is_null());
  EXPECT_EQ(Send("PUT", "/api/ciphers/" + id + "/restore", "", member.access_token).status, 200);
  EXPECT_EQ(Send("DELETE", "/api/ciphers/" + id, "", member.access_token).status, 200);
  EXPECT_TRUE(FindById(Sync(other)["ciphers"], id).is_null());
  EXPECT_EQ(CountEvents(1100), 1);
  EXPECT_EQ(CountEvents(1101), 1);
  EXPECT_EQ(CountEvents(1115), 1);
  EXPECT_EQ(CountEvents(1116), 1);
  EXPECT_EQ(CountEvents(1102), 1);
}

// `bw share` / `bw move`: a personal item into an organisation's collection.
TEST_P(OrganizationItemsTest, APersonalItemMovesIntoTheOrganization) {
  const std::string org = NewOrganization();
  const std::string collection = AddCollection(org);
  const std::string readable = AddCollection(org);
  const TestAccount member = NewUser("member@example.com");
  const std::string member_id = AddMember(org, member, MemberType::kUser);
  Grant(collection, member_id);
  Grant(readable, member_id, /*read_only=*/true);
  const TestAccount colleague = NewUser("colleague@example.com");
  Grant(collection, AddMember(org, colleague, MemberType::kUser));

  const nlohmann::json personal = Post("/api/ciphers", LoginCipher("Mine"), member.access_token).json();
  const std::string id = personal["id"];
  nlohmann::json share = {{"cipher", LoginCipher("Ours")}, {"collectionIds", {readable}}};
  share["cipher"]["organizationId"] = org;
  EXPECT_EQ(Send("PUT", "/api/ciphers/" + id + "/share", share.dump(), member.access_token).status, 404);
  EXPECT_EQ(Send("PUT", "/api/ciphers/" + id + "/share", share.dump(), colleague.access_token).status, 404);
  share["collectionIds"] = {collection};
  const TestResponse shared = Send("PUT", "/api/ciphers/" + id + "/share", share.dump(), member.access_token);
  ASSERT_EQ(shared.status, 200) << shared.body;
  EXPECT_EQ(shared.json()["organizationId"], org);
  const nlohmann::json seen = FindById(Sync(colleague)["ciphers"], id);
  ASSERT_FALSE(seen.is_null());
  EXPECT_EQ(seen["name"], share["cipher"]["name"]);
  EXPECT_EQ(Send("PUT", "/api/ciphers/" + id + "/share", share.dump(), member.access_token).status, 400);
  EXPECT_EQ(CountEvents(1105), 1);
}

// `bw edit item-collections`: a member changes only the collections they may write to.
TEST_P(OrganizationItemsTest, EditingCollectionsKeepsThoseTheMemberCannotChange) {
  const std::string org = NewOrganization();
  const std::string a = AddCollection(org);
  const std::string b = AddCollection(org);
  const std::string hidden = AddCollection(org);
  const std::string item = AddOrganizationCipher(org, {a, hidden});
  const TestAccount member = NewUser("member@example.com");
  const std::string member_id = AddMember(org, member, MemberType::kUser);
  Grant(a, member_id);
  Grant(b, member_id);

  const TestResponse moved = Send("PUT", "/api/ciphers/" + item + "/collections_v2",
                                  nlohmann::json{{"collectionIds", {b}}}.dump(), member.access_token);
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.json()["unavailable"], false);
  EXPECT_EQ(moved.json()["cipher"]["collectionIds"], nlohmann::json::array({b}));
  std::vector<std::string> stored;
  Run([&](sql::Session& s) -> Status {
    KW_ASSIGN_OR_RETURN(stored, vault::ListCipherCollections(s, item));
    return OkStatus();
  });
  std::vector<std::string> expected = {b, hidden};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(stored, expected);

  const std::string other = AddCollection(NewOrganization("Other"));
  EXPECT_EQ(Send("PUT", "/api/ciphers/" + item + "/collections_v2",
                 nlohmann::json{{"collectionIds", {a, other}}}.dump(), member.access_token)
                .status,
            400);
  const TestResponse gone =
      Send("PUT", "/api/ciphers/" + item + "/collections_v2",
           nlohmann::json{{"collectionIds", nlohmann::json::array()}}.dump(), member.access_token);
  ASSERT_EQ(gone.status, 200) << gone.body;
  EXPECT_EQ(gone.json()["unavailable"], true);
  EXPECT_EQ(CountEvents(1106), 2);
}

TEST_P(OrganizationItemsTest, AdminsReachEveryItemThroughTheAdminRoutes) {
  const std::string org = NewOrganization();
  const std::string collection = AddCollection(org);
  const std::string item = AddOrganizationCipher(org, {collection});
  const TestAccount admin = NewUser("admin@example.com");
  AddMember(org, admin, MemberType::kAdmin);
  const TestAccount user = NewUser("user@example.com");
  Grant(collection, AddMember(org, user, MemberType::kUser));

  const TestResponse all =
      Send("GET", "/api/ciphers/organization-details?organizationId=" + org, "", admin.access_token);
  ASSERT_EQ(all.status, 200) << all.body;
  ASSERT_EQ(all.json()["data"].size(), 1U);
  EXPECT_EQ(all.json()["data"][0]["collectionIds"], nlohmann::json::array({collection}));
  EXPECT_EQ(Send("GET", "/api/ciphers/organization-details?organizationId=" + org, "", user.access_token).status, 404);
  nlohmann::json edit = LoginCipher("Edited by an admin");
  edit["organizationId"] = org;
  EXPECT_EQ(Send("PUT", "/api/ciphers/" + item + "/admin", edit.dump(), user.access_token).status, 404);
  const TestResponse edited = Send("PUT", "/api/ciphers/" + item + "/admin", edit.dump(), admin.access_token);
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(FindById(Sync(user)["ciphers"], item)["name"], edit["name"]);
  EXPECT_EQ(Send("GET", "/api/ciphers/" + item + "/admin", "", admin.access_token).status, 200);
  EXPECT_EQ(Send("POST", "/api/ciphers/" + item + "/delete-admin", "", user.access_token).status, 404);
  EXPECT_FALSE(FindById(Sync(user)["ciphers"], item).is_null());
  EXPECT_EQ(Send("POST", "/api/ciphers/" + item + "/delete-admin", "", admin.access_token).status, 200);
  EXPECT_TRUE(Sync(user)["ciphers"].empty());
}

TEST_P(OrganizationItemsTest, ThePersonalOwnershipPolicyForbidsPersonalItems) {
  const std::string org = NewOrganization();
  organizations::Policy policy;
  policy.id = NewId();
  policy.organization_id = org;
  policy.type = static_cast<int>(organizations::PolicyType::kPersonalOwnership);
  policy.enabled = true;
  policy.creation_date = policy.revision_date = 1;
  Run([&](sql::Session& s) { return organizations::SavePolicy(s, policy); });
  const TestAccount user = NewUser("user@example.com");
  AddMember(org, user, MemberType::kUser);
  const TestAccount admin = NewUser("admin@example.com");
  AddMember(org, admin, MemberType::kAdmin);
  const TestAccount invited = NewUser("invited@example.com");
  AddMember(org, invited, MemberType::kUser, MemberStatus::kInvited);

  const TestResponse refused = Post("/api/ciphers", LoginCipher("Mine"), user.access_token);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("Enterprise Policy"), std::string::npos) << refused.body;
  EXPECT_TRUE(Sync(user)["ciphers"].empty());
  EXPECT_EQ(Post("/api/ciphers", LoginCipher("Mine"), admin.access_token).status, 200);
  EXPECT_EQ(Post("/api/ciphers", LoginCipher("Mine"), invited.access_token).status, 200);
}

// Schema V004: SQLite hands a member's organisation items out in index order, one organisation
// after another, with no temporary B-tree (the query as organization_cipher_store.cc runs it).
TEST_P(OrganizationItemsTest, SqliteListsOrganizationItemsWithoutSorting) {
  if (GetParam() != TestDatabase::kSqlite) GTEST_SKIP() << "PostgreSQL's planner picks a plan by table size";
  constexpr sql::Statement kPlan = {
      "test_plan_member_ciphers",
      "EXPLAIN QUERY PLAN SELECT c.id, c.data, p.folder_id, cc.collection_id, cu.read_only, cg.read_only "
      "FROM organization_users ou JOIN organizations o ON o.id = ou.organization_id AND o.enabled = 1 "
      "JOIN ciphers c ON c.organization_id = ou.organization_id "
      "JOIN collection_ciphers cc ON cc.cipher_id = c.id "
      "LEFT JOIN collection_users cu ON cu.collection_id = cc.collection_id AND cu.organization_user_id = ou.id "
      "LEFT JOIN group_users gu ON cu.collection_id IS NULL AND gu.organization_user_id = ou.id "
      "LEFT JOIN collection_groups cg ON cg.collection_id = cc.collection_id AND cg.group_id = gu.group_id "
      "LEFT JOIN cipher_preferences p ON p.user_id = ou.user_id AND p.cipher_id = c.id "
      "WHERE ou.user_id = $1 AND ou.status = 2 AND (cu.collection_id IS NOT NULL OR cg.collection_id IS NOT NULL) "
      "ORDER BY ou.organization_id, c.creation_date, c.id",
      nullptr, nullptr, "to explain"};
  std::string details;
  const Status read = db_->Read([&](sql::Session& session) -> Status {
    KW_ASSIGN_OR_RETURN(const sql::Rows rows, session.Execute(kPlan, sql::Params().Text(NewId())));
    for (std::size_t i = 0; i < rows.size(); ++i) details += rows.Text(i, 3) + "\n";
    return OkStatus();
  });
  ASSERT_TRUE(read.ok()) << read.ToString();
  EXPECT_NE(details.find("ciphers_by_organization_created"), std::string::npos) << details;
  EXPECT_EQ(details.find("TEMP B-TREE"), std::string::npos) << details;
}

}  // namespace
}  // namespace keywarden::server::testing
