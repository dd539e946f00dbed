// Organisations end to end over HTTP, on SQLite and PostgreSQL: creation as the web vault does
// it, the member's life from invitation to confirmation as `bw confirm org-member` drives it,
// revocation, restoration, removal and the rules that protect the last owner, on both kinds of
// request (one member, and the bulk forms).
#include <gtest/gtest.h>

#include <regex>

#include "server/organizations/organization_fixture.h"
#include "server/store/server_database.h"
#include "support/smtp_server.h"

namespace keywarden::server::testing {
namespace {

class OrganizationRoutesTest : public OrganizationTest {};
KW_SERVER_TEST_ON_EACH_DATABASE(OrganizationRoutesTest);

TEST_P(OrganizationRoutesTest, TheCreatorIsAConfirmedOwnerWhoseClientOpensTheOrganizationKey) {
  TestAccount owner = NewUser("owner@example.com");
  const TestOrganization organization = NewOrganizationOf(owner, "Acme");
  ASSERT_FALSE(organization.id.empty());

  const nlohmann::json sync = Sync(owner);
  ASSERT_EQ(sync["profile"]["organizations"].size(), 1U) << sync.dump();
  const nlohmann::json& listed = sync["profile"]["organizations"][0];
  EXPECT_EQ(listed["name"], "Acme");
  EXPECT_EQ(listed["type"], 0);
  EXPECT_EQ(listed["status"], 2);
  EXPECT_EQ(listed["enabled"], true);
  EXPECT_EQ(listed["organizationUserId"], organization.owner_member_id);
  EXPECT_EQ(listed["object"], "profileOrganization");
  const auto opened = OpenedKey(owner, organization.id);
  ASSERT_NE(opened, nullptr);
  EXPECT_TRUE(opened->Equals(*organization.key));

  const TestResponse details = Send("GET", "/api/organizations/" + organization.id, "", owner.access_token);
  ASSERT_EQ(details.status, 200) << details.body;
  EXPECT_EQ(details.json()["billingEmail"], "owner@example.com");
  // GET .../keys answers as .../public-key does, as the reference's older name for it.
  const TestResponse keys = Send("GET", "/api/organizations/" + organization.id + "/keys", "", owner.access_token);
  ASSERT_EQ(keys.status, 200) << keys.body;
  EXPECT_EQ(keys.json(),
            Send("GET", "/api/organizations/" + organization.id + "/public-key", "", owner.access_token).json());
  EXPECT_EQ(keys.json().value("object", ""), "organizationPublicKey");
  EXPECT_FALSE(keys.json().value("publicKey", "").empty());
  EXPECT_FALSE(keys.json().contains("privateKey"));
  const TestResponse mine = Send("GET", "/api/organizations", "", owner.access_token);
  ASSERT_EQ(mine.status, 200);
  EXPECT_EQ(mine.json()["data"].size(), 1U);

  // The member's own list shows the organisation once accepted, without a key until confirmed
  // (the sync shows it only then), and no longer once revoked.
  TestAccount member = NewUser("member@example.com");
  const std::string member_id = Invite(organization, owner, member, 2);
  const auto listed_to = [&](const TestAccount& account) {
    const TestResponse list = Send("GET", "/api/organizations", "", account.access_token);
    EXPECT_EQ(list.status, 200) << list.body;
    return list.json()["data"];
  };
  ASSERT_EQ(listed_to(member).size(), 1U);
  EXPECT_EQ(listed_to(member)[0]["status"], 1);
  EXPECT_TRUE(listed_to(member)[0]["key"].is_null());
  EXPECT_TRUE(Sync(member)["profile"]["organizations"].empty());
  ASSERT_EQ(Confirm(organization, owner, member_id).status, 200);
  ASSERT_EQ(listed_to(member).size(), 1U);
  EXPECT_FALSE(listed_to(member)[0].value("key", "").empty());
  EXPECT_EQ(Sync(member)["profile"]["organizations"].size(), 1U);
  ASSERT_EQ(
      Send("PUT", "/api/organizations/" + organization.id + "/users/" + member_id + "/revoke", "", owner.access_token)
          .status,
      200);
  EXPECT_TRUE(listed_to(member).empty());
  EXPECT_TRUE(Sync(member)["profile"]["organizations"].empty());

  // Another account sees none of it.
  TestAccount stranger = NewUser("stranger@example.com");
  EXPECT_EQ(Send("GET", "/api/organizations/" + organization.id, "", stranger.access_token).status, 404);
  EXPECT_EQ(Send("GET", "/api/organizations/" + organization.id + "/keys", "", stranger.access_token).status, 404);
  EXPECT_TRUE(Sync(stranger)["profile"]["organizations"].empty());
}

TEST_P(OrganizationRoutesTest, CreationRefusesWhatIsNotAnEncryptedOrganization) {
  TestAccount owner = NewUser("owner@example.com");
  std::optional<NewOrganization> made;
  const nlohmann::json good = CreationBody(owner, "Acme", made);
  struct Case {
    const char* what;
    std::function<void(nlohmann::json&)> spoil;
    const char* field;
  };
  const Case cases[] = {
      {"no name", [](nlohmann::json& b) { b.erase("name"); }, "Name"},
      {"a long name", [](nlohmann::json& b) { b["name"] = std::string(51, 'x'); }, "Name"},
      {"no billing e-mail", [](nlohmann::json& b) { b.erase("billingEmail"); }, "BillingEmail"},
      {"a plain key", [](nlohmann::json& b) { b["key"] = "the organisation key"; }, "Key"},
      {"a symmetric key", [](nlohmann::json& b) { b["key"] = b["collectionName"]; }, "Key"},
      {"no key pair", [](nlohmann::json& b) { b.erase("keys"); }, "Keys"},
      {"a broken public key", [](nlohmann::json& b) { b["keys"]["publicKey"] = "AAAA"; }, "Keys.PublicKey"},
      {"a plain private key", [](nlohmann::json& b) { b["keys"]["encryptedPrivateKey"] = "x"; },
       "Keys.EncryptedPrivateKey"},
      {"a plain collection name", [](nlohmann::json& b) { b["collectionName"] = "Default"; }, "CollectionName"},
  };
  for (const Case& c : cases) {
    nlohmann::json body = good;
    c.spoil(body);
    const TestResponse refused = Post("/api/organizations", body, owner.access_token);
    EXPECT_EQ(refused.status, 400) << c.what << ": " << refused.body;
    EXPECT_TRUE(refused.json()["validationErrors"].contains(c.field)) << c.what << ": " << refused.body;
  }
  EXPECT_EQ(Send("POST", "/api/organizations", "{not json", owner.access_token).status, 400);
  EXPECT_TRUE(Send("GET", "/api/organizations", "", owner.access_token).json()["data"].empty());
}

TEST_P(OrganizationRoutesTest, WhoMayCreateIsAServerSetting) {
  StopServer();
  StartServer([](ServerConfig& c) {
    c.organizations.creators = ServerConfig::Organizations::Creators::kListed;
    c.organizations.creator_emails = {"boss@example.com"};
  });
  TestAccount boss = NewUser("boss@example.com");
  TestAccount other = NewUser("other@example.com");
  std::optional<NewOrganization> made;
  const TestResponse refused = Post("/api/organizations", CreationBody(other, "Other", made), other.access_token);
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(refused.json()["message"], "You may not create an organization on this server.");
  EXPECT_EQ(Post("/api/organizations", CreationBody(boss, "Boss", made), boss.access_token).status, 200);
}

TEST_P(OrganizationRoutesTest, AMemberIsConfirmedAsTheOfficialCliDoesAndOpensTheKey) {
  TestAccount owner = NewUser("owner@example.com");
  TestAccount alice = NewUser("alice@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  const std::string member_id = Invite(organization, owner, alice, 2);

  // Without mail, an existing account's invitation is accepted at once: status 1, no key yet.
  const TestResponse details =
      Send("GET", "/api/organizations/" + organization.id + "/users/" + member_id + "?", "", owner.access_token);
  ASSERT_EQ(details.status, 200) << details.body;
  EXPECT_EQ(details.json()["status"], 1);
  EXPECT_EQ(details.json()["userId"], alice.id);
  EXPECT_TRUE(Sync(alice)["profile"]["organizations"].empty());  // confirmed memberships only

  const TestResponse confirmed = Confirm(organization, owner, member_id);
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  const auto opened = OpenedKey(alice, organization.id);
  ASSERT_NE(opened, nullptr);
  EXPECT_TRUE(opened->Equals(*organization.key));

  // Confirming twice, or a member of nobody, is refused as the reference does.
  const TestResponse again = Confirm(organization, owner, member_id);
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(again.json()["message"], "User not valid.");
  const TestResponse list = Send("GET", "/api/organizations/" + organization.id + "/users?", "", owner.access_token);
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.json()["data"].size(), 2U);
  const nlohmann::json listed_members = list.json();
  for (const auto& member : listed_members["data"]) {
    EXPECT_TRUE(member.contains("id") && member.contains("email")) << member.dump();
    EXPECT_EQ(member["object"], "organizationUserUserDetails");
  }
}

// Each test starts the server with mail, on a clock it moves.
class InvitationMailTest : public OrganizationTest {
 protected:
  void SetUp() override {}
};
KW_SERVER_TEST_ON_EACH_DATABASE(InvitationMailTest);

TEST_P(InvitationMailTest, TheTokenIsMailedAndOpensOnlyItsOwnInvitationUntilItExpires) {
  KW_SMTP_SERVER_OR_SKIP(smtp, keywarden::testing::SmtpServerOptions{});
  FakeClock clock(Clock::System().Now());
  clock_ = &clock;
  StartServer([&](ServerConfig& c) { MailTo(c, smtp->port()); });
  TestAccount owner = NewUser("owner@example.com");
  TestAccount bob = NewUser("bob@example.com");
  TestAccount carol = NewUser("carol@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  const std::string bob_id = Invite(organization, owner, bob, 2);
  const std::string carol_id = Invite(organization, owner, carol, 2);
  // Three new-device notices (each account's first login), then the two invitations.
  auto mails = smtp->WaitForMessages(5, std::chrono::seconds(20));
  ASSERT_TRUE(mails.ok()) << mails.status().message();
  std::map<std::string, std::string> tokens;
  for (const auto& mail : *mails) {
    std::smatch match;
    const std::string text = mail.text.value_or("");
    if (text.find("accept-organization") == std::string::npos) continue;
    ASSERT_TRUE(std::regex_search(text, match, std::regex(R"(token=([A-Za-z0-9_-]+))"))) << text;
    tokens[mail.recipients.at(0)] = match[1].str();
  }
  ASSERT_EQ(tokens.size(), 2U);
  const auto accept = [&](const TestAccount& who, const std::string& member_id, const std::string& token) {
    return Post("/api/organizations/" + organization.id + "/users/" + member_id + "/accept", {{"token", token}},
                who.access_token);
  };
  // Carol's token does not open Bob's invitation, for either of them; a made-up one neither.
  EXPECT_EQ(accept(bob, bob_id, tokens["carol@example.com"]).json()["message"], "Invalid token.");
  EXPECT_EQ(accept(carol, bob_id, tokens["carol@example.com"]).json()["message"], "Invalid token.");
  EXPECT_EQ(accept(bob, bob_id, "made-up").json()["message"], "Invalid token.");
  // Bob's token in Carol's hands: the address does not match.
  EXPECT_EQ(accept(carol, bob_id, tokens["bob@example.com"]).json()["message"], "User email does not match invite.");
  const TestResponse accepted = accept(bob, bob_id, tokens["bob@example.com"]);
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(accept(bob, bob_id, tokens["bob@example.com"]).status, 400);  // used

  // Five days later Carol's invitation has expired.
  clock.Advance(std::chrono::hours(24 * 5 + 1));
  keywarden::testing::LogIn(port(), carol);
  EXPECT_EQ(accept(carol, carol_id, tokens["carol@example.com"]).json()["message"], "Expired token.");
  StopServer();
}

TEST_P(OrganizationRoutesTest, TheLastOwnerCannotBeRemovedDemotedOrRevoked) {
  TestAccount owner = NewUser("owner@example.com");
  TestAccount admin = NewUser("admin@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  AddMember(organization, owner, admin, 1);
  const std::string base = "/api/organizations/" + organization.id + "/users/" + organization.owner_member_id;

  const TestResponse by_admin = Send("PUT", base + "/revoke", "", admin.access_token);
  EXPECT_EQ(by_admin.status, 400);
  EXPECT_EQ(by_admin.json()["message"], "Only owners can revoke other owners.");
  EXPECT_EQ(Send("DELETE", base, "", admin.access_token).json()["message"], "Only owners can remove other owners.");
  const TestResponse demoted = Send("PUT", base, R"({"type": 2})", admin.access_token);
  EXPECT_EQ(demoted.json()["message"], "Only an Owner can configure another Owner's account.");
  EXPECT_EQ(Send("PUT", base + "/revoke", "", owner.access_token).json()["message"], "You cannot revoke yourself.");
  const TestResponse self_demoted = Send("PUT", base, R"({"type": 1})", owner.access_token);
  EXPECT_EQ(self_demoted.status, 400);
  EXPECT_EQ(self_demoted.json()["message"], "Organization must have at least one confirmed owner.");
  const TestResponse left =
      Post("/api/organizations/" + organization.id + "/leave", nlohmann::json::object(), owner.access_token);
  EXPECT_EQ(left.json()["message"], "Organization must have at least one confirmed owner.");
  // Still the owner.
  EXPECT_EQ(Sync(owner)["profile"]["organizations"][0]["type"], 0);
}

TEST_P(OrganizationRoutesTest, RevokedMembersLoseTheOrganizationUntilRestored) {
  TestAccount owner = NewUser("owner@example.com");
  TestAccount alice = NewUser("alice@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  const std::string member_id = AddMember(organization, owner, alice, 2);
  const std::string base = "/api/organizations/" + organization.id + "/users/" + member_id;
  ASSERT_EQ(Send("PUT", base + "/revoke", "", owner.access_token).status, 200);
  EXPECT_EQ(Send("PUT", base + "/revoke", "", owner.access_token).json()["message"], "Already revoked.");
  EXPECT_TRUE(Sync(alice)["profile"]["organizations"].empty());
  EXPECT_EQ(Send("GET", "/api/organizations/" + organization.id + "/keys", "", alice.access_token).status, 404);
  ASSERT_EQ(Send("PUT", base + "/restore", "", owner.access_token).status, 200);
  EXPECT_EQ(Send("PUT", base + "/restore", "", owner.access_token).json()["message"], "Already active.");
  const auto opened = OpenedKey(alice, organization.id);
  ASSERT_NE(opened, nullptr);  // restored as confirmed, with the key the member had
  EXPECT_TRUE(opened->Equals(*organization.key));
}

TEST_P(OrganizationRoutesTest, ABulkRequestNamingAnotherOrganizationsMemberChangesNothing) {
  TestAccount owner = NewUser("owner@example.com");
  TestAccount alice = NewUser("alice@example.com");
  TestAccount other_owner = NewUser("other@example.com");
  TestAccount bob = NewUser("bob@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  const TestOrganization other = NewOrganizationOf(other_owner, "Other");
  const std::string alice_id = AddMember(organization, owner, alice, 2);
  const std::string bob_id = AddMember(other, other_owner, bob, 2);
  const std::string ids = nlohmann::json{{"ids", {alice_id, bob_id}}}.dump();
  for (const std::string path : {"/users/revoke", "/users/remove"}) {
    const TestResponse refused = Send(path == "/users/revoke" ? "PUT" : "POST",
                                      "/api/organizations/" + organization.id + path, ids, owner.access_token);
    EXPECT_EQ(refused.status, 400) << path << ": " << refused.body;
    EXPECT_EQ(refused.json()["message"], "Users invalid.");
  }
  EXPECT_EQ(Sync(alice)["profile"]["organizations"].size(), 1U);
  EXPECT_EQ(Sync(bob)["profile"]["organizations"].size(), 1U);

  // A bulk request of its own members runs, each member's refusal in its own entry.
  const TestResponse done =
      Send("PUT", "/api/organizations/" + organization.id + "/users/revoke",
           nlohmann::json{{"ids", {alice_id, organization.owner_member_id}}}.dump(), owner.access_token);
  ASSERT_EQ(done.status, 200) << done.body;
  std::map<std::string, std::string> errors;
  const nlohmann::json entries = done.json();
  for (const auto& entry : entries["data"]) errors[entry["id"]] = entry["error"];
  EXPECT_EQ(errors[alice_id], "");
  EXPECT_EQ(errors[organization.owner_member_id], "You cannot revoke yourself.");
  EXPECT_TRUE(Sync(alice)["profile"]["organizations"].empty());
}

TEST_P(OrganizationRoutesTest, CustomMembersGrantOnlyWhatTheyHold) {
  TestAccount owner = NewUser("owner@example.com");
  TestAccount manager = NewUser("manager@example.com");
  TestAccount alice = NewUser("alice@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  AddMember(organization, owner, manager, 4, {{"manageUsers", true}});
  const std::string alice_id = AddMember(organization, owner, alice, 2);
  const std::string base = "/api/organizations/" + organization.id + "/users/" + alice_id;
  const TestResponse to_admin = Send("PUT", base, R"({"type": 1})", manager.access_token);
  EXPECT_EQ(to_admin.json()["message"], "Custom users can not manage Admins or Owners.");
  const TestResponse more =
      Send("PUT", base, R"({"type": 4, "permissions": {"manageUsers": true, "managePolicies": true}})",
           manager.access_token);
  EXPECT_EQ(more.json()["message"], "Custom users can only grant the same custom permissions that they have.");
  EXPECT_EQ(Send("PUT", base, R"({"type": 4, "permissions": {"manageUsers": true}})", manager.access_token).status,
            200);
  // The manager cannot raise their own rights either.
  const std::string self =
      "/api/organizations/" + organization.id + "/users/" + MemberIdOf(organization, owner, manager.email);
  EXPECT_EQ(Send("PUT", self, R"({"type": 1})", manager.access_token).status, 400);
  EXPECT_EQ(Send("PUT", self, R"({"type": 4, "permissions": {"manageUsers": true, "managePolicies": true}})",
                 manager.access_token)
                .status,
            400);
  const nlohmann::json listed = Sync(manager)["profile"]["organizations"][0];
  EXPECT_EQ(listed["type"], 4);
  EXPECT_EQ(listed["permissions"]["managePolicies"], false);
}

// Rows that would be left behind if a deletion missed them: SQLite does not cascade here.
constexpr sql::Statement kLeftBehind = {
    "test_organization_rows_left",
    "SELECT (SELECT COUNT(*) FROM organization_users) + (SELECT COUNT(*) FROM collections) + (SELECT COUNT(*) FROM "
    "collection_users) + (SELECT COUNT(*) FROM policies) + (SELECT COUNT(*) FROM organizations)",
    nullptr, nullptr, "to count rows"};

TEST_P(OrganizationRoutesTest, DeletingAnOrganizationTakesEverythingOfItAfterThePassword) {
  TestAccount owner = NewUser("owner@example.com");
  TestAccount alice = NewUser("alice@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  AddMember(organization, owner, alice, 2);
  ASSERT_EQ(Send("PUT", "/api/organizations/" + organization.id + "/policies/6", R"({"policy": {"enabled": true}})",
                 owner.access_token)
                .status,
            200);
  const std::string path = "/api/organizations/" + organization.id;
  const TestResponse wrong =
      Send("DELETE", path, nlohmann::json{{"masterPasswordHash", alice.client_hash}}.dump(), owner.access_token);
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(wrong.json()["message"], "User verification failed.");
  EXPECT_EQ(
      Send("DELETE", path, nlohmann::json{{"masterPasswordHash", alice.client_hash}}.dump(), alice.access_token).status,
      404);
  ASSERT_EQ(
      Send("DELETE", path, nlohmann::json{{"masterPasswordHash", owner.client_hash}}.dump(), owner.access_token).status,
      200);
  EXPECT_TRUE(Sync(alice)["profile"]["organizations"].empty());
  EXPECT_TRUE(Sync(owner)["profile"]["organizations"].empty());
  auto database = OpenServerDatabase(config_->database);
  ASSERT_TRUE(database.ok());
  std::int64_t left = -1;
  ASSERT_TRUE((*database)
                  ->Read([&](sql::Session& session) -> Status {
                    KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kLeftBehind, sql::Params()));
                    KW_ASSIGN_OR_RETURN(left, rows.Int(0, 0));
                    return OkStatus();
                  })
                  .ok());
  EXPECT_EQ(left, 0);
}

TEST_P(OrganizationRoutesTest, TheSoleOwnerCannotDeleteTheirAccount) {
  TestAccount owner = NewUser("owner@example.com");
  TestAccount alice = NewUser("alice@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  const std::string alice_id = AddMember(organization, owner, alice, 2);
  const std::string body = nlohmann::json{{"masterPasswordHash", owner.client_hash}}.dump();
  const TestResponse refused = Send("DELETE", "/api/accounts", body, owner.access_token);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.json()["message"].get<std::string>().find("sole owner"), std::string::npos);
  // With a second owner, the account goes, and its membership with it.
  ASSERT_EQ(
      Send("PUT", "/api/organizations/" + organization.id + "/users/" + alice_id, R"({"type": 0})", owner.access_token)
          .status,
      200);
  ASSERT_EQ(Send("DELETE", "/api/accounts", body, owner.access_token).status, 200);
  const TestResponse members = Send("GET", "/api/organizations/" + organization.id + "/users", "", alice.access_token);
  ASSERT_EQ(members.status, 200);
  EXPECT_EQ(members.json()["data"].size(), 1U);
}

TEST_P(OrganizationRoutesTest, AnInvitationCarriesCollectionsOfTheOrganizationOnly) {
  TestAccount owner = NewUser("owner@example.com");
  TestAccount alice = NewUser("alice@example.com");
  TestAccount other_owner = NewUser("other@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  const TestOrganization other = NewOrganizationOf(other_owner, "Other");
  const auto first_collection = [&](const TestOrganization& o, const TestAccount& a) {
    const TestResponse listed = Send("GET", "/api/organizations/" + o.id + "/collections", "", a.access_token);
    EXPECT_EQ(listed.status, 200) << listed.body;
    return listed.json()["data"][0].value("id", "");
  };
  const std::string mine = first_collection(organization, owner);
  const std::string theirs = first_collection(other, other_owner);
  ASSERT_FALSE(mine.empty());
  ASSERT_FALSE(theirs.empty());
  const auto invite = [&](const std::string& collection) {
    return Post(
        "/api/organizations/" + organization.id + "/users/invite",
        {{"emails", {alice.email}},
         {"type", 2},
         {"collections", {{{"id", collection}, {"readOnly", true}, {"hidePasswords", false}, {"manage", false}}}}},
        owner.access_token);
  };
  EXPECT_EQ(invite(theirs).status, 400);
  const TestResponse members = Send("GET", "/api/organizations/" + organization.id + "/users", "", owner.access_token);
  EXPECT_EQ(members.json()["data"].size(), 1U);  // nothing written
  ASSERT_EQ(invite(mine).status, 200);
  const std::string alice_id = MemberIdOf(organization, owner, alice.email);
  const TestResponse details =
      Send("GET", "/api/organizations/" + organization.id + "/users/" + alice_id, "", owner.access_token);
  ASSERT_EQ(details.status, 200);
  ASSERT_EQ(details.json()["collections"].size(), 1U) << details.body;
  EXPECT_EQ(details.json()["collections"][0]["id"], mine);
  EXPECT_EQ(details.json()["collections"][0]["readOnly"], true);
  ASSERT_EQ(Confirm(organization, owner, alice_id).status, 200);
  const nlohmann::json collections = Sync(alice)["collections"];
  ASSERT_EQ(collections.size(), 1U) << collections.dump();
  EXPECT_EQ(collections[0]["id"], mine);
  EXPECT_EQ(collections[0]["readOnly"], true);
}

}  // namespace
}  // namespace keywarden::server::testing
