// The first master password of an account that has none (src/server/accounts/set_password_routes.h)
// against a real server on both databases: a member provisioned into a master password
// organisation (either body form), a trusted-devices member who must set one, and a
// trusted-devices member whose organisation went back to master passwords; each with the
// reference's refusals, and the password then logging in.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <set>
#include <string>

#include "server/accounts/sso_account_fixture.h"

namespace keywarden::server::testing {
namespace {

class SetPasswordRoutesTest : public SsoAccountTest {
 protected:
  // What the web vault sends for `account`'s first master password `password`: the 2026 body
  // (without account keys unless `with_keys`), and the older one.
  struct PasswordSetup {
    std::string client_hash;
    nlohmann::json v2;
    nlohmann::json v1;
  };
  static PasswordSetup NewPassword(const TestAccount& account, const std::string& password,
                                   const std::string& identifier, bool with_keys = true) {
    auto master_key = MasterKey::Derive(password, account.email, TestKdf());
    EXPECT_TRUE(master_key.ok());
    auto hash = master_key->ServerHash(password);
    auto made = InitializeAccount(*master_key);
    EXPECT_TRUE(hash.ok() && made.ok());
    const std::string user_key = made->stored.encrypted_user_key.ToString();
    PasswordSetup out;
    out.client_hash = *hash;
    out.v2 = {
        {"masterPasswordAuthentication",
         {{"salt", account.email}, {"kdf", KdfJson()}, {"masterPasswordAuthenticationHash", *hash}}},
        {"masterPasswordUnlock", {{"salt", account.email}, {"kdf", KdfJson()}, {"masterKeyWrappedUserKey", user_key}}},
        {"masterPasswordHint", "the usual"},
        {"orgIdentifier", identifier}};
    if (with_keys) {
      out.v2["accountKeys"] = {{"accountPublicKey", made->stored.public_key.ToBase64()},
                               {"userKeyEncryptedAccountPrivateKey", made->stored.encrypted_private_key.ToString()}};
    }
    out.v1 = {{"masterPasswordHash", *hash},
              {"key", user_key},
              {"keys",
               {{"publicKey", made->stored.public_key.ToBase64()},
                {"encryptedPrivateKey", made->stored.encrypted_private_key.ToString()}}},
              {"kdf", 1},
              {"kdfIterations", 2},
              {"kdfMemory", 16},
              {"kdfParallelism", 1},
              {"masterPasswordHint", "the usual"},
              {"orgIdentifier", identifier}};
    return out;
  }

  TestResponse SetPassword(const TestAccount& account, const nlohmann::json& body) {
    return Post("/api/accounts/set-password", body, account.access_token);
  }

  // The password grant with `client_hash`.
  TestResponse LogInWith(TestAccount account, const std::string& client_hash) {
    account.client_hash = client_hash;
    return PasswordGrant(account);
  }
};
KW_SERVER_TEST_ON_EACH_DATABASE(SetPasswordRoutesTest);

TEST_P(SetPasswordRoutesTest, AProvisionedMemberSetsItsPasswordAndJoins) {
  TestAccount owner = NewUser("owner@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  EnableSso(organization, owner, "acme", 0);
  SsoAccount sso = NewSsoAccount("jit@example.com");
  const std::string member_id = AddProvisionedMember(organization, sso.account.id);
  PasswordSetup setup = NewPassword(sso.account, "correct horse", "acme");

  const auto refused = [&](const nlohmann::json& body, const std::string& why) {
    const TestResponse answer = SetPassword(sso.account, body);
    EXPECT_EQ(answer.status, 400) << body.dump() << " " << answer.body;
    EXPECT_EQ(Refusal(answer), why) << answer.body;
  };
  EXPECT_EQ(Send("POST", "/api/accounts/set-password", "[1]", sso.account.access_token).status, 400);
  nlohmann::json body = setup.v2;
  body.erase("orgIdentifier");
  refused(body, "OrgIdentifier");
  body = setup.v2;
  body["masterPasswordUnlock"]["masterKeyWrappedUserKey"] = "2.x|y|z";
  refused(body, "UserSymmetricKey");
  body = setup.v2;
  body["masterPasswordAuthentication"]["salt"] = "someone@example.com";
  body["masterPasswordUnlock"]["salt"] = "someone@example.com";
  refused(body, "MasterPasswordUnlock.Salt");
  body = setup.v2;
  body["accountKeys"]["accountPublicKey"] = "not a key";
  refused(body, "AccountKeys.PublicKey");
  body = setup.v2;
  body["masterPasswordHint"] = std::string(51, 'h');
  refused(body, "MasterPasswordHint");
  body = setup.v2;
  body["orgIdentifier"] = "unknown";
  refused(body, "Organization SSO identifier is invalid.");
  TestAccount other_owner = NewUser("other@example.com");
  const TestOrganization other = NewOrganizationOf(other_owner, "Other");
  EnableSso(other, other_owner, "other", 0);
  body["orgIdentifier"] = "other";
  refused(body, "User not found within organization.");
  EXPECT_EQ(MemberStatusOf(organization, owner, member_id), 0);
  EXPECT_EQ(LogInWith(sso.account, setup.client_hash).status, 400);

  const TestResponse set = SetPassword(sso.account, setup.v2);
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(MemberStatusOf(organization, owner, member_id), 1);
  EXPECT_EQ(UserEventTypes(sso.account.id).count(1001), 1u);
  const TestResponse login = LogInWith(sso.account, setup.client_hash);
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(login.json()["Key"], setup.v2["masterPasswordUnlock"]["masterKeyWrappedUserKey"]);
  EXPECT_EQ(Profile(sso.account)["masterPasswordHint"], "the usual");  // the session stays
  EXPECT_FALSE(ApiKeyGrant(sso).json().contains("ApiUseKeyConnector"));

  refused(NewPassword(sso.account, "another", "acme").v2, "User already has a master password set.");
  refused(NewPassword(sso.account, "another", "acme").v1, "User already has a password set.");
}

TEST_P(SetPasswordRoutesTest, TheOlderBodyAcceptsTooAndKeepsTheAccountsKeys) {
  TestAccount owner = NewUser("owner@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  EnableSso(organization, owner, "acme", 0);
  SsoAccount sso = NewSsoAccount("jit@example.com");
  const std::string member_id = AddProvisionedMember(organization, sso.account.id);
  PasswordSetup setup = NewPassword(sso.account, "correct horse", "acme");

  nlohmann::json body = setup.v1;
  body.erase("kdf");
  EXPECT_EQ(Refusal(SetPassword(sso.account, body)), "Kdf");
  body = setup.v1;
  body["kdfIterations"] = 1;
  EXPECT_EQ(Refusal(SetPassword(sso.account, body)), "Kdf.Iterations");
  body = setup.v1;
  body["keys"]["encryptedPrivateKey"] = "nonsense";
  EXPECT_EQ(Refusal(SetPassword(sso.account, body)), "Keys.EncryptedPrivateKey");
  body = setup.v1;
  body["orgIdentifier"] = "unknown";
  EXPECT_EQ(Refusal(SetPassword(sso.account, body)), "Organization invalid.");

  const TestResponse set = SetPassword(sso.account, setup.v1);
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(MemberStatusOf(organization, owner, member_id), 1);
  const nlohmann::json profile = Profile(sso.account);
  EXPECT_EQ(profile["key"], setup.v1["key"]);
  EXPECT_EQ(profile["privateKey"], setup.v1["keys"]["encryptedPrivateKey"]);
  EXPECT_EQ(LogInWith(sso.account, setup.client_hash).status, 200);

  // An account that registered with a password has one already.
  TestAccount registered = NewUser("registered@example.com");
  Invite(organization, owner, registered, 2);
  const TestResponse again = SetPassword(registered, NewPassword(registered, "x", "acme").v1);
  EXPECT_EQ(Refusal(again), "User already has a password set.");
}

TEST_P(SetPasswordRoutesTest, ATrustedDevicesMemberSetsAPasswordWithItsKeys) {
  TestAccount owner = NewUser("owner@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  EnableSso(organization, owner, "acme", 2);
  SsoAccount keyless = NewSsoAccount("keyless@example.com");
  AddProvisionedMember(organization, keyless.account.id, 2, organizations::MemberStatus::kAccepted);
  const TestResponse refused = SetPassword(keyless.account, NewPassword(keyless.account, "pw", "acme", false).v2);
  EXPECT_EQ(Refusal(refused), "TDE user account keys must be set before setting initial master password.");

  SsoAccount tde = NewSsoAccount("tde@example.com", /*key_pair=*/true);
  const std::string member_id =
      AddProvisionedMember(organization, tde.account.id, 2, organizations::MemberStatus::kAccepted);
  const std::string private_key = Profile(tde.account).value("privateKey", "");
  EXPECT_FALSE(private_key.empty());
  PasswordSetup setup = NewPassword(tde.account, "correct horse", "acme", /*with_keys=*/false);
  const TestResponse set = SetPassword(tde.account, setup.v2);
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(MemberStatusOf(organization, owner, member_id), 1);
  EXPECT_EQ(Profile(tde.account)["privateKey"], private_key);
  EXPECT_EQ(UserEventTypes(tde.account.id).count(1001), 1u);
}

TEST_P(SetPasswordRoutesTest, TrustedDevicesOffboardingSetsThePasswordAndEndsSessions) {
  TestAccount owner = NewUser("owner@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  EnableSso(organization, owner, "acme", 2);
  SsoAccount tde = NewSsoAccount("tde@example.com", /*key_pair=*/true);
  AddProvisionedMember(organization, tde.account.id, 2, organizations::MemberStatus::kConfirmed);
  PasswordSetup setup = NewPassword(tde.account, "correct horse", "acme");
  const nlohmann::json legacy = {
      {"newMasterPasswordHash", setup.client_hash}, {"key", setup.v1["key"]}, {"masterPasswordHint", "offboarded"}};
  const auto update = [&](const TestAccount& account, const nlohmann::json& body) {
    return Send("PUT", "/api/accounts/update-tde-offboarding-password", body.dump(), account.access_token);
  };

  TestResponse answer = update(tde.account, legacy);
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(Refusal(answer), "Organization SSO Member Decryption Type is not Master Password.");
  // The organisation goes back to master passwords.
  ASSERT_EQ(SaveSso(organization, owner, ConsoleBody("acme", 0)).status, 200);
  ASSERT_EQ(SetPolicy(organization, owner, 4, false).status, 200);

  EXPECT_EQ(update(tde.account, nlohmann::json::object()).status, 400);
  nlohmann::json body = legacy;
  body["key"] = "garbage";
  EXPECT_EQ(Refusal(update(tde.account, body)), "Key");
  body = legacy;
  body["masterPasswordHint"] = std::string(51, 'x');
  EXPECT_EQ(Refusal(update(tde.account, body)), "MasterPasswordHint");
  // Someone with a password, and an account in no single sign-on organisation.
  EXPECT_EQ(Refusal(update(owner, legacy)), "User already has a master password.");
  SsoAccount alone = NewSsoAccount("alone@example.com", true);
  EXPECT_EQ(Refusal(update(alone.account, legacy)), "User is not part of any organization that has SSO enabled.");

  answer = update(tde.account, legacy);
  ASSERT_EQ(answer.status, 200) << answer.body;
  // A new security stamp: the old token is done; the password logs in.
  EXPECT_EQ(Send("GET", "/api/accounts/profile", "", tde.account.access_token).status, 401);
  const TestResponse login = LogInWith(tde.account, setup.client_hash);
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(login.json()["Key"], setup.v1["key"]);
  EXPECT_EQ(UserEventTypes(tde.account.id).count(1011), 1u);
  bool logged_out = false;
  for (const notifications::PushNotification& push : QueuedPushes(tde.account.id)) logged_out |= push.type == 11;
  EXPECT_TRUE(logged_out);
  tde.account.access_token = login.json().value("access_token", "");
  EXPECT_EQ(Refusal(update(tde.account, legacy)), "User already has a master password.");
}

}  // namespace
}  // namespace keywarden::server::testing
