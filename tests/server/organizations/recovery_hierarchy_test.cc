// Who may recover whom (docs member-decryption.md 4.3), as a matrix: every kind of caller against
// every kind of member, for the details and for the recovery itself. Refused callers who do not
// manage account recovery get 404 (they cannot see it); managers above whom the member stands get
// the reference's 400. Recoveries here reset two-step login only, which leaves each member as it
// was, so that one set of members serves the whole matrix.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "server/organizations/recovery_fixture.h"

namespace keywarden::server::testing {
namespace {

enum Caller { kOwner, kAdmin, kManageResetPassword, kManageUsers, kUser, kRevokedAdmin, kStranger, kCallerCount };
constexpr const char* kCallerNames[] = {
    "owner", "admin", "custom manageResetPassword", "custom manageUsers", "user", "revoked admin", "stranger"};
enum Target { kTargetOwner, kTargetAdmin, kTargetUser, kTargetCustom, kTargetRevokedUser, kTargetCount };
constexpr const char* kTargetNames[] = {"owner", "admin", "user", "custom", "revoked user"};

// 200 allowed, 400 refused with the reference's message, 404 not visible.
constexpr int kExpected[kCallerCount][kTargetCount] = {
    /* owner */ {200, 200, 200, 200, 200},
    /* admin */ {400, 200, 200, 200, 200},
    /* custom manageResetPassword */ {400, 400, 200, 200, 200},
    /* custom manageUsers */ {404, 404, 404, 404, 404},
    /* user */ {404, 404, 404, 404, 404},
    /* revoked admin */ {404, 404, 404, 404, 404},
    /* stranger */ {404, 404, 404, 404, 404},
};

class RecoveryHierarchyTest : public RecoveryTest {};
KW_SERVER_TEST_ON_EACH_DATABASE(RecoveryHierarchyTest);

TEST_P(RecoveryHierarchyTest, EveryCallerAgainstEveryMember) {
  TestAccount owner = NewUser("owner@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  EnableRecovery(organization, owner);

  std::map<int, TestAccount> callers;
  callers[kOwner] = owner;
  const std::pair<Caller, std::pair<int, nlohmann::json>> caller_types[] = {
      {kAdmin, {1, nullptr}},
      {kManageResetPassword, {4, {{"manageResetPassword", true}}}},
      {kManageUsers, {4, {{"manageUsers", true}}}},
      {kUser, {2, nullptr}},
      {kRevokedAdmin, {1, nullptr}},
  };
  std::string revoked_admin_id;
  for (const auto& [caller, type] : caller_types) {
    callers[caller] = NewUser(std::string("caller") + std::to_string(caller) + "@example.com");
    const std::string id = AddMember(organization, owner, callers[caller], type.first, type.second);
    if (caller == kRevokedAdmin) revoked_admin_id = id;
  }
  ASSERT_EQ(Send("PUT", "/api/organizations/" + organization.id + "/users/" + revoked_admin_id + "/revoke", "",
                 owner.access_token)
                .status,
            200);
  callers[kStranger] = NewUser("stranger@example.com");

  std::map<int, std::string> targets;
  const std::pair<Target, std::pair<int, nlohmann::json>> target_types[] = {
      {kTargetOwner, {0, nullptr}},       {kTargetAdmin, {1, nullptr}},
      {kTargetUser, {2, nullptr}},        {kTargetCustom, {4, {{"accessReports", true}}}},
      {kTargetRevokedUser, {2, nullptr}},
  };
  for (const auto& [target, type] : target_types) {
    TestAccount account = NewUser(std::string("target") + std::to_string(target) + "@example.com");
    targets[target] = AddMember(organization, owner, account, type.first, type.second);
    const TestResponse enrolled = Enrol(organization, account);
    ASSERT_EQ(enrolled.status, 200) << kTargetNames[target] << ": " << enrolled.body;
  }
  ASSERT_EQ(Send("PUT", "/api/organizations/" + organization.id + "/users/" + targets[kTargetRevokedUser] + "/revoke",
                 "", owner.access_token)
                .status,
            200);

  const nlohmann::json two_step_only = {{"resetMasterPassword", false}, {"resetTwoFactor", true}};
  for (int c = 0; c < kCallerCount; ++c) {
    for (int t = 0; t < kTargetCount; ++t) {
      const int expected = kExpected[c][t];
      const std::string where = std::string(kCallerNames[c]) + " -> " + kTargetNames[t];
      const TestResponse details = Details(organization, callers[c], targets[t]);
      EXPECT_EQ(details.status, expected == 200 ? 200 : 404) << where << ": " << details.body;
      if (details.status == 200) {
        EXPECT_EQ(details.json()["organizationUserId"], targets[t]) << where;
      }

      const TestResponse recovered = Recover(organization, callers[c], targets[t], two_step_only);
      EXPECT_EQ(recovered.status, expected) << where << ": " << recovered.body;
      if (expected == 400) {
        EXPECT_EQ(recovered.json()["message"], "You are not permitted to recover this user's account.") << where;
      }
      const TestResponse bulk = Post("/api/organizations/" + organization.id + "/users/account-recovery-details",
                                     {{"ids", {targets[t]}}}, callers[c].access_token);
      if (expected == 404) {
        EXPECT_EQ(bulk.status, 404) << where;
      } else {
        ASSERT_EQ(bulk.status, 200) << where << ": " << bulk.body;
        EXPECT_EQ(bulk.json()["data"].size(), expected == 200 ? 1u : 0u) << where;
      }
    }
  }
}

}  // namespace
}  // namespace keywarden::server::testing
