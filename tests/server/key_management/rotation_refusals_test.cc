// Rotations the server refuses (server/key_management/rotation_apply.h, rotation_request.h), each
// with a 400 and the reference's message, and nothing changed: the account's row, ciphers,
// folders, devices and memberships are compared before and after in the server's database. On
// SQLite and on PostgreSQL.
#include <gtest/gtest.h>

#include <string>

#include "server/key_management/rotation_fixture.h"

namespace keywarden::server::testing {
namespace {

constexpr char kNewPassword[] = "a new master password for the rotation";

class RotationRefusalsTest : public RotationTest {
 protected:
  // Posts `body` for `account` and expects a 400 whose message (or first validation error) is
  // `message`, with nothing of the account changed.
  void ExpectRefused(const TestAccount& account, const nlohmann::json& body, const std::string& message,
                     const std::string& path = kRotateWithPasswordPath) {
    const std::string before = Snapshot(account.id);
    const TestResponse answer = Post(path, body, account.access_token);
    EXPECT_EQ(answer.status, 400) << answer.body;
    EXPECT_EQ(Refusal(answer), message) << answer.body;
    EXPECT_EQ(Snapshot(account.id), before);
    // The session goes on.
    EXPECT_EQ(Send("GET", "/api/accounts/profile", "", account.access_token).status, 200);
  }
};

TEST_P(RotationRefusalsTest, EachStoredValueMustBeListed) {
  Scene s = MemberWithVault();
  const SymmetricKey old_key = MustUserKey(s.member);
  const SymmetricKey new_key = NewKey();
  const nlohmann::json body = PasswordChangeBody(s.member, old_key, new_key, kNewPassword);

  nlohmann::json without = body;
  without["accountData"]["ciphers"].erase(0);
  ExpectRefused(s.member, without, "All existing ciphers must be included in the rotation.");
  without = body;
  without["accountData"]["folders"].erase(0);
  ExpectRefused(s.member, without, "All existing folders must be included in the rotation.");
  without = body;
  without["accountUnlockData"]["deviceKeyUnlockData"].erase(0);
  ExpectRefused(s.member, without, "All existing trusted devices must be included in the rotation.");
  without = body;
  without["accountUnlockData"]["organizationAccountRecoveryUnlockData"].erase(0);
  ExpectRefused(s.member, without, "All existing account recovery keys must be included in the rotation.");
  without = body;
  without["accountUnlockData"]["organizationAccountRecoveryUnlockData"][0]["resetPasswordKey"] = nullptr;
  ExpectRefused(s.member, without, "Account recovery keys cannot be null or empty during rotation.");

  // The complete body still goes through afterwards: nothing was half applied.
  const TestResponse rotated = Post(kRotateWithPasswordPath, body, s.member.access_token);
  EXPECT_EQ(rotated.status, 200) << rotated.body;
}

TEST_P(RotationRefusalsTest, AnItemAddedAfterTheClientReadItsDataFailsTheRotation) {
  Scene s = MemberWithVault();
  const SymmetricKey old_key = MustUserKey(s.member);
  const nlohmann::json body = PasswordChangeBody(s.member, old_key, NewKey(), kNewPassword);
  // Another device adds an item under the old key meanwhile.
  AddCipher(s.member, old_key, "Added meanwhile");
  ExpectRefused(s.member, body, "All existing ciphers must be included in the rotation.");
  // So does a folder.
  const nlohmann::json again = PasswordChangeBody(s.member, old_key, NewKey(), kNewPassword);
  AddFolder(s.member, old_key, "Added meanwhile");
  ExpectRefused(s.member, again, "All existing folders must be included in the rotation.");
  // The old password and key still work.
  EXPECT_EQ(PasswordGrant(s.member).status, 200);
  EXPECT_TRUE(UserKeyOf(s.member, s.member.password)->Equals(old_key));
}

TEST_P(RotationRefusalsTest, TheOldPasswordMustMatch) {
  TestAccount alice = NewUser("alice@example.com");
  const SymmetricKey old_key = MustUserKey(alice);
  nlohmann::json body = PasswordChangeBody(alice, old_key, NewKey(), kNewPassword);
  body["oldMasterKeyAuthenticationHash"] = ClientHashFor(alice, "not the password", keywarden::testing::TestKdf());
  ExpectRefused(alice, body, "Incorrect password.");
}

TEST_P(RotationRefusalsTest, TheKdfSaltAndPublicKeyMustBeTheAccounts) {
  TestAccount alice = NewUser("alice@example.com");
  const SymmetricKey old_key = MustUserKey(alice);
  const nlohmann::json body = PasswordChangeBody(alice, old_key, NewKey(), kNewPassword);
  const std::string unlock_data_invalid = "The provided master password unlock data is not valid for this user.";

  nlohmann::json changed = body;
  changed["accountUnlockData"]["masterPasswordUnlockData"]["kdfIterations"] = 3;
  ExpectRefused(alice, changed, unlock_data_invalid);
  changed = body;
  changed["accountUnlockData"]["masterPasswordUnlockData"]["kdfType"] = 0;
  changed["accountUnlockData"]["masterPasswordUnlockData"]["kdfIterations"] = 600000;
  changed["accountUnlockData"]["masterPasswordUnlockData"].erase("kdfMemory");
  changed["accountUnlockData"]["masterPasswordUnlockData"].erase("kdfParallelism");
  ExpectRefused(alice, changed, unlock_data_invalid);
  changed = body;
  changed["accountUnlockData"]["masterPasswordUnlockData"]["masterPasswordSalt"] = "other@example.com";
  ExpectRefused(alice, changed, unlock_data_invalid);

  auto other = RsaPrivateKey::Generate();
  ASSERT_TRUE(other.ok());
  changed = body;
  changed["accountKeys"]["accountPublicKey"] = other->PublicKey().ToBase64();
  ExpectRefused(alice, changed,
                "The provided account public key does not match the user's current public key, and changing the "
                "account asymmetric key pair is currently not supported during key rotation.");
}

TEST_P(RotationRefusalsTest, MalformedBodiesAreFieldErrors) {
  TestAccount alice = NewUser("alice@example.com");
  const SymmetricKey old_key = MustUserKey(alice);
  AddCipher(alice, old_key, "Bank");
  const nlohmann::json body = PasswordChangeBody(alice, old_key, NewKey(), kNewPassword);

  const std::string before = Snapshot(alice.id);
  const TestResponse not_json = Send("POST", kRotateWithPasswordPath, "{not json", alice.access_token);
  EXPECT_EQ(not_json.status, 400) << not_json.body;
  EXPECT_EQ(Snapshot(alice.id), before);

  nlohmann::json bad = body;
  bad.erase("accountData");
  ExpectRefused(alice, bad, "AccountData is required.");
  bad = body;
  bad["accountData"]["ciphers"][0]["name"] = "not an encrypted string";
  ExpectRefused(
      alice, bad,
      "AccountData.Ciphers[0].Name is not a valid encrypted string: EncString type 0 needs 2 parts (iv|ct), got 1.");
  bad = body;
  bad["accountData"]["ciphers"][0]["id"] = "not-an-id";
  ExpectRefused(alice, bad, "AccountData.Ciphers[0].Id must be an id.");
  bad = body;
  bad["accountData"]["ciphers"].push_back(body["accountData"]["ciphers"][0]);
  ExpectRefused(alice, bad, "AccountData.Ciphers[1].Id is listed twice.");
  bad = body;
  bad["accountKeys"]["userKeyEncryptedAccountPrivateKey"] = "2.bad";
  ExpectRefused(alice, bad, "AccountKeys.UserKeyEncryptedAccountPrivateKey is not a valid encrypted string.");
  bad = body;
  bad["accountUnlockData"]["masterPasswordUnlockData"]["masterKeyEncryptedUserKey"] = 7;
  ExpectRefused(alice, bad,
                "AccountUnlockData.MasterPasswordUnlockData.MasterKeyEncryptedUserKey must be an encrypted string.");
  bad = body;
  bad["accountUnlockData"]["deviceKeyUnlockData"] = {{{"deviceId", "6f9619ff-8b86-d011-b42d-00c04fc964ff"},
                                                      {"encryptedPublicKey", Enc(old_key, "x")},
                                                      {"encryptedUserKey", Enc(old_key, "a symmetric one")}}};
  ExpectRefused(alice, bad,
                "AccountUnlockData.DeviceKeyUnlockData[0].EncryptedUserKey is not a valid encrypted string.");
  bad = body;
  bad["accountKeys"]["signatureKeyPair"] = {{"wrappedSigningKey", "7.x"}, {"verifyingKey", "x"}};
  ExpectRefused(alice, bad, "AccountKeys.SignatureKeyPair is not supported: this server has no signature key pairs.");
  bad = body;
  bad["oldMasterKeyAuthenticationHash"] = "short";
  ExpectRefused(alice, bad, "OldMasterKeyAuthenticationHash must be base64 of 32 bytes.");
}

TEST_P(RotationRefusalsTest, AnotherUsersIdsAreRefused) {
  Scene s = MemberWithVault();
  TestAccount bob = NewUser("bob@example.com");
  const SymmetricKey bob_key = MustUserKey(bob);
  const std::string bob_folder = AddFolder(bob, bob_key, "Bob's");
  const std::string bob_cipher = AddCipher(bob, bob_key, "Bob's item");
  EXPECT_EQ(PasswordGrant(bob, "bob-device").status, 200);
  TrustDeviceOf(bob, "bob-device", bob_key);
  const std::string bob_device = RotationData(bob)["trustedDeviceKeyData"][0].value("id", "");
  const TestOrganization bobs = NewOrganizationOf(bob, "Bob's organisation");
  const std::string bob_before = Snapshot(bob.id);

  const SymmetricKey old_key = MustUserKey(s.member);
  const SymmetricKey new_key = NewKey();
  const nlohmann::json body = PasswordChangeBody(s.member, old_key, new_key, kNewPassword);

  nlohmann::json with = body;
  nlohmann::json cipher = body["accountData"]["ciphers"][0];
  cipher["id"] = bob_cipher;
  with["accountData"]["ciphers"].push_back(cipher);
  ExpectRefused(s.member, with, "A cipher in the rotation is not one of your personal items.");
  with = body;
  with["accountData"]["folders"].push_back({{"id", bob_folder}, {"name", Enc(new_key, "mine now")}});
  ExpectRefused(s.member, with, "A folder in the rotation is not one of your folders.");
  with = body;
  nlohmann::json device = body["accountUnlockData"]["deviceKeyUnlockData"][0];
  device["deviceId"] = bob_device;
  with["accountUnlockData"]["deviceKeyUnlockData"].push_back(device);
  ExpectRefused(s.member, with, "A device in the rotation is not one of your devices.");
  with = body;
  nlohmann::json enrolment = body["accountUnlockData"]["organizationAccountRecoveryUnlockData"][0];
  enrolment["organizationId"] = bobs.id;
  with["accountUnlockData"]["organizationAccountRecoveryUnlockData"].push_back(enrolment);
  ExpectRefused(s.member, with, "An organization in the rotation is not one you are a member of.");
  // A cipher moved into the folder of another account.
  with = body;
  with["accountData"]["ciphers"][0]["folderId"] = bob_folder;
  ExpectRefused(s.member, with, "FolderId is not one of your folders.");

  EXPECT_EQ(Snapshot(bob.id), bob_before);
}

KW_SERVER_TEST_ON_EACH_DATABASE(RotationRefusalsTest);

}  // namespace
}  // namespace keywarden::server::testing
