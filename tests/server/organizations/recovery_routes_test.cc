// Account recovery over HTTP, on SQLite and PostgreSQL: enrolment and withdrawal as the web vault
// makes them, an administrator's recovery as the web admin console computes it (libkeywarden
// standing in for its crypto), its effects on the member (sessions ended, a forced password
// update, a queued log-out, events), and every refusal with the reference's message.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <string>

#include "server/notifications/push_outbox.h"
#include "server/organizations/recovery_fixture.h"
#include "server/store/server_database.h"
#include "support/smtp_server.h"

namespace keywarden::server::testing {
namespace {

constexpr char kNewPassword[] = "a temporary password from the admin";

constexpr sql::Statement kEventCounts = {"test_recovery_events",
                                         "SELECT type, COUNT(*) FROM events WHERE user_id = $1 GROUP BY type", nullptr,
                                         nullptr, "to count events"};
constexpr sql::Statement kSetLegacyKdf = {"test_legacy_kdf",
                                          "UPDATE users SET kdf_type = 0, kdf_iterations = 100000, kdf_memory = NULL, "
                                          "kdf_parallelism = NULL WHERE id = $1",
                                          nullptr, nullptr, "to give an account old settings"};
constexpr sql::Statement kSetKeyConnector = {"test_key_connector",
                                             "UPDATE users SET uses_key_connector = 1 WHERE id = $1", nullptr, nullptr,
                                             "to make an account a Key Connector one"};
constexpr sql::Statement kSetIdentifier = {"test_org_identifier",
                                           "UPDATE organizations SET identifier = $2 WHERE id = $1", nullptr, nullptr,
                                           "to give an organisation its single sign-on identifier"};

class RecoveryRoutesTest : public RecoveryTest {
 protected:
  Status Write(const sql::Statement& statement, sql::Params params) {
    auto database = OpenServerDatabase(config_->database);
    if (!database.ok()) return database.status();
    return (*database)->Transact([&](sql::Session& session) { return session.Execute(statement, params).status(); });
  }

  // How many events of each number name the account `user_id`.
  std::map<int, int> EventCounts(const std::string& user_id) {
    service_->events().Flush();
    std::map<int, int> counts;
    auto database = OpenServerDatabase(config_->database);
    EXPECT_TRUE(database.ok());
    const Status read = (*database)->Read([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kEventCounts, sql::Params().Text(user_id)));
      for (std::size_t i = 0; i < rows.size(); ++i) {
        KW_ASSIGN_OR_RETURN(std::int64_t type, rows.Int(i, 0));
        KW_ASSIGN_OR_RETURN(std::int64_t count, rows.Int(i, 1));
        counts[static_cast<int>(type)] = static_cast<int>(count);
      }
      return OkStatus();
    });
    EXPECT_TRUE(read.ok()) << read.message();
    return counts;
  }

  // The log-outs (11) queued for `user_id`'s devices; other pushes (the SyncOrgKeys of the
  // member's confirmation) are not this suite's business.
  std::vector<notifications::PushNotification> QueuedLogOuts(const std::string& user_id) {
    std::vector<notifications::PushNotification> queued = QueuedPushes(user_id);
    std::erase_if(queued, [](const notifications::PushNotification& push) {
      return push.type != static_cast<int>(notifications::PushType::kLogOut);
    });
    return queued;
  }

  // An owner, an organisation with account recovery on, and an enrolled member.
  struct Scene {
    TestAccount owner;
    TestAccount member;
    TestOrganization organization;
    std::string member_id;
  };
  Scene EnrolledMember(bool auto_enroll = false) {
    Scene scene{NewUser("owner@example.com"), NewUser("member@example.com"), {}, {}};
    scene.organization = NewOrganizationOf(scene.owner);
    scene.member_id = AddMember(scene.organization, scene.owner, scene.member, 2);
    EnableRecovery(scene.organization, scene.owner, auto_enroll);
    const TestResponse enrolled = Enrol(scene.organization, scene.member);
    EXPECT_EQ(enrolled.status, 200) << enrolled.body;
    return scene;
  }
};
KW_SERVER_TEST_ON_EACH_DATABASE(RecoveryRoutesTest);

TEST_P(RecoveryRoutesTest, RecoveryGivesTheMemberANewPasswordAndForcesAnUpdate) {
  Scene s = EnrolledMember();
  const std::optional<SymmetricKey> user_key = UserKeyOf(s.member, s.member.password);
  ASSERT_TRUE(user_key.has_value());
  const std::string old_refresh_token = s.member.refresh_token;

  const TestResponse details = Details(s.organization, s.owner, s.member_id);
  ASSERT_EQ(details.status, 200) << details.body;
  const nlohmann::json d = details.json();
  EXPECT_EQ(d["object"], "organizationUserResetPasswordDetails");
  EXPECT_EQ(d["organizationUserId"], s.member_id);
  EXPECT_EQ(d["kdf"], 1);
  EXPECT_EQ(d["kdfIterations"], 2);
  EXPECT_EQ(d["kdfMemory"], 16);
  EXPECT_EQ(d["kdfParallelism"], 1);
  EXPECT_EQ(d["masterPasswordSalt"], s.member.email);
  EXPECT_TRUE(d["resetPasswordKey"].is_string());

  const TestResponse recovered =
      Recover(s.organization, s.owner, s.member_id, RecoveryBody(s.organization, d, kNewPassword));
  ASSERT_EQ(recovered.status, 200) << recovered.body;

  // Every session of the member ended: the refresh token and the old password are refused.
  EXPECT_EQ(keywarden::testing::SendRefreshGrant(port(), old_refresh_token).status, 400);
  EXPECT_EQ(PasswordGrant(s.member).status, 400);
  // The new password logs in, with the forced update in the token response and the profile.
  TestAccount recovered_member = s.member;
  recovered_member.password = kNewPassword;
  recovered_member.client_hash = ClientHashFor(s.member, kNewPassword, keywarden::testing::TestKdf());
  const TestResponse login = PasswordGrant(recovered_member);
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(login.json()["ForcePasswordReset"], true);
  recovered_member.access_token = login.json().value("access_token", "");
  EXPECT_EQ(Send("GET", "/api/accounts/profile", "", recovered_member.access_token).json()["forcePasswordReset"], true);
  // The user key is the same: the member's vault opens with the new password.
  const std::optional<SymmetricKey> reopened = UserKeyOf(recovered_member, kNewPassword);
  ASSERT_TRUE(reopened.has_value());
  EXPECT_TRUE(reopened->Equals(*user_key));

  // A log-out for every device is queued for the notification hub.
  const auto queued = QueuedLogOuts(s.member.id);
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0].type, 11);
  EXPECT_EQ(nlohmann::json::parse(queued[0].payload)["UserId"], s.member.id);

  // The member replaces the temporary password; the flag clears and cannot be used again.
  const std::string chosen = "the member's own new password";
  auto master_key = MasterKey::Derive(chosen, s.member.email, keywarden::testing::TestKdf());
  ASSERT_TRUE(master_key.ok());
  auto rewrapped = master_key->EncryptUserKey(*reopened);
  auto chosen_hash = master_key->ServerHash(chosen);
  ASSERT_TRUE(rewrapped.ok() && chosen_hash.ok());
  const nlohmann::json update = {
      {"newMasterPasswordHash", *chosen_hash}, {"key", rewrapped->ToString()}, {"masterPasswordHint", "mine"}};
  const TestResponse updated =
      Send("PUT", "/api/accounts/update-temp-password", update.dump(), recovered_member.access_token);
  ASSERT_EQ(updated.status, 200) << updated.body;
  TestAccount final_member = s.member;
  final_member.password = chosen;
  final_member.client_hash = *chosen_hash;
  const TestResponse final_login = PasswordGrant(final_member);
  ASSERT_EQ(final_login.status, 200) << final_login.body;
  EXPECT_EQ(final_login.json()["ForcePasswordReset"], false);
  final_member.access_token = final_login.json().value("access_token", "");
  const TestResponse again =
      Send("PUT", "/api/accounts/update-temp-password", update.dump(), final_member.access_token);
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(again.json()["message"], "User does not have a temporary password to update.");
  EXPECT_EQ(QueuedLogOuts(s.member.id).size(), 2u);

  const std::map<int, int> events = EventCounts(s.member.id);
  EXPECT_EQ(events.count(1506) ? events.at(1506) : 0, 1);
  EXPECT_EQ(events.count(1508) ? events.at(1508) : 0, 1);
  // A user event: once for the account and once for each organisation it belongs to.
  EXPECT_EQ(events.count(1008) ? events.at(1008) : 0, 2);
  EXPECT_EQ(events.count(1519), 0u);
}

TEST_P(RecoveryRoutesTest, TheOlderPathAndTheCurrentBodyFormRecoverToo) {
  Scene s = EnrolledMember();
  const nlohmann::json d = Details(s.organization, s.owner, s.member_id).json();
  const nlohmann::json legacy = RecoveryBody(s.organization, d, kNewPassword);
  ASSERT_EQ(Recover(s.organization, s.owner, s.member_id, legacy, "reset-password").status, 200);

  // The 2026 form: authentication and unlock data, with the account's own KDF and salt.
  const std::string second = "a second temporary password";
  const nlohmann::json body2 = RecoveryBody(s.organization, d, second);
  const nlohmann::json kdf = {{"kdfType", 1}, {"iterations", 2}, {"memory", 16}, {"parallelism", 1}};
  nlohmann::json current = {
      {"resetMasterPassword", true},
      {"resetTwoFactor", false},
      {"authenticationData",
       {{"kdf", kdf}, {"masterPasswordAuthenticationHash", body2["newMasterPasswordHash"]}, {"salt", s.member.email}}},
      {"unlockData", {{"kdf", kdf}, {"masterKeyWrappedUserKey", body2["key"]}, {"salt", s.member.email}}}};
  ASSERT_EQ(Recover(s.organization, s.owner, s.member_id, current).status, 200);
  TestAccount member = s.member;
  member.client_hash = ClientHashFor(s.member, second, keywarden::testing::TestKdf());
  EXPECT_EQ(PasswordGrant(member).status, 200);

  // Other settings than the account's would make a key it cannot open.
  current["unlockData"]["kdf"]["iterations"] = 3;
  const TestResponse refused = Recover(s.organization, s.owner, s.member_id, current);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("UnlockData.Kdf"), std::string::npos) << refused.body;
  current["unlockData"]["kdf"]["iterations"] = 2;
  current["authenticationData"]["salt"] = "someone@else.example";
  EXPECT_EQ(Recover(s.organization, s.owner, s.member_id, current).status, 400);
}

TEST_P(RecoveryRoutesTest, AnOldAccountKeepsItsSettingsBelowTodaysMinimum) {
  // PBKDF2 at 100,000 iterations, as accounts made before 2023 hold: the details report it, the
  // recovery keeps it, and the member logs in and opens their vault with it.
  Scene s = EnrolledMember();
  const std::optional<SymmetricKey> user_key = UserKeyOf(s.member, s.member.password);
  ASSERT_TRUE(user_key.has_value());
  ASSERT_TRUE(Write(kSetLegacyKdf, sql::Params().Text(s.member.id)).ok());
  const nlohmann::json d = Details(s.organization, s.owner, s.member_id).json();
  EXPECT_EQ(d["kdf"], 0);
  EXPECT_EQ(d["kdfIterations"], 100000);
  EXPECT_TRUE(d["kdfMemory"].is_null());
  ASSERT_EQ(Recover(s.organization, s.owner, s.member_id, RecoveryBody(s.organization, d, kNewPassword)).status, 200);

  TestAccount member = s.member;
  member.client_hash = ClientHashFor(s.member, kNewPassword, KdfConfig::Pbkdf2(100000));
  const TestResponse login = PasswordGrant(member);
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(login.json()["KdfIterations"], 100000);
  member.access_token = login.json().value("access_token", "");
  const std::optional<SymmetricKey> reopened = UserKeyOf(member, kNewPassword, KdfConfig::Pbkdf2(100000));
  ASSERT_TRUE(reopened.has_value());
  EXPECT_TRUE(reopened->Equals(*user_key));
}

TEST_P(RecoveryRoutesTest, RefusalsCarryTheReferencesMessages) {
  Scene s = EnrolledMember();
  const nlohmann::json d = Details(s.organization, s.owner, s.member_id).json();
  const nlohmann::json body = RecoveryBody(s.organization, d, kNewPassword);
  const auto message = [&](const nlohmann::json& request, const std::string& member_id) {
    const TestResponse answer = Recover(s.organization, s.owner, member_id, request);
    EXPECT_EQ(answer.status, 400) << answer.body;
    return answer.json().value("message", "");
  };

  nlohmann::json nothing = body;
  nothing["resetMasterPassword"] = false;
  EXPECT_EQ(message(nothing, s.member_id), "At least one recovery action must be requested.");
  nlohmann::json no_key = body;
  no_key.erase("key");
  EXPECT_EQ(message(no_key, s.member_id), "Master password hash and key are required when resetting master password.");
  nlohmann::json not_a_flag = body;
  not_a_flag["resetTwoFactor"] = "yes";
  EXPECT_EQ(Recover(s.organization, s.owner, s.member_id, not_a_flag).status, 400);

  // A member who never enrolled, and the owner themselves (not enrolled either).
  TestAccount bob = NewUser("bob@example.com");
  const std::string bob_id = AddMember(s.organization, s.owner, bob, 2);
  EXPECT_EQ(message(body, bob_id), "Organization User not valid.");
  // Key Connector members have no master password to reset.
  ASSERT_TRUE(Write(kSetKeyConnector, sql::Params().Text(s.member.id)).ok());
  EXPECT_EQ(message(body, s.member_id), "Cannot reset password of a user with Key Connector.");
  // Policy off: nothing can be recovered (single organisation stays on).
  ASSERT_EQ(SavePolicy(s.organization, s.owner, 8, false).status, 200);
  EXPECT_EQ(message(body, s.member_id), "Organization does not have the password reset policy enabled.");
  // Unknown members and malformed ids are 404.
  EXPECT_EQ(Recover(s.organization, s.owner, "00000000-0000-0000-0000-000000000001", body).status, 404);
  EXPECT_EQ(Recover(s.organization, s.owner, "not-an-id", body).status, 404);
  EXPECT_EQ(Send("PUT", "/api/organizations/" + s.organization.id + "/users/" + s.member_id + "/recover-account",
                 "{not json", s.owner.access_token)
                .status,
            400);
  // Nothing above changed the member's password.
  EXPECT_EQ(PasswordGrant(s.member).status, 200);
  EXPECT_EQ(EventCounts(s.member.id).count(1508), 0u);
}

TEST_P(RecoveryRoutesTest, TwoStepLoginAloneCanBeReset) {
  Scene s = EnrolledMember();
  const TestResponse reset =
      Recover(s.organization, s.owner, s.member_id, {{"resetMasterPassword", false}, {"resetTwoFactor", true}});
  ASSERT_EQ(reset.status, 200) << reset.body;
  // The password stands and is not flagged; the member's devices are told to log out.
  const TestResponse login = PasswordGrant(s.member);
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(login.json()["ForcePasswordReset"], false);
  EXPECT_EQ(QueuedLogOuts(s.member.id).size(), 1u);
  const std::map<int, int> events = EventCounts(s.member.id);
  EXPECT_EQ(events.count(1519) ? events.at(1519) : 0, 1);
  EXPECT_EQ(events.count(1508), 0u);
}

TEST_P(RecoveryRoutesTest, EnrolmentNeedsThePasswordAndThePolicy) {
  TestAccount owner = NewUser("owner@example.com");
  TestAccount member = NewUser("member@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  const std::string member_id = AddMember(organization, owner, member, 2);
  nlohmann::json body = EnrolmentBody(organization, member);

  TestResponse answer = Enrol(organization, member, body);
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(answer.json()["message"], "Organization does not have the password reset policy enabled.");
  EnableRecovery(organization, owner);

  nlohmann::json wrong = body;
  wrong["masterPasswordHash"] = ClientHashFor(member, "not the password", keywarden::testing::TestKdf());
  answer = Enrol(organization, member, wrong);
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(answer.json()["message"], "Incorrect password");
  nlohmann::json malformed = body;
  malformed["resetPasswordKey"] = "2.not|an|asymmetric";
  EXPECT_EQ(Enrol(organization, member, malformed).status, 400);
  // Only the member enrols themselves: another account id in the path is refused.
  answer = Send("PUT", "/api/organizations/" + organization.id + "/users/" + owner.id + "/reset-password-enrollment",
                body.dump(), member.access_token);
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(answer.json()["message"], "User not valid.");
  TestAccount stranger = NewUser("stranger@example.com");
  nlohmann::json strangers = body;
  strangers["masterPasswordHash"] = stranger.client_hash;
  answer = Send("PUT", "/api/organizations/" + organization.id + "/users/" + stranger.id + "/reset-password-enrollment",
                strangers.dump(), stranger.access_token);
  EXPECT_EQ(answer.json()["message"], "User not valid.");

  ASSERT_EQ(Enrol(organization, member, body).status, 200);
  auto enrolled = [&] {
    const TestResponse one =
        Send("GET", "/api/organizations/" + organization.id + "/users/" + member_id + "?", "", owner.access_token);
    return one.json().value("resetPasswordEnrolled", false);
  };
  EXPECT_TRUE(enrolled());
  // Withdrawal needs no password.
  ASSERT_EQ(Enrol(organization, member, {{"resetPasswordKey", nullptr}, {"masterPasswordHash", nullptr}}).status, 200);
  EXPECT_FALSE(enrolled());
  EXPECT_EQ(Details(organization, owner, member_id).json()["resetPasswordKey"], nullptr);

  // The current web vault withdraws with an empty key.
  ASSERT_EQ(Enrol(organization, member, body).status, 200);
  ASSERT_EQ(Enrol(organization, member, {{"resetPasswordKey", ""}, {"masterPasswordHash", nullptr}}).status, 200);
  EXPECT_FALSE(enrolled());

  // With automatic enrolment, withdrawal is refused.
  ASSERT_EQ(Enrol(organization, member, body).status, 200);
  ASSERT_EQ(SavePolicy(organization, owner, 8, true, {{"autoEnrollEnabled", true}}).status, 200);
  answer = Enrol(organization, member, {{"resetPasswordKey", nullptr}});
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(answer.json()["message"],
            "Due to an Enterprise policy, you are not allowed to withdraw from account recovery.");
  EXPECT_TRUE(enrolled());
  const std::map<int, int> events = EventCounts(member.id);
  EXPECT_EQ(events.count(1506) ? events.at(1506) : 0, 3);
  EXPECT_EQ(events.count(1507) ? events.at(1507) : 0, 2);
}

TEST_P(RecoveryRoutesTest, TrustedDeviceMembersEnrolWithoutAPassword) {
  // They enrol as they first log in, before they have any password: the reference skips the check
  // when the organisation's single sign-on uses trusted devices.
  TestAccount owner = NewUser("owner@example.com");
  TestAccount member = NewUser("member@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  AddMember(organization, owner, member, 2);
  nlohmann::json body = EnrolmentBody(organization, member);
  body["masterPasswordHash"] = nullptr;
  const nlohmann::json trusted_devices = {{"enabled", true},
                                          {"identifier", "acme"},
                                          {"data",
                                           {{"configType", 1},
                                            {"memberDecryptionType", 2},
                                            {"authority", "https://idp.example.com"},
                                            {"clientId", "keywarden"},
                                            {"clientSecret", "secret"}}}};
  const TestResponse saved =
      Post("/api/organizations/" + organization.id + "/sso", trusted_devices, owner.access_token);
  ASSERT_EQ(saved.status, 200) << saved.body;  // turns on single organisation, SSO and recovery
  const TestResponse enrolled = Enrol(organization, member, body);
  EXPECT_EQ(enrolled.status, 200) << enrolled.body;
  // With master passwords again, the password is needed.
  nlohmann::json master_passwords = trusted_devices;
  master_passwords["data"]["memberDecryptionType"] = 0;
  ASSERT_EQ(Post("/api/organizations/" + organization.id + "/sso", master_passwords, owner.access_token).status, 200);
  const TestResponse refused = Enrol(organization, member, body);
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(refused.json()["message"], "Incorrect password");
}

TEST_P(RecoveryRoutesTest, AutoEnrolStatusIsByTheSingleSignOnIdentifier) {
  TestAccount owner = NewUser("owner@example.com");
  TestAccount stranger = NewUser("stranger@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  ASSERT_TRUE(Write(kSetIdentifier, sql::Params().Text(organization.id).Text("Acme-SSO")).ok());
  const auto status = [&](const TestAccount& caller, const std::string& identifier) {
    return Send("GET", "/api/organizations/" + identifier + "/auto-enroll-status", "", caller.access_token);
  };
  TestResponse answer = status(owner, "acme-sso");
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.json()["object"], "organizationAutoEnrollStatus");
  EXPECT_EQ(answer.json()["id"], organization.id);
  EXPECT_EQ(answer.json()["resetPasswordEnabled"], false);
  EnableRecovery(organization, owner, false);
  EXPECT_EQ(status(owner, "Acme-SSO").json()["resetPasswordEnabled"], false);
  ASSERT_EQ(SavePolicy(organization, owner, 8, true, {{"autoEnrollEnabled", true}}).status, 200);
  EXPECT_EQ(status(owner, "Acme-SSO").json()["resetPasswordEnabled"], true);
  EXPECT_EQ(status(stranger, "Acme-SSO").status, 404);
  EXPECT_EQ(status(owner, "no-such-identifier").status, 404);
  EXPECT_EQ(status(owner, organization.id).status, 404);  // by identifier, not by id
}

TEST_P(RecoveryRoutesTest, BulkDetailsLeaveOutWhoTheCallerMayNotRecover) {
  Scene s = EnrolledMember();
  TestAccount admin = NewUser("admin@example.com");
  TestAccount other_owner = NewUser("owner2@example.com");
  AddMember(s.organization, s.owner, admin, 1);
  const std::string owner2_id = AddMember(s.organization, s.owner, other_owner, 0);
  const nlohmann::json ids = {
      {"ids", {s.member_id, owner2_id, s.organization.owner_member_id, "00000000-0000-0000-0000-000000000009"}}};
  const TestResponse as_admin =
      Post("/api/organizations/" + s.organization.id + "/users/account-recovery-details", ids, admin.access_token);
  ASSERT_EQ(as_admin.status, 200) << as_admin.body;
  ASSERT_EQ(as_admin.json()["data"].size(), 1u);
  EXPECT_EQ(as_admin.json()["data"][0]["organizationUserId"], s.member_id);
  const TestResponse as_owner =
      Post("/api/organizations/" + s.organization.id + "/users/account-recovery-details", ids, s.owner.access_token);
  ASSERT_EQ(as_owner.status, 200) << as_owner.body;
  EXPECT_EQ(as_owner.json()["data"].size(), 3u);
  const TestResponse as_member =
      Post("/api/organizations/" + s.organization.id + "/users/account-recovery-details", ids, s.member.access_token);
  EXPECT_EQ(as_member.status, 404);
  EXPECT_EQ(Post("/api/organizations/" + s.organization.id + "/users/account-recovery-details", {{"ids", "x"}},
                 s.owner.access_token)
                .status,
            400);
}

// With mail: automatic enrolment at the mailed invitation's acceptance, then the member's mail
// about the recovery and about the replaced temporary password, through a real SMTP server.
class RecoveryMailTest : public RecoveryRoutesTest {
 protected:
  void SetUp() override {}
};
KW_SERVER_TEST_ON_EACH_DATABASE(RecoveryMailTest);

TEST_P(RecoveryMailTest, AutoEnrolmentAtAcceptanceAndTheMembersMail) {
  KW_SMTP_SERVER_OR_SKIP(smtp, keywarden::testing::SmtpServerOptions{});
  StartServer([&](ServerConfig& c) { MailTo(c, smtp->port()); });
  TestAccount owner = NewUser("owner@example.com");
  TestAccount member = NewUser("member@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  EnableRecovery(organization, owner, /*auto_enroll=*/true);
  const std::string member_id = Invite(organization, owner, member, 2);
  // Two new-device notices, then the invitation.
  auto mails = smtp->WaitForMessages(3, std::chrono::seconds(20));
  ASSERT_TRUE(mails.ok()) << mails.status().message();
  std::smatch match;
  const std::string invitation = mails->back().text.value_or("");
  ASSERT_TRUE(std::regex_search(invitation, match, std::regex(R"(token=([A-Za-z0-9_-]+))"))) << invitation;
  const std::string token = match[1].str();
  // Before accepting, the web vault reads the policies with the invitation itself.
  const auto policies_by_token = [&](const std::string& email, const std::string& with_token) {
    return Send("GET", "/api/organizations/" + organization.id + "/policies/token?email=" + email +
                           "&token=" + with_token + "&organizationUserId=" + member_id);
  };
  const TestResponse policies = policies_by_token("member%40example.com", token);
  ASSERT_EQ(policies.status, 200) << policies.body;
  bool auto_enrol = false;
  const nlohmann::json listed = policies.json();
  for (const auto& policy : listed["data"]) {
    if (policy["type"] == 8) auto_enrol = policy["data"]["autoEnrollEnabled"] == true;
  }
  EXPECT_TRUE(auto_enrol) << policies.body;
  EXPECT_EQ(policies_by_token("owner%40example.com", token).status, 404);
  EXPECT_EQ(policies_by_token("member%40example.com", "made-up").status, 404);
  const std::string accept = "/api/organizations/" + organization.id + "/users/" + member_id + "/accept";
  const TestResponse without_key = Post(accept, {{"token", token}}, member.access_token);
  EXPECT_EQ(without_key.status, 400);
  EXPECT_EQ(without_key.json()["message"], "Master Password reset is required, but not provided.");
  const nlohmann::json enrolment = EnrolmentBody(organization, member);
  const TestResponse accepted =
      Post(accept, {{"token", token}, {"resetPasswordKey", enrolment["resetPasswordKey"]}}, member.access_token);
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  ASSERT_EQ(Confirm(organization, owner, member_id).status, 200);

  const nlohmann::json details = Details(organization, owner, member_id).json();
  ASSERT_EQ(Recover(organization, owner, member_id, RecoveryBody(organization, details, kNewPassword)).status, 200);
  auto after_recovery = smtp->WaitForMessages(4, std::chrono::seconds(20));
  ASSERT_TRUE(after_recovery.ok()) << after_recovery.status().message();
  const auto& recovered_mail = after_recovery->back();
  EXPECT_EQ(recovered_mail.recipients, std::vector<std::string>{member.email});
  EXPECT_EQ(recovered_mail.subject, "Your Keywarden account was recovered");
  EXPECT_NE(recovered_mail.text.value_or("").find("Acme"), std::string::npos);
  EXPECT_EQ(recovered_mail.text.value_or("").find(kNewPassword), std::string::npos);

  TestAccount recovered = member;
  recovered.password = kNewPassword;
  recovered.client_hash = ClientHashFor(member, kNewPassword, keywarden::testing::TestKdf());
  keywarden::testing::LogIn(port(), recovered, "device-2");
  const std::optional<SymmetricKey> user_key = UserKeyOf(recovered, kNewPassword);
  ASSERT_TRUE(user_key.has_value());
  auto master_key = MasterKey::Derive("chosen by the member", member.email, keywarden::testing::TestKdf());
  ASSERT_TRUE(master_key.ok());
  const nlohmann::json update = {{"newMasterPasswordHash", *master_key->ServerHash("chosen by the member")},
                                 {"key", master_key->EncryptUserKey(*user_key)->ToString()},
                                 {"masterPasswordHint", nullptr}};
  ASSERT_EQ(Send("PUT", "/api/accounts/update-temp-password", update.dump(), recovered.access_token).status, 200);
  auto after_update = smtp->WaitForMessages(6, std::chrono::seconds(20));  // a new-device notice, then this
  ASSERT_TRUE(after_update.ok()) << after_update.status().message();
  EXPECT_EQ(after_update->back().subject, "Your Keywarden master password was changed");
  EXPECT_EQ(EventCounts(member.id)[1506], 1);
  StopServer();
}

}  // namespace
}  // namespace keywarden::server::testing
