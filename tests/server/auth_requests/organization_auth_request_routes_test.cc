// Admin approval of device requests (member-decryption.md 3): a member asks every organisation
// they belong to, the organisation's approvers (owners, admins, custom members who manage account
// recovery) list and answer, one at a time or in bulk; events, pushes and mail (through a real
// SMTP server) follow. On SQLite and PostgreSQL, with the clock moved for the 7-day and 12-hour
// windows.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>

#include "server/auth_requests/auth_request_fixture.h"
#include "support/smtp_server.h"

namespace keywarden::server::testing {
namespace {

constexpr char kAlreadyAnswered[] = "An authentication request with the same device already exists.";

class OrganizationAuthRequestTest : public AuthRequestTest {
 protected:
  std::string Path(const TestOrganization& organization, const std::string& rest = "") {
    return "/api/organizations/" + organization.id + "/auth-requests" + rest;
  }
  TestResponse AdminAnswer(const TestOrganization& organization, const TestAccount& admin, const std::string& id,
                           bool approved, const std::string& key) {
    nlohmann::json body = {{"requestApproved", approved}};
    body["encryptedUserKey"] = key.empty() ? nlohmann::json() : nlohmann::json(key);
    return Post(Path(organization, "/" + id), body, admin.access_token);
  }
  nlohmann::json PendingOf(const TestOrganization& organization, const TestAccount& admin) {
    const TestResponse listed = Send("GET", Path(organization), "", admin.access_token);
    EXPECT_EQ(listed.status, 200) << listed.body;
    return listed.json()["data"];
  }
};
KW_SERVER_TEST_ON_EACH_DATABASE(OrganizationAuthRequestTest);

TEST_P(OrganizationAuthRequestTest, ApproversAreMailedAndTheApprovalReachesTheMember) {
  TestAccount owner = NewUser("owner@example.com");
  TestAccount admin = NewUser("admin@example.com");
  TestAccount approver = NewUser("approver@example.com");
  TestAccount plain = NewUser("plain@example.com");
  TestAccount member = NewUser("member@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  AddMember(organization, owner, admin, 1);
  AddMember(organization, owner, approver, 4, {{"manageResetPassword", true}});
  AddMember(organization, owner, plain, 4, {{"manageUsers", true}});
  const std::string member_id = AddMember(organization, owner, member, 2);

  // From here on with mail, so that only this flow's messages arrive.
  KW_SMTP_SERVER_OR_SKIP(smtp, keywarden::testing::SmtpServerOptions{});
  // On a new port: the old one may still be held by the stopped server's closing connections.
  StopServer();
  config_.reset();
  StartServer([&](ServerConfig& c) { MailTo(c, smtp->port()); });
  for (TestAccount* account : {&owner, &admin, &approver, &plain, &member}) Relogin(*account);

  const PendingRequest request = RequestAdminApproval(member);
  ASSERT_FALSE(request.id.empty());
  EXPECT_EQ(EventCounts(member.id)[1010], 2);  // the account's own, and the organisation's copy
  auto requested = smtp->WaitForMessages(3, std::chrono::seconds(20));
  ASSERT_TRUE(requested.ok()) << requested.status().message();
  std::set<std::string> mailed;
  for (const auto& mail : *requested) {
    EXPECT_EQ(mail.subject, "A member asks for device approval");
    EXPECT_NE(mail.text.value_or("").find("member@example.com"), std::string::npos);
    EXPECT_NE(mail.text.value_or("").find("Acme"), std::string::npos);
    for (const std::string& to : mail.recipients) mailed.insert(to);
  }
  EXPECT_EQ(mailed, (std::set<std::string>{owner.email, admin.email, approver.email}));
  EXPECT_EQ(QueuedFor(member.id, 15, request.id), 0);  // no push for an admin request

  const nlohmann::json pending = PendingOf(organization, approver);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0]["object"], "pending-org-auth-request");
  EXPECT_EQ(pending[0]["id"], request.id);
  EXPECT_EQ(pending[0]["userId"], member.id);
  EXPECT_EQ(pending[0]["organizationUserId"], member_id);
  EXPECT_EQ(pending[0]["email"], member.email);
  EXPECT_EQ(pending[0]["publicKey"], request.keys->public_key.ToBase64());
  EXPECT_EQ(Send("GET", Path(organization), "", plain.access_token).status, 404);
  EXPECT_EQ(Send("GET", Path(organization), "", member.access_token).status, 404);

  // The member's own view before the answer: no key.
  const TestResponse before = Send("GET", "/api/auth-requests/" + request.id, "", member.access_token);
  ASSERT_EQ(before.status, 200);
  EXPECT_TRUE(before.json()["key"].is_null());

  auto user_key = SymmetricKey::Generate();
  ASSERT_TRUE(user_key.ok());
  const std::string key = ApprovalKey(request, *user_key);
  EXPECT_EQ(AdminAnswer(organization, plain, request.id, true, key).status, 404);
  const TestResponse approved = AdminAnswer(organization, approver, request.id, true, key);
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_TRUE(PendingOf(organization, owner).empty());
  EXPECT_EQ(EventCounts(member.id)[1513], 1);
  EXPECT_EQ(QueuedFor(member.id, 16, request.id), 1);
  auto approval_mail = smtp->WaitForMessages(4, std::chrono::seconds(20));
  ASSERT_TRUE(approval_mail.ok()) << approval_mail.status().message();
  EXPECT_EQ(approval_mail->back().recipients, std::vector<std::string>{member.email});
  EXPECT_EQ(approval_mail->back().subject, "Your new device was approved");

  const TestResponse after = Send("GET", "/api/auth-requests/" + request.id, "", member.access_token);
  ASSERT_EQ(after.status, 200);
  EXPECT_EQ(after.json()["requestApproved"], true);
  auto approval = AsymmetricEncString::Parse(after.json()["key"].get<std::string>());
  ASSERT_TRUE(approval.ok());
  auto opened = ::keywarden::CompleteAuthRequest(request.keys->private_key, *approval);
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(opened->Equals(*user_key));

  const TestResponse twice = AdminAnswer(organization, admin, request.id, false, "");
  EXPECT_EQ(twice.status, 400);
  EXPECT_EQ(twice.json()["message"], kAlreadyAnswered);
  // An admin approval is no login grant.
  EXPECT_EQ(AuthRequestGrant(member, request, "device-1").status, 400);
  StopServer();
}

TEST_P(OrganizationAuthRequestTest, BulkApprovalSkipsKeylessAndBulkDenialIsFinal) {
  TestAccount owner = NewUser("owner@example.com");
  TestAccount first = NewUser("first@example.com");
  TestAccount second = NewUser("second@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  AddMember(organization, owner, first, 2);
  AddMember(organization, owner, second, 2);
  const PendingRequest one = RequestAdminApproval(first);
  const PendingRequest two = RequestAdminApproval(second);
  auto user_key = SymmetricKey::Generate();
  ASSERT_TRUE(user_key.ok());

  const nlohmann::json bulk =
      nlohmann::json::array({{{"id", one.id}, {"approved", true}, {"key", ApprovalKey(one, *user_key)}},
                             {{"id", two.id}, {"approved", true}, {"key", nullptr}}});
  const TestResponse answered = Send("POST", Path(organization), bulk.dump(), owner.access_token);
  ASSERT_EQ(answered.status, 200) << answered.body;
  const nlohmann::json left = PendingOf(organization, owner);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0]["id"], two.id);
  EXPECT_EQ(EventCounts(first.id)[1513], 1);
  EXPECT_EQ(ReadResponse(one).json()["requestApproved"], true);

  const TestResponse denied = Post(Path(organization, "/deny"), {{"ids", {two.id}}}, owner.access_token);
  ASSERT_EQ(denied.status, 200) << denied.body;
  EXPECT_TRUE(PendingOf(organization, owner).empty());
  EXPECT_EQ(EventCounts(second.id)[1514], 1);
  EXPECT_EQ(QueuedFor(second.id, 16, two.id), 0);
  const TestResponse again = Post(Path(organization, "/deny"), {{"ids", {two.id}}}, owner.access_token);
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(again.json()["message"], kAlreadyAnswered);
  // A bulk approval of answered requests changes nothing.
  const nlohmann::json late =
      nlohmann::json::array({{{"id", two.id}, {"approved", true}, {"key", ApprovalKey(two, *user_key)}}});
  ASSERT_EQ(Send("POST", Path(organization), late.dump(), owner.access_token).status, 200);
  EXPECT_EQ(ReadResponse(two).json()["requestApproved"], false);
  EXPECT_EQ(Send("POST", Path(organization), "{\"not\": \"a list\"}", owner.access_token).status, 400);
}

TEST_P(OrganizationAuthRequestTest, AdminRequestsExpireAfterSevenDaysAndTwelveHoursAfterApproval) {
  TestAccount owner = NewUser("owner@example.com");
  TestAccount member = NewUser("member@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  AddMember(organization, owner, member, 2);
  const PendingRequest unanswered = RequestAdminApproval(member);
  fake_clock_.Advance(std::chrono::hours(1));
  const PendingRequest to_approve = RequestAdminApproval(member);
  auto user_key = SymmetricKey::Generate();
  ASSERT_TRUE(user_key.ok());
  ASSERT_EQ(AdminAnswer(organization, owner, to_approve.id, true, ApprovalKey(to_approve, *user_key)).status, 200);

  // 11 hours after the approval: still readable (longer than a device request's 15 minutes).
  fake_clock_.Advance(std::chrono::hours(11));
  EXPECT_EQ(ReadResponse(to_approve).status, 200);
  EXPECT_EQ(ReadResponse(unanswered).status, 200);
  fake_clock_.Advance(std::chrono::hours(1) + std::chrono::seconds(1));
  EXPECT_EQ(ReadResponse(to_approve).status, 404);
  EXPECT_EQ(ReadResponse(unanswered).status, 200);

  fake_clock_.Advance(std::chrono::hours(24 * 7 - 12));  // the unanswered one is 7 days and a second old
  Relogin(owner);
  EXPECT_EQ(ReadResponse(unanswered).status, 404);
  EXPECT_EQ(PendingOf(organization, owner).size(), 1u);  // listed until deleted, as the reference
  EXPECT_EQ(AdminAnswer(organization, owner, unanswered.id, true, ApprovalKey(unanswered, *user_key)).status, 404);
  EXPECT_EQ(Post(Path(organization, "/deny"), {{"ids", {unanswered.id}}}, owner.access_token).status, 404);
}

TEST_P(OrganizationAuthRequestTest, MembersWithoutAnOrganizationOrTheRightTypeAreRefused) {
  TestAccount loner = NewUser("loner@example.com");
  PendingRequest kept;
  const TestResponse no_organization = PostWithDeviceType(
      "/api/auth-requests/admin-request", RequestBody(loner.email, "device-1", 2, kept), loner.access_token);
  EXPECT_EQ(no_organization.status, 400);
  EXPECT_EQ(no_organization.json()["message"], "User does not belong to any organizations.");
  const TestResponse wrong_type = PostWithDeviceType("/api/auth-requests/admin-request",
                                                     RequestBody(loner.email, "device-1", 0, kept), loner.access_token);
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_EQ(wrong_type.json()["message"], "Invalid AuthRequestType. Expected AdminApproval.");
  TestAccount other = NewUser("other@example.com");
  const TestResponse someone_else = PostWithDeviceType(
      "/api/auth-requests/admin-request", RequestBody(other.email, "device-1", 2, kept), loner.access_token);
  EXPECT_EQ(someone_else.status, 400);
  EXPECT_EQ(someone_else.json()["message"], "User or known device not found.");
}

TEST_P(OrganizationAuthRequestTest, OneRequestPerOrganizationAndDeletedWithIt) {
  TestAccount owner = NewUser("owner@example.com");
  TestAccount member = NewUser("member@example.com");
  const TestOrganization acme = NewOrganizationOf(owner, "Acme");
  const TestOrganization globex = NewOrganizationOf(owner, "Globex");
  AddMember(acme, owner, member, 2);
  AddMember(globex, owner, member, 2);
  const PendingRequest request = RequestAdminApproval(member);
  EXPECT_EQ(PendingOf(acme, owner).size(), 1u);
  EXPECT_EQ(PendingOf(globex, owner).size(), 1u);
  EXPECT_EQ(Send("GET", "/api/auth-requests", "", member.access_token).json()["data"].size(), 2u);
  ASSERT_EQ(Post("/api/organizations/" + globex.id + "/delete", {{"masterPasswordHash", owner.client_hash}},
                 owner.access_token)
                .status,
            200);
  EXPECT_EQ(Send("GET", "/api/auth-requests", "", member.access_token).json()["data"].size(), 1u);
}

}  // namespace
}  // namespace keywarden::server::testing
