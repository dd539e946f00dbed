// The collection routes over a real socket, on SQLite and PostgreSQL: who may list, read, create,
// edit and delete collections (owner, admin, user, custom members by permission, collection
// managers, non-members, and revoked, invited and accepted members), what `bw create
// org-collection` gets back, and that a request naming another organisation's ids changes nothing.
#include <gtest/gtest.h>

#include "server/collections/collection_access_fixture.h"

namespace keywarden::server::testing {
namespace {

class CollectionRoutesTest : public CollectionAccessTest {
 protected:
  std::string CollectionsPath(const std::string& org) { return "/api/organizations/" + org + "/collections"; }

  // What `bw create org-collection` sends, granting the caller's member manage.
  nlohmann::json CreateBody(const std::string& member_id) {
    return {{"name", Enc("Engineering")},
            {"externalId", nullptr},
            {"groups", nlohmann::json::array()},
            {"users", {{{"id", member_id}, {"readOnly", false}, {"hidePasswords", false}, {"manage", true}}}}};
  }

  std::size_t CollectionCount(const std::string& org) {
    std::size_t count = 0;
    Run([&](sql::Session& s) -> Status {
      KW_ASSIGN_OR_RETURN(auto all, collections::ListCollections(s, org));
      count = all.size();
      return OkStatus();
    });
    return count;
  }
};
KW_SERVER_TEST_ON_EACH_DATABASE(CollectionRoutesTest);

TEST_P(CollectionRoutesTest, AnOwnerCreatesACollectionAsTheCliDoes) {
  const TestAccount owner = NewUser("owner@example.com");
  const std::string org = NewOrganization();
  const std::string member = AddMember(org, owner, MemberType::kOwner);
  const nlohmann::json body = CreateBody(member);

  const TestResponse created = Post(CollectionsPath(org), body, owner.access_token);
  ASSERT_EQ(created.status, 200) << created.body;
  const nlohmann::json answer = created.json();
  EXPECT_EQ(answer["object"], "collectionAccessDetails");
  EXPECT_EQ(answer["organizationId"], org);
  EXPECT_EQ(answer["name"], body["name"]);
  EXPECT_EQ(answer["assigned"], true);
  EXPECT_EQ(answer["manage"], true);
  EXPECT_EQ(answer["unmanaged"], false);
  ASSERT_EQ(answer["users"].size(), 1U);
  EXPECT_EQ(answer["users"][0]["id"], member);
  EXPECT_TRUE(answer["groups"].empty());

  const nlohmann::json sync = Sync(owner);
  ASSERT_EQ(sync["collections"].size(), 1U);
  const nlohmann::json& collection = sync["collections"][0];
  EXPECT_EQ(collection["object"], "collectionDetails");
  EXPECT_EQ(collection["id"], answer["id"]);
  EXPECT_EQ(collection["manage"], true);
  EXPECT_EQ(collection["readOnly"], false);

  const TestResponse details =
      Send("GET", CollectionsPath(org) + "/" + answer["id"].get<std::string>() + "/details", "", owner.access_token);
  ASSERT_EQ(details.status, 200) << details.body;
  EXPECT_EQ(details.json()["users"], answer["users"]);
  EXPECT_EQ(CountEvents(1300), 1);
}

TEST_P(CollectionRoutesTest, ANameMustBeAnEncString) {
  const TestAccount owner = NewUser("owner@example.com");
  const std::string org = NewOrganization();
  const std::string member = AddMember(org, owner, MemberType::kOwner);
  nlohmann::json body = CreateBody(member);
  body["name"] = "Engineering";
  const TestResponse refused = Post(CollectionsPath(org), body, owner.access_token);
  EXPECT_EQ(refused.status, 400);
  EXPECT_TRUE(refused.json()["validationErrors"].contains("Name")) << refused.body;
  body.erase("name");
  EXPECT_EQ(Post(CollectionsPath(org), body, owner.access_token).status, 400);
  EXPECT_EQ(CollectionCount(org), 0U);
}

// Who may create: owners, admins and custom members with CreateNewCollections, confirmed.
TEST_P(CollectionRoutesTest, CreatingNeedsTheRight) {
  const std::string org = NewOrganization();
  struct Case {
    const char* email;
    MemberType type;
    MemberStatus status;
    MemberPermissions permissions;
    bool member;
    int expected;
  };
  MemberPermissions creates;
  creates.create_new_collections = true;
  MemberPermissions edits;
  edits.edit_any_collection = true;
  const Case cases[] = {
      {"owner@example.com", MemberType::kOwner, MemberStatus::kConfirmed, {}, true, 200},
      {"admin@example.com", MemberType::kAdmin, MemberStatus::kConfirmed, {}, true, 200},
      {"creator@example.com", MemberType::kCustom, MemberStatus::kConfirmed, creates, true, 200},
      {"editor@example.com", MemberType::kCustom, MemberStatus::kConfirmed, edits, true, 404},
      {"user@example.com", MemberType::kUser, MemberStatus::kConfirmed, {}, true, 404},
      {"revoked@example.com", MemberType::kAdmin, MemberStatus::kRevoked, {}, true, 404},
      {"invited@example.com", MemberType::kAdmin, MemberStatus::kInvited, {}, true, 404},
      {"accepted@example.com", MemberType::kOwner, MemberStatus::kAccepted, {}, true, 404},
      {"stranger@example.com", MemberType::kUser, MemberStatus::kConfirmed, {}, false, 404},
  };
  std::size_t created = 0;
  for (const Case& c : cases) {
    const TestAccount account = NewUser(c.email);
    if (c.member) AddMember(org, account, c.type, c.status, c.permissions);
    nlohmann::json body = CreateBody(NewId());
    body["users"] = nlohmann::json::array();
    const TestResponse response = Post(CollectionsPath(org), body, account.access_token);
    EXPECT_EQ(response.status, c.expected) << c.email << ": " << response.body;
    if (response.status == 200) ++created;
  }
  EXPECT_EQ(CollectionCount(org), created);
}

// Editing: those who edit any collection, or manage this one; deleting: those who delete any,
// or manage this one. Read-only and plain assignment give neither.
TEST_P(CollectionRoutesTest, EditingAndDeletingNeedTheRightOrManage) {
  const std::string org = NewOrganization();
  MemberPermissions edits;
  edits.edit_any_collection = true;
  MemberPermissions deletes;
  deletes.delete_any_collection = true;
  const TestAccount editor = NewUser("editor@example.com");
  AddMember(org, editor, MemberType::kCustom, MemberStatus::kConfirmed, edits);
  const TestAccount deleter = NewUser("deleter@example.com");
  AddMember(org, deleter, MemberType::kCustom, MemberStatus::kConfirmed, deletes);
  const TestAccount manager = NewUser("manager@example.com");
  const std::string manager_member = AddMember(org, manager, MemberType::kUser);
  const TestAccount reader = NewUser("reader@example.com");
  const std::string reader_member = AddMember(org, reader, MemberType::kUser);
  const TestAccount revoked = NewUser("revoked@example.com");
  const std::string revoked_member = AddMember(org, revoked, MemberType::kUser, MemberStatus::kRevoked);

  const auto edit = [&](const TestAccount& account, const std::string& id) {
    return Send("PUT", CollectionsPath(org) + "/" + id, nlohmann::json{{"name", Enc("Renamed")}}.dump(),
                account.access_token)
        .status;
  };
  const auto remove = [&](const TestAccount& account, const std::string& id) {
    return Send("DELETE", CollectionsPath(org) + "/" + id, "", account.access_token).status;
  };

  const std::string first = AddCollection(org);
  Grant(first, manager_member, false, false, true);
  Grant(first, reader_member, true);
  Grant(first, revoked_member, false, false, true);
  EXPECT_EQ(edit(editor, first), 200);
  EXPECT_EQ(edit(manager, first), 200);
  EXPECT_EQ(edit(deleter, first), 404);
  EXPECT_EQ(edit(reader, first), 404);
  EXPECT_EQ(edit(revoked, first), 404);
  EXPECT_EQ(remove(editor, first), 404);
  EXPECT_EQ(remove(reader, first), 404);
  EXPECT_EQ(remove(revoked, first), 404);
  EXPECT_EQ(remove(manager, first), 200);
  const std::string second = AddCollection(org);
  EXPECT_EQ(remove(manager, second), 404);
  EXPECT_EQ(remove(deleter, second), 200);
  EXPECT_EQ(CollectionCount(org), 0U);
  EXPECT_EQ(CountEvents(1301), 2);
  EXPECT_EQ(CountEvents(1302), 2);
}

// Owners see every collection; a user sees the ones assigned, with their rights.
TEST_P(CollectionRoutesTest, ListingShowsWhatTheCallerMaySee) {
  const std::string org = NewOrganization();
  const TestAccount owner = NewUser("owner@example.com");
  AddMember(org, owner, MemberType::kOwner);
  const TestAccount user = NewUser("user@example.com");
  const std::string user_member = AddMember(org, user, MemberType::kUser);
  const TestAccount invited = NewUser("invited@example.com");
  const std::string invited_member = AddMember(org, invited, MemberType::kUser, MemberStatus::kInvited);
  const std::string mine = AddCollection(org);
  AddCollection(org);
  Grant(mine, user_member, true, true);
  Grant(mine, invited_member);

  const nlohmann::json all = Send("GET", CollectionsPath(org), "", owner.access_token).json();
  EXPECT_EQ(all["data"].size(), 2U);
  const nlohmann::json assigned = Send("GET", CollectionsPath(org), "", user.access_token).json();
  ASSERT_EQ(assigned["data"].size(), 1U) << assigned;
  EXPECT_EQ(assigned["data"][0]["id"], mine);
  EXPECT_EQ(assigned["data"][0]["readOnly"], true);
  EXPECT_EQ(assigned["data"][0]["hidePasswords"], true);
  const nlohmann::json everywhere = Send("GET", "/api/collections", "", user.access_token).json();
  EXPECT_EQ(everywhere["data"].size(), 1U);

  EXPECT_EQ(Send("GET", CollectionsPath(org), "", invited.access_token).status, 404);
  EXPECT_TRUE(Send("GET", "/api/collections", "", invited.access_token).json()["data"].empty());
  EXPECT_TRUE(Sync(invited)["collections"].empty());
  // A plain member may not read the access of a collection they do not manage.
  EXPECT_EQ(Send("GET", CollectionsPath(org) + "/" + mine + "/details", "", user.access_token).status, 404);
}

// A request naming a member, group or collection of another organisation is refused whole.
TEST_P(CollectionRoutesTest, AnotherOrganizationsIdsChangeNothing) {
  const std::string org = NewOrganization("Acme");
  const std::string other = NewOrganization("Other");
  const TestAccount owner = NewUser("owner@example.com");
  const std::string member = AddMember(org, owner, MemberType::kOwner);
  AddMember(other, owner, MemberType::kOwner);
  const TestAccount outsider = NewUser("outsider@example.com");
  const std::string other_member = AddMember(other, outsider, MemberType::kUser);
  const std::string other_group = AddGroup(other, {other_member});
  const std::string ours = AddCollection(org);
  const std::string theirs = AddCollection(other);

  nlohmann::json body = CreateBody(member);
  body["users"].push_back({{"id", other_member}, {"readOnly", false}, {"hidePasswords", false}, {"manage", false}});
  EXPECT_EQ(Post(CollectionsPath(org), body, owner.access_token).status, 400);
  body = CreateBody(member);
  body["groups"].push_back({{"id", other_group}, {"readOnly", false}, {"hidePasswords", false}, {"manage", false}});
  EXPECT_EQ(Post(CollectionsPath(org), body, owner.access_token).status, 400);
  EXPECT_EQ(CollectionCount(org), 1U);

  EXPECT_EQ(
      Send("DELETE", CollectionsPath(org), nlohmann::json{{"ids", {ours, theirs}}}.dump(), owner.access_token).status,
      404);
  EXPECT_EQ(CollectionCount(org), 1U);
  EXPECT_EQ(CollectionCount(other), 1U);
  EXPECT_EQ(Send("DELETE", CollectionsPath(org) + "/" + theirs, "", owner.access_token).status, 404);
  EXPECT_EQ(CollectionCount(other), 1U);

  const nlohmann::json access = {
      {"collectionIds", {ours, theirs}},
      {"users", {{{"id", member}, {"readOnly", true}, {"hidePasswords", false}, {"manage", false}}}}};
  EXPECT_EQ(Post(CollectionsPath(org) + "/bulk-access", access, owner.access_token).status, 404);
  std::vector<collections::AccessGrant> grants;
  Run([&](sql::Session& s) -> Status {
    KW_ASSIGN_OR_RETURN(grants, collections::ListMemberGrants(s, ours));
    return OkStatus();
  });
  EXPECT_TRUE(grants.empty());

  const nlohmann::json good = {
      {"collectionIds", {ours}},
      {"users", {{{"id", member}, {"readOnly", true}, {"hidePasswords", false}, {"manage", false}}}}};
  EXPECT_EQ(Post(CollectionsPath(org) + "/bulk-access", good, owner.access_token).status, 200);
  Run([&](sql::Session& s) -> Status {
    KW_ASSIGN_OR_RETURN(grants, collections::ListMemberGrants(s, ours));
    return OkStatus();
  });
  ASSERT_EQ(grants.size(), 1U);
  EXPECT_TRUE(grants[0].read_only);
}

}  // namespace
}  // namespace keywarden::server::testing
