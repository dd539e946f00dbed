// The account's Key Connector routes (src/server/accounts/key_connector_routes.h) against a real
// server on both databases: a provisioned member setting up Key Connector in either body form,
// a master password member converting or enrolling, every refusal of the reference, and what
// follows (the profile, the API key login's ApiUseKeyConnector, leaving, password changes).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <set>
#include <string>

#include "server/accounts/sso_account_fixture.h"

namespace keywarden::server::testing {
namespace {

class KeyConnectorRoutesTest : public SsoAccountTest {
 protected:
  // An owner and "Acme" with Key Connector under the identifier "acme".
  void SetUpOrganization() {
    owner_ = NewUser("owner@example.com");
    organization_ = NewOrganizationOf(owner_);
    EnableSso(organization_, owner_, "acme", 1);
  }

  // What the clients send for a new Key Connector account: a user key and key pair under a
  // Key Connector key the client made and stored at the Key Connector.
  struct KeyConnectorSetup {
    MasterKey key_connector_key;
    nlohmann::json v1;
    nlohmann::json v2;
  };
  static KeyConnectorSetup NewSetup(const std::string& identifier) {
    auto key = MasterKey::Generate();
    EXPECT_TRUE(key.ok());
    auto account = InitializeAccount(*key);
    EXPECT_TRUE(account.ok());
    const std::string user_key = account->stored.encrypted_user_key.ToString();
    const std::string public_key = account->stored.public_key.ToBase64();
    const std::string private_key = account->stored.encrypted_private_key.ToString();
    KeyConnectorSetup out{*std::move(key), {}, {}};
    out.v1 = {{"key", user_key},
              {"keys", {{"publicKey", public_key}, {"encryptedPrivateKey", private_key}}},
              {"kdf", 0},
              {"kdfIterations", 600000},
              {"kdfMemory", nullptr},
              {"kdfParallelism", nullptr},
              {"orgIdentifier", identifier}};
    out.v2 = {{"keyConnectorKeyWrappedUserKey", user_key},
              {"accountKeys",
               {{"accountPublicKey", public_key},
                {"userKeyEncryptedAccountPrivateKey", private_key},
                {"publicKeyEncryptionKeyPair", {{"publicKey", public_key}, {"wrappedPrivateKey", private_key}}}}},
              {"orgIdentifier", identifier}};
    return out;
  }

  TestResponse SetKey(const TestAccount& account, const nlohmann::json& body) {
    return Post("/api/accounts/set-key-connector-key", body, account.access_token);
  }

  // The account unlocks with the Key Connector key: the stored user key opens and matches its
  // private key.
  void ExpectUnlocksWith(const TestAccount& account, const MasterKey& key_connector_key) {
    const nlohmann::json profile = Profile(account);
    EXPECT_EQ(profile["usesKeyConnector"], true);
    auto encrypted = EncString::Parse(profile.value("key", ""));
    ASSERT_TRUE(encrypted.ok()) << profile.dump();
    auto user_key = UnlockWithKeyConnector(key_connector_key, *encrypted);
    ASSERT_TRUE(user_key.ok()) << user_key.status().ToString();
    auto private_key = EncString::Parse(profile.value("privateKey", ""));
    ASSERT_TRUE(private_key.ok());
    EXPECT_TRUE(DecryptPrivateKey(*user_key, *private_key).ok());
  }

  TestAccount owner_;
  TestOrganization organization_;
};
KW_SERVER_TEST_ON_EACH_DATABASE(KeyConnectorRoutesTest);

TEST_P(KeyConnectorRoutesTest, AProvisionedMemberSetsItsKeyAndJoins) {
  SetUpOrganization();
  SsoAccount sso = NewSsoAccount("kc@example.com");
  const std::string member_id = AddProvisionedMember(organization_, sso.account.id);
  EXPECT_FALSE(ApiKeyGrant(sso).json().contains("ApiUseKeyConnector"));
  KeyConnectorSetup setup = NewSetup("acme");

  // Bodies of the wrong shape and malformed keys change nothing.
  const auto refused = [&](const nlohmann::json& body, const std::string& why) {
    const TestResponse answer = SetKey(sso.account, body);
    EXPECT_EQ(answer.status, 400) << body.dump() << " " << answer.body;
    EXPECT_EQ(Refusal(answer), why) << answer.body;
  };
  EXPECT_EQ(Send("POST", "/api/accounts/set-key-connector-key", "[]", sso.account.access_token).status, 400);
  EXPECT_EQ(Send("POST", "/api/accounts/set-key-connector-key", "{", sso.account.access_token).status, 400);
  nlohmann::json body = setup.v1;
  body.erase("orgIdentifier");
  refused(body, "OrgIdentifier");
  body = setup.v1;
  body["key"] = "not an encrypted string";
  refused(body, "Key");
  body = setup.v1;
  body.erase("key");
  refused(body, "Key");
  body = setup.v1;
  body["keys"]["publicKey"] = "AAAA";
  refused(body, "Keys.PublicKey");
  body = setup.v1;
  body["keys"]["encryptedPrivateKey"] = 7;
  refused(body, "Keys.EncryptedPrivateKey");
  body = setup.v1;
  body.erase("kdf");
  refused(body, "Kdf");
  body = setup.v1;
  body["kdfIterations"] = 5;
  refused(body, "Kdf.Iterations");
  body = setup.v1;
  body["orgIdentifier"] = "nope";
  refused(body, "Organization invalid.");
  // An organisation the account is not in.
  TestAccount other_owner = NewUser("other-owner@example.com");
  const TestOrganization other = NewOrganizationOf(other_owner, "Other");
  EnableSso(other, other_owner, "other", 1);
  body["orgIdentifier"] = "other";
  refused(body, "User not found within organization.");
  EXPECT_EQ(Profile(sso.account)["usesKeyConnector"], false);
  EXPECT_EQ(MemberStatusOf(organization_, owner_, member_id), 0);

  const TestResponse set = SetKey(sso.account, setup.v1);
  ASSERT_EQ(set.status, 200) << set.body;
  ExpectUnlocksWith(sso.account, setup.key_connector_key);
  EXPECT_EQ(MemberStatusOf(organization_, owner_, member_id), 1);
  EXPECT_EQ(UserEventTypes(sso.account.id).count(1009), 1u);

  // Once is enough.
  refused(setup.v1, "Cannot use Key Connector");
  refused(NewSetup("acme").v2, "Cannot use Key Connector");

  // The API key login tells the CLI to unlock with Key Connector.
  const TestResponse login = ApiKeyGrant(sso);
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(login.json()["ApiUseKeyConnector"], true);

  // A Key Connector account may not leave its Key Connector organisation, nor change a
  // password or KDF it does not have.
  const TestResponse leave =
      Send("POST", "/api/organizations/" + organization_.id + "/leave", "", sso.account.access_token);
  EXPECT_EQ(leave.status, 400);
  EXPECT_EQ(Refusal(leave), "Your organization single sign-on settings prevent you from leaving.");
  for (const char* path : {"/api/accounts/password", "/api/accounts/kdf"}) {
    const TestResponse changed =
        Post(path, {{"masterPasswordHash", sso.account.client_hash}}, sso.account.access_token);
    EXPECT_EQ(changed.status, 400) << path;
    EXPECT_EQ(Refusal(changed), "Cannot update password of a user with Key Connector.") << path;
  }
  EXPECT_EQ(MemberStatusOf(organization_, owner_, member_id), 1);
}

TEST_P(KeyConnectorRoutesTest, TheNewerBodyStoresTheDefaultKdf) {
  SetUpOrganization();
  SsoAccount sso = NewSsoAccount("kc2@example.com");
  const std::string member_id = AddProvisionedMember(organization_, sso.account.id);
  KeyConnectorSetup setup = NewSetup("ACME");  // the identifier without regard to case

  nlohmann::json body = setup.v2;
  body["accountKeys"]["accountPublicKey"] = "bad";
  EXPECT_EQ(Refusal(SetKey(sso.account, body)), "AccountKeys.PublicKey");
  body = setup.v2;
  body["keyConnectorKeyWrappedUserKey"] = "2.bad";
  EXPECT_EQ(Refusal(SetKey(sso.account, body)), "KeyConnectorKeyWrappedUserKey");

  const TestResponse set = SetKey(sso.account, setup.v2);
  ASSERT_EQ(set.status, 200) << set.body;
  ExpectUnlocksWith(sso.account, setup.key_connector_key);
  EXPECT_EQ(MemberStatusOf(organization_, owner_, member_id), 1);
  const TestResponse prelogin = Post("/identity/accounts/prelogin", {{"email", sso.account.email}});
  ASSERT_EQ(prelogin.status, 200) << prelogin.body;
  EXPECT_EQ(prelogin.json()["kdf"], 1);
  EXPECT_EQ(prelogin.json()["kdfIterations"], 6);
  EXPECT_EQ(prelogin.json()["kdfMemory"], 32);
  EXPECT_EQ(prelogin.json()["kdfParallelism"], 4);
}

TEST_P(KeyConnectorRoutesTest, SettingTheKeyIsRefusedToWhoMayNotUseKeyConnector) {
  SetUpOrganization();
  const auto refused = [&](const TestAccount& account, const std::string& identifier, const std::string& why) {
    const TestResponse answer = SetKey(account, NewSetup(identifier).v1);
    EXPECT_EQ(answer.status, 400) << answer.body;
    EXPECT_EQ(Refusal(answer), why) << answer.body;
  };
  // An administrator, anywhere.
  SsoAccount admin = NewSsoAccount("admin@example.com");
  const std::string admin_id = AddProvisionedMember(organization_, admin.account.id, 1);
  refused(admin.account, "acme", "Cannot use Key Connector");
  EXPECT_EQ(MemberStatusOf(organization_, owner_, admin_id), 0);
  // An account that has a master password.
  TestAccount registered = NewUser("registered@example.com");
  Invite(organization_, owner_, registered, 2);
  refused(registered, "acme", "User already has a password set.");
  // An organisation whose members unlock with their master password.
  TestAccount mp_owner = NewUser("mp-owner@example.com");
  const TestOrganization mp = NewOrganizationOf(mp_owner, "Passwords");
  EnableSso(mp, mp_owner, "passwords", 0);
  SsoAccount sso = NewSsoAccount("sso@example.com");
  AddProvisionedMember(mp, sso.account.id);
  refused(sso.account, "passwords", "Cannot use Key Connector");
  // A membership already accepted.
  SsoAccount accepted = NewSsoAccount("accepted@example.com");
  AddProvisionedMember(organization_, accepted.account.id, 2, organizations::MemberStatus::kAccepted);
  refused(accepted.account, "acme", "Already accepted.");
  EXPECT_EQ(Profile(accepted.account)["usesKeyConnector"], false);
  EXPECT_EQ(UserEventTypes(accepted.account.id).count(1009), 0u);
}

TEST_P(KeyConnectorRoutesTest, AMasterPasswordMemberConvertsOrEnrolls) {
  SetUpOrganization();
  TestAccount member = NewUser("member@example.com");
  AddMember(organization_, owner_, member, 2);
  const std::string key_before = Profile(member).value("key", "");

  const TestResponse converted = Post("/api/accounts/convert-to-key-connector", nullptr, member.access_token);
  ASSERT_EQ(converted.status, 200) << converted.body;
  const nlohmann::json profile = Profile(member);  // the session stays
  EXPECT_EQ(profile["usesKeyConnector"], true);
  EXPECT_EQ(profile["key"], key_before);
  EXPECT_EQ(PasswordGrant(member).status, 400);  // the password is gone
  EXPECT_EQ(UserEventTypes(member.id).count(1009), 1u);
  const TestResponse again = Post("/api/accounts/convert-to-key-connector", nullptr, member.access_token);
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(Refusal(again), "Cannot use Key Connector");

  // Enrolment replaces the user key with the one the Key Connector key wraps.
  TestAccount second = NewUser("second@example.com");
  AddMember(organization_, owner_, second, 2);
  const auto enroll = [&](const std::string& body) {
    return Send("POST", "/api/accounts/key-connector/enroll", body, second.access_token);
  };
  EXPECT_EQ(Refusal(enroll("{}")), "KeyConnectorKeyWrappedUserKey");
  EXPECT_EQ(Refusal(enroll(R"({"keyConnectorKeyWrappedUserKey": "nonsense"})")), "KeyConnectorKeyWrappedUserKey");
  EXPECT_EQ(enroll("[]").status, 400);
  EXPECT_EQ(Profile(second)["usesKeyConnector"], false);
  KeyConnectorSetup setup = NewSetup("acme");
  const TestResponse enrolled = enroll(nlohmann::json{{"keyConnectorKeyWrappedUserKey", setup.v1["key"]}}.dump());
  ASSERT_EQ(enrolled.status, 200) << enrolled.body;
  EXPECT_EQ(Profile(second)["key"], setup.v1["key"]);
  EXPECT_EQ(Profile(second)["usesKeyConnector"], true);
  EXPECT_EQ(UserEventTypes(second.id).count(1009), 1u);
}

TEST_P(KeyConnectorRoutesTest, ConversionIsRefusedToOwnersAdminsAndOutsiders) {
  SetUpOrganization();
  TestAccount admin = NewUser("admin@example.com");
  AddMember(organization_, owner_, admin, 1);
  TestAccount stranger = NewUser("stranger@example.com");
  TestAccount mp_owner = NewUser("mp-owner@example.com");
  const TestOrganization mp = NewOrganizationOf(mp_owner, "Passwords");
  EnableSso(mp, mp_owner, "passwords", 0);
  TestAccount mp_member = NewUser("mp-member@example.com");
  AddMember(mp, mp_owner, mp_member, 2);
  for (const TestAccount* account : {&owner_, &admin, &stranger, &mp_member}) {
    for (const char* path : {"/api/accounts/convert-to-key-connector", "/api/accounts/key-connector/enroll"}) {
      const TestResponse answer =
          Post(path, {{"keyConnectorKeyWrappedUserKey", NewSetup("acme").v1["key"]}}, account->access_token);
      EXPECT_EQ(answer.status, 400) << account->email << " " << path;
      EXPECT_EQ(Refusal(answer), "Cannot use Key Connector") << account->email << " " << path;
    }
    EXPECT_EQ(Profile(*account)["usesKeyConnector"], false);
    EXPECT_EQ(PasswordGrant(*account).status, 200) << account->email;
  }
}

TEST_P(KeyConnectorRoutesTest, ConfirmationDetailsForMembersOfKeyConnectorOrganizations) {
  SetUpOrganization();
  SsoAccount sso = NewSsoAccount("kc@example.com");
  AddProvisionedMember(organization_, sso.account.id);
  const auto details = [&](const TestAccount& account, const std::string& identifier) {
    return Send("GET", "/api/accounts/key-connector/confirmation-details/" + identifier, "", account.access_token);
  };
  const TestResponse found = details(sso.account, "acme");
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(found.json(),
            (nlohmann::json{{"object", "keyConnectorConfirmationDetails"}, {"organizationName", "Acme"}}));
  EXPECT_EQ(details(owner_, "ACME").status, 200);
  TestAccount stranger = NewUser("stranger@example.com");
  EXPECT_EQ(details(stranger, "acme").status, 404);
  EXPECT_EQ(details(sso.account, "unknown").status, 404);
  TestAccount mp_owner = NewUser("mp-owner@example.com");
  const TestOrganization mp = NewOrganizationOf(mp_owner, "Passwords");
  EnableSso(mp, mp_owner, "passwords", 0);
  EXPECT_EQ(details(mp_owner, "passwords").status, 404);
}

TEST_P(KeyConnectorRoutesTest, MembersWhoDoNotUseKeyConnectorMayLeave) {
  SetUpOrganization();
  TestAccount member = NewUser("member@example.com");
  AddMember(organization_, owner_, member, 2);
  const TestResponse left = Send("POST", "/api/organizations/" + organization_.id + "/leave", "", member.access_token);
  EXPECT_EQ(left.status, 200) << left.body;
  // A password account's API key login carries no ApiUseKeyConnector.
  const TestResponse key =
      Post("/api/accounts/api-key", {{"masterPasswordHash", member.client_hash}}, member.access_token);
  ASSERT_EQ(key.status, 200) << key.body;
  SsoAccount with_key{member, key.json().value("apiKey", "")};
  const TestResponse login = ApiKeyGrant(with_key);
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_FALSE(login.json().contains("ApiUseKeyConnector"));
}

}  // namespace
}  // namespace keywarden::server::testing
