// The authorization matrix of the organisation routes (docs/organization-authorization.md): every
// route against every kind of caller, allowed or refused exactly as that table says. Refused is
// always 404 (never 401 or 403, on which the official CLI logs out); allowed is anything else
// (the request may still fail on its own merits, such as "Already revoked.", with a 400).
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>

#include "keywarden/keys/auth_request.h"
#include "server/organizations/organization_fixture.h"

namespace keywarden::server::testing {
namespace {

// The callers, as the table's columns name them.
enum Role {
  kOwner,
  kAdmin,
  kUser,
  kManageUsers,
  kManagePolicies,
  kManageResetPassword,
  kManageSso,
  kCustomNone,
  kAccepted,
  kRevoked,
  kStranger,
  kRoleCount
};
constexpr const char* kRoleNames[] = {"owner",
                                      "admin",
                                      "user",
                                      "custom manageUsers",
                                      "custom managePolicies",
                                      "custom manageResetPassword",
                                      "custom manageSso",
                                      "custom none",
                                      "accepted",
                                      "revoked",
                                      "stranger"};

struct Route {
  std::string method;
  // The path and body for one call; may set up what the call needs (a fresh member to remove).
  std::function<std::pair<std::string, std::string>()> request;
  std::set<Role> allowed;
};

class AuthorizationMatrixTest : public OrganizationTest {};
KW_SERVER_TEST_ON_EACH_DATABASE(AuthorizationMatrixTest);

TEST_P(AuthorizationMatrixTest, EveryOrganizationRouteAgainstEveryCaller) {
  TestAccount owner = NewUser("owner@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  std::map<Role, TestAccount> callers;
  callers[kOwner] = owner;
  const std::pair<Role, std::pair<int, nlohmann::json>> members[] = {
      {kAdmin, {1, nullptr}},
      {kUser, {2, nullptr}},
      {kManageUsers, {4, {{"manageUsers", true}}}},
      {kManagePolicies, {4, {{"managePolicies", true}}}},
      {kManageResetPassword, {4, {{"manageResetPassword", true}}}},
      {kManageSso, {4, {{"manageSso", true}}}},
      {kCustomNone, {4, nlohmann::json::object()}},
  };
  for (const auto& [role, type] : members) {
    callers[role] = NewUser(std::string("role") + std::to_string(role) + "@example.com");
    AddMember(organization, owner, callers[role], type.first, type.second);
  }
  callers[kAccepted] = NewUser("accepted@example.com");
  Invite(organization, owner, callers[kAccepted], 2);
  callers[kRevoked] = NewUser("revoked@example.com");
  const std::string revoked_id = AddMember(organization, owner, callers[kRevoked], 2);
  ASSERT_EQ(
      Send("PUT", "/api/organizations/" + organization.id + "/users/" + revoked_id + "/revoke", "", owner.access_token)
          .status,
      200);
  callers[kStranger] = NewUser("stranger@example.com");

  // A member to act on, made fresh for each call that consumes one.
  int made = 0;
  const auto fresh_member = [&]() {
    TestAccount target = NewUser("target" + std::to_string(made++) + "@example.com");
    return Invite(organization, owner, target, 2);
  };
  const std::string org = "/api/organizations/" + organization.id;
  const std::string target = fresh_member();
  const std::set<Role> managers = {kOwner, kAdmin, kManageUsers};
  const std::set<Role> confirmed = {kOwner,     kAdmin,     kUser, kManageUsers, kManagePolicies, kManageResetPassword,
                                    kManageSso, kCustomNone};
  std::set<Role> members_and_accepted = confirmed;
  members_and_accepted.insert(kAccepted);
  members_and_accepted.insert(kRevoked);
  auto shared_key = ShareOrganizationKey(*organization.key, PublicKeyOf(owner, owner.id));
  ASSERT_TRUE(shared_key.ok());
  const std::string confirm_body = nlohmann::json{{"key", shared_key->ToString()}}.dump();
  // A device approval request of a member, for the auth request routes: the first allowed
  // caller denies it, the others find it answered (400).
  std::string admin_request_id;
  {
    auto request_keys = ::keywarden::NewAuthRequest(callers[kUser].email);
    ASSERT_TRUE(request_keys.ok());
    const nlohmann::json body = {{"email", callers[kUser].email},
                                 {"publicKey", request_keys->public_key.ToBase64()},
                                 {"deviceIdentifier", "device-1"},
                                 {"accessCode", "0123456789abcdefghijklmno"},
                                 {"type", 2}};
    const TestResponse created =
        keywarden::testing::SendRequest(port(), "POST", "/api/auth-requests/admin-request",
                                        {{"Content-Type", "application/json"},
                                         {"Device-Type", "9"},
                                         {"Authorization", "Bearer " + callers[kUser].access_token}},
                                        body.dump());
    ASSERT_EQ(created.status, 200) << created.body;
    admin_request_id = created.json().value("id", "");
  }
  const std::set<Role> approvers = {kOwner, kAdmin, kManageResetPassword};
  const auto fixed = [](std::string path, std::string body = "") {
    return [path, body] { return std::make_pair(path, body); };
  };
  const std::vector<Route> routes = {
      {"GET", fixed(org), {kOwner}},
      {"PUT", fixed(org, R"({"name": "Acme", "billingEmail": "owner@example.com"})"), {kOwner}},
      {"GET",
       fixed(org + "/public-key"),
       {kOwner, kAdmin, kUser, kManageUsers, kManagePolicies, kManageResetPassword, kManageSso, kCustomNone,
        kAccepted}},
      {"GET",
       fixed(org + "/keys"),
       {kOwner, kAdmin, kUser, kManageUsers, kManagePolicies, kManageResetPassword, kManageSso, kCustomNone,
        kAccepted}},
      {"GET", fixed(org + "/users"), {kOwner, kAdmin, kManageUsers, kManageResetPassword}},
      {"GET", fixed(org + "/users/" + target), managers},
      {"PUT", fixed(org + "/users/" + target, R"({"type": 2})"), managers},
      {"POST",
       [&] {
         return std::make_pair(
             org + "/users/invite",
             nlohmann::json{{"emails", {"new" + std::to_string(made++) + "@example.com"}}, {"type", 2}}.dump());
       },
       managers},
      {"POST", fixed(org + "/users/" + target + "/confirm", confirm_body), managers},
      {"PUT", fixed(org + "/users/" + target + "/revoke"), managers},
      {"PUT", fixed(org + "/users/" + target + "/restore"), managers},
      {"PUT", fixed(org + "/users/revoke", nlohmann::json{{"ids", {target}}}.dump()), managers},
      {"PUT", fixed(org + "/users/restore", nlohmann::json{{"ids", {target}}}.dump()), managers},
      {"DELETE", [&] { return std::make_pair(org + "/users/" + fresh_member(), std::string()); }, managers},
      {"POST",
       [&] {
         return std::make_pair(org + "/users/remove", nlohmann::json{{"ids", {fresh_member()}}}.dump());
       },
       managers},
      {"POST", fixed(org + "/users/public-keys", nlohmann::json{{"ids", {target}}}.dump()), managers},
      {"GET", fixed(org + "/policies"), {kOwner, kAdmin, kManagePolicies}},
      {"GET", fixed(org + "/policies/1"), {kOwner, kAdmin, kManagePolicies}},
      {"PUT", fixed(org + "/policies/6", R"({"policy": {"enabled": false}})"), {kOwner, kAdmin, kManagePolicies}},
      {"GET", fixed(org + "/policies/master-password"), {}},  // none enabled: 404 for everyone
      // Without Key Connector: 404 for everyone (its members: tests/server/accounts/key_connector_routes_test.cc).
      {"GET", fixed("/api/accounts/key-connector/confirmation-details/" + organization.id), {}},
      {"GET", fixed(org + "/users/" + target + "/reset-password-details"), {kOwner, kAdmin, kManageResetPassword}},
      {"POST",
       fixed(org + "/users/account-recovery-details", nlohmann::json{{"ids", {target}}}.dump()),
       {kOwner, kAdmin, kManageResetPassword}},
      {"PUT",
       fixed(org + "/users/" + target + "/recover-account", R"({"resetTwoFactor": true})"),
       {kOwner, kAdmin, kManageResetPassword}},
      {"GET", fixed(org + "/auth-requests"), approvers},
      {"POST", fixed(org + "/auth-requests/" + admin_request_id, R"({"requestApproved": false})"), approvers},
      {"POST", fixed(org + "/auth-requests", "[]"), approvers},
      {"POST", fixed(org + "/auth-requests/deny", nlohmann::json{{"ids", {admin_request_id}}}.dump()), approvers},
      {"GET", fixed(org + "/sso"), {kOwner, kAdmin, kManageSso}},
      {"POST",
       fixed(org + "/sso", nlohmann::json{{"enabled", false},
                                          {"identifier", nullptr},
                                          {"data",
                                           {{"configType", 1},
                                            {"authority", "https://idp.example.com"},
                                            {"clientId", "kw"},
                                            {"clientSecret", "x"}}}}
                               .dump()),
       {kOwner, kAdmin, kManageSso}},
  };
  for (const Route& route : routes) {
    for (int r = 0; r < kRoleCount; ++r) {
      const Role role = static_cast<Role>(r);
      const auto [path, body] = route.request();
      const TestResponse answer = Send(route.method, path, body, callers[role].access_token);
      const bool allowed = route.allowed.count(role) > 0;
      EXPECT_NE(answer.status, 401) << route.method << " " << path << " as " << kRoleNames[r];
      EXPECT_NE(answer.status, 403) << route.method << " " << path << " as " << kRoleNames[r];
      if (allowed) {
        EXPECT_NE(answer.status, 404) << route.method << " " << path << " as " << kRoleNames[r] << ": " << answer.body;
        EXPECT_LT(answer.status, 500) << route.method << " " << path << " as " << kRoleNames[r];
      } else {
        EXPECT_EQ(answer.status, 404) << route.method << " " << path << " as " << kRoleNames[r] << ": " << answer.body;
      }
    }
  }
}

}  // namespace
}  // namespace keywarden::server::testing
