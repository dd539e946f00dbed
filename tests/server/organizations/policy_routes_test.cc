// Policies over HTTP, on SQLite and PostgreSQL: saved and read as the web admin console does,
// served in sync and the token response, and enforced where the server is the one that can:
// single organisation, two-step login, and single sign-on on password logins.
#include <gtest/gtest.h>

#include "server/organizations/organization_fixture.h"

namespace keywarden::server::testing {
namespace {

class PolicyRoutesTest : public OrganizationTest {
 protected:
  TestResponse Save(const TestOrganization& organization, const TestAccount& caller, int type, bool enabled,
                    const nlohmann::json& data = nullptr) {
    return Send("PUT", "/api/organizations/" + organization.id + "/policies/" + std::to_string(type),
                nlohmann::json{{"policy", {{"enabled", enabled}, {"data", data}}}, {"metadata", nullptr}}.dump(),
                caller.access_token);
  }
};
KW_SERVER_TEST_ON_EACH_DATABASE(PolicyRoutesTest);

TEST_P(PolicyRoutesTest, MasterPasswordRequirementsReachSyncAndTheTokenResponse) {
  TestAccount owner = NewUser("owner@example.com");
  TestAccount alice = NewUser("alice@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  AddMember(organization, owner, alice, 2);
  const TestResponse saved = Save(organization, owner, 1, true, {{"minLength", 14}, {"requireUpper", true}});
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(saved.json()["object"], "policy");
  EXPECT_EQ(saved.json()["data"]["minLength"], 14);

  const nlohmann::json policies = Sync(alice)["policies"];
  ASSERT_EQ(policies.size(), 1U) << policies.dump();
  EXPECT_EQ(policies[0]["type"], 1);
  EXPECT_EQ(policies[0]["enabled"], true);
  EXPECT_EQ(policies[0]["organizationId"], organization.id);
  const TestResponse login = PasswordGrant(alice);
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(login.json()["MasterPasswordPolicy"]["MinLength"], 14);
  EXPECT_EQ(login.json()["MasterPasswordPolicy"]["RequireUpper"], true);
  const TestResponse read =
      Send("GET", "/api/organizations/" + organization.id + "/policies/master-password", "", alice.access_token);
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.json()["data"]["minLength"], 14);

  // The reference's ranges, and a type it does not define.
  EXPECT_EQ(Save(organization, owner, 1, true, {{"minLength", 5}}).status, 400);
  EXPECT_EQ(Save(organization, owner, 1, true, {{"minComplexity", "high"}}).status, 400);
  EXPECT_EQ(
      Send("PUT", "/api/organizations/" + organization.id + "/policies/1", R"({"policy": {}})", owner.access_token)
          .status,
      400);
  EXPECT_EQ(Save(organization, owner, 99, true).status, 404);
  EXPECT_EQ(Sync(alice)["policies"][0]["data"]["minLength"], 14);  // unchanged
}

TEST_P(PolicyRoutesTest, OnlyPolicyManagersReadOrWritePolicies) {
  TestAccount owner = NewUser("owner@example.com");
  TestAccount user = NewUser("user@example.com");
  TestAccount custom = NewUser("custom@example.com");
  TestAccount stranger = NewUser("stranger@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  AddMember(organization, owner, user, 2);
  AddMember(organization, owner, custom, 4, {{"managePolicies", true}});
  EXPECT_EQ(Save(organization, user, 6, true).status, 404);
  EXPECT_EQ(Save(organization, stranger, 6, true).status, 404);
  EXPECT_EQ(Send("GET", "/api/organizations/" + organization.id + "/policies", "", user.access_token).status, 404);
  ASSERT_EQ(Save(organization, custom, 6, true).status, 200);
  const TestResponse listed =
      Send("GET", "/api/organizations/" + organization.id + "/policies", "", custom.access_token);
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(listed.json()["data"].size(), 1U);
  EXPECT_EQ(listed.json()["data"][0]["type"], 6);
  const TestResponse never_saved =
      Send("GET", "/api/organizations/" + organization.id + "/policies/0", "", custom.access_token);
  ASSERT_EQ(never_saved.status, 200);
  EXPECT_EQ(never_saved.json()["enabled"], false);
}

TEST_P(PolicyRoutesTest, SingleSignOnNeedsSingleOrganizationAndStopsPasswordLogins) {
  TestAccount owner = NewUser("owner@example.com");
  TestAccount alice = NewUser("alice@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  AddMember(organization, owner, alice, 2);
  const TestResponse alone = Save(organization, owner, 4, true);
  EXPECT_EQ(alone.status, 400);
  EXPECT_EQ(alone.json()["message"],
            "Turn on the Single organization policy because it is required for the Require single sign-on "
            "authentication policy.");
  ASSERT_EQ(Save(organization, owner, 3, true).status, 200);
  ASSERT_EQ(Save(organization, owner, 4, true).status, 200);
  const TestResponse off = Save(organization, owner, 3, false);
  EXPECT_EQ(off.json()["message"],
            "Turn off the Require single sign-on authentication policy because it requires the Single organization "
            "policy.");

  const TestResponse refused = PasswordGrant(alice);
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(refused.json()["error"], "invalid_grant");
  EXPECT_EQ(refused.json()["ErrorModel"]["Message"], "Sso authentication is required.");
  EXPECT_EQ(PasswordGrant(owner).status, 200);  // owners and admins are exempt
}

TEST_P(PolicyRoutesTest, SingleOrganizationRevokesMembersOfOtherOrganizationsAndBlocksNewOnes) {
  TestAccount owner = NewUser("owner@example.com");
  TestAccount other_owner = NewUser("other@example.com");
  TestAccount alice = NewUser("alice@example.com");
  TestAccount bob = NewUser("bob@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  const TestOrganization other = NewOrganizationOf(other_owner, "Other");
  AddMember(organization, owner, alice, 2);
  AddMember(other, other_owner, alice, 2);
  AddMember(other, other_owner, bob, 2);
  ASSERT_EQ(Save(organization, owner, 3, true).status, 200);
  // Alice, in both, is revoked here; the owner of Other could not create it now either.
  const nlohmann::json alice_organizations = Sync(alice)["profile"]["organizations"];
  ASSERT_EQ(alice_organizations.size(), 1U);
  EXPECT_EQ(alice_organizations[0]["id"], other.id);
  // Bob, in Other, cannot be confirmed here.
  const std::string bob_id = Invite(organization, owner, bob, 2);
  const TestResponse confirmed = Confirm(organization, owner, bob_id);
  EXPECT_EQ(confirmed.status, 400);
  EXPECT_EQ(confirmed.json()["message"],
            "bob@example.com cannot be confirmed until they leave all other organization vaults.");
  // And a bound member cannot create another organisation.
  TestAccount carol = NewUser("carol@example.com");
  AddMember(organization, owner, carol, 2);
  std::optional<NewOrganization> made;
  const TestResponse created = Post("/api/organizations", CreationBody(carol, "Mine", made), carol.access_token);
  EXPECT_EQ(created.status, 400);
  EXPECT_EQ(created.json()["message"],
            "You cannot create a new organization vault because your current membership doesn't allow you to join or "
            "create additional organization vaults.");
}

TEST_P(PolicyRoutesTest, TwoStepLoginIsRequiredToBeConfirmed) {
  TestAccount owner = NewUser("owner@example.com");
  TestAccount alice = NewUser("alice@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  ASSERT_EQ(Save(organization, owner, 0, true).status, 200);
  const std::string alice_id = Invite(organization, owner, alice, 2);
  const TestResponse confirmed = Confirm(organization, owner, alice_id);
  EXPECT_EQ(confirmed.status, 400);
  EXPECT_EQ(confirmed.json()["message"], "User does not have two-step login enabled.");
  EXPECT_TRUE(Sync(alice)["profile"]["organizations"].empty());
}

}  // namespace
}  // namespace keywarden::server::testing
