// POST /api/accounts/key-management/rotate-user-account-keys end to end
// (server/key_management/key_rotation_routes.h): a member with a vault, a trusted device and an
// account recovery enrolment changes its password and user key at once, with a body built as the
// web vault builds it. Afterwards the old password is refused, the new one opens the new key,
// every item and folder opens under it, the device and the organisation reach the new key, every
// session has ended and a LogOut push is queued. On SQLite and on PostgreSQL.
#include <algorithm>

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "server/key_management/rotation_fixture.h"

namespace keywarden::server::testing {
namespace {

constexpr char kNewPassword[] = "a new master password for the rotation";

class PasswordChangeRotationTest : public RotationTest {};

TEST_P(PasswordChangeRotationTest, RotationReencryptsEverythingUnderTheNewKey) {
  Scene s = MemberWithVault();
  const SymmetricKey old_key = MustUserKey(s.member);
  const SymmetricKey new_key = NewKey();

  const TestResponse rotated = Post(
      kRotateWithPasswordPath, PasswordChangeBody(s.member, old_key, new_key, kNewPassword), s.member.access_token);
  ASSERT_EQ(rotated.status, 200) << rotated.body;

  // Every session ended: the old access and refresh tokens and the old password are refused.
  EXPECT_EQ(Send("GET", "/api/accounts/profile", "", s.member.access_token).status, 401);
  EXPECT_EQ(keywarden::testing::SendRefreshGrant(port(), s.member.refresh_token).status, 400);
  EXPECT_EQ(PasswordGrant(s.member).status, 400);

  // The new password logs in and opens the new user key.
  TestAccount member = WithPassword(s.member, kNewPassword);
  keywarden::testing::LogIn(port(), member);
  ASSERT_FALSE(member.access_token.empty());
  const std::optional<SymmetricKey> opened = UserKeyOf(member, kNewPassword);
  ASSERT_TRUE(opened.has_value());
  EXPECT_TRUE(opened->Equals(new_key));
  EXPECT_EQ(Send("GET", "/api/accounts/profile", "", member.access_token).json()["masterPasswordHint"], "a new hint");

  // Every item and folder opens under the new key, and no longer under the old one.
  const nlohmann::json sync = Sync(member);
  std::set<std::string> names;
  ASSERT_EQ(sync["ciphers"].size(), 2u);
  for (const auto& cipher : sync["ciphers"]) {
    const std::optional<std::string> name = Dec(new_key, cipher.value("name", ""));
    ASSERT_TRUE(name.has_value()) << cipher.dump();
    names.insert(*name);
    EXPECT_EQ(Dec(new_key, cipher["login"].value("password", "")), "password of " + *name);
    EXPECT_FALSE(Dec(old_key, cipher.value("name", "")).has_value());
    if (*name == "Bank") {
      EXPECT_EQ(cipher["folderId"], s.folder_id);
    }
  }
  EXPECT_EQ(names, (std::set<std::string>{"Bank", "Mail"}));
  ASSERT_EQ(sync["folders"].size(), 1u);
  EXPECT_EQ(Dec(new_key, sync["folders"][0].value("name", "")), "Banking");

  // The account's private key opens under the new key and is the same key pair.
  auto private_key = EncString::Parse(sync["profile"].value("privateKey", ""));
  ASSERT_TRUE(private_key.ok());
  EXPECT_TRUE(DecryptPrivateKey(new_key, *private_key).ok());

  // The trusted device reaches the new key with its unchanged device key.
  EXPECT_TRUE(DeviceOpensTo(member.id, "device-2", s.device->device_key, new_key));

  // The organisation opens the re-made enrolment to the new key.
  const TestResponse details = Details(s.organization, s.owner, s.member_id);
  ASSERT_EQ(details.status, 200) << details.body;
  auto org_private_key = EncString::Parse(details.json().value("encryptedPrivateKey", ""));
  auto reset_password_key = AsymmetricEncString::Parse(details.json().value("resetPasswordKey", ""));
  ASSERT_TRUE(org_private_key.ok() && reset_password_key.ok());
  auto recovered = RecoverAccount({.org_key = *s.organization.key,
                                   .org_encrypted_private_key = *org_private_key,
                                   .reset_password_key = *reset_password_key,
                                   .new_password = "recovered password",
                                   .email = member.email,
                                   .kdf = keywarden::testing::TestKdf()});
  ASSERT_TRUE(recovered.ok()) << recovered.status().ToString();
  EXPECT_TRUE(recovered->user_key.Equals(new_key));

  // One log-out for every device is queued for the notification hub (besides the vault's pushes).
  const auto queued = QueuedPushes(member.id);
  EXPECT_EQ(std::count_if(queued.begin(), queued.end(), [](const auto& push) { return push.type == 11; }), 1);
  ASSERT_FALSE(queued.empty());
  EXPECT_EQ(queued.back().type, 11) << "the rotation's log-out comes last";
}

TEST_P(PasswordChangeRotationTest, KeyRotationDataListsWhatTheClientMustReencrypt) {
  Scene s = MemberWithVault();
  const nlohmann::json data = RotationData(s.member);
  EXPECT_EQ(data["object"], "keyRotationData");
  EXPECT_EQ(data["emergencyAccessKeyData"], nlohmann::json::array());
  EXPECT_EQ(data["passkeyKeyData"], nlohmann::json::array());
  ASSERT_EQ(data["organizationPasswordResetKeyData"].size(), 1u);
  const nlohmann::json& organization = data["organizationPasswordResetKeyData"][0];
  EXPECT_EQ(organization["organizationId"], s.organization.id);
  EXPECT_EQ(organization["organizationName"], "Acme");
  const TestResponse public_key =
      Send("GET", "/api/organizations/" + s.organization.id + "/public-key", "", s.member.access_token);
  EXPECT_EQ(organization["organizationPublicKey"], public_key.json()["publicKey"]);
  // Only the trusted device: device-1, the member's first login, is not trusted.
  ASSERT_EQ(data["trustedDeviceKeyData"].size(), 1u);
  const nlohmann::json& device = data["trustedDeviceKeyData"][0];
  EXPECT_EQ(device["encryptedUserKey"], s.device->stored.encrypted_user_key.ToString());
  EXPECT_EQ(device["encryptedPublicKey"], s.device->stored.encrypted_public_key.ToString());
  EXPECT_TRUE(device["id"].is_string());

  // The owner, who has no enrolment and no trusted device, gets empty lists.
  const nlohmann::json owner_data = RotationData(s.owner);
  EXPECT_EQ(owner_data["organizationPasswordResetKeyData"], nlohmann::json::array());
  EXPECT_EQ(owner_data["trustedDeviceKeyData"], nlohmann::json::array());
}

TEST_P(PasswordChangeRotationTest, AnEmptyVaultRotatesAndTheOldHintGoes) {
  TestAccount alice = NewUser("alice@example.com");
  const nlohmann::json profile = {{"name", "Alice"}, {"culture", "en-US"}, {"masterPasswordHint", "the old hint"}};
  ASSERT_EQ(Send("PUT", "/api/accounts/profile", profile.dump(), alice.access_token).status, 200);
  ASSERT_EQ(Send("GET", "/api/accounts/profile", "", alice.access_token).json()["masterPasswordHint"], "the old hint");
  const SymmetricKey old_key = MustUserKey(alice);
  const SymmetricKey new_key = NewKey();
  nlohmann::json body = PasswordChangeBody(alice, old_key, new_key, kNewPassword);
  // Without a hint: the old one, which recalls the old password, goes.
  body["accountUnlockData"]["masterPasswordUnlockData"]["masterPasswordHint"] = nullptr;
  const TestResponse rotated = Post(kRotateWithPasswordPath, body, alice.access_token);
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  TestAccount changed = WithPassword(alice, kNewPassword);
  keywarden::testing::LogIn(port(), changed);
  const std::optional<SymmetricKey> opened = UserKeyOf(changed, kNewPassword);
  ASSERT_TRUE(opened.has_value());
  EXPECT_TRUE(opened->Equals(new_key));
  const nlohmann::json hint =
      Send("GET", "/api/accounts/profile", "", changed.access_token).json()["masterPasswordHint"];
  EXPECT_TRUE(hint.is_null() || hint == "") << hint;
}

KW_SERVER_TEST_ON_EACH_DATABASE(PasswordChangeRotationTest);

}  // namespace
}  // namespace keywarden::server::testing
