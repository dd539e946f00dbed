// POST /api/accounts/key-management/rotate-user-keys (server/key_management/key_rotation_routes.h):
// the rotation without a password change, for a trusted-devices account (unlock method 0) and a
// master password account (1), with bodies built as the SDK builds them; and the reference's
// refusals of an unlock method that does not fit the body or the account. On SQLite and on
// PostgreSQL.
#include <algorithm>

#include <gtest/gtest.h>

#include <string>

#include "server/key_management/rotation_fixture.h"

namespace keywarden::server::testing {
namespace {

const nlohmann::json kTrustedDevicesUnlock = {
    {"unlockMethod", 0}, {"masterPasswordUnlockData", nullptr}, {"keyConnectorKeyWrappedUserKey", nullptr}};

class RotateUserKeysTest : public RotationTest {
 protected:
  nlohmann::json MasterPasswordUnlock(const TestAccount& account, const SymmetricKey& new_key) {
    auto master_key = MasterKey::Derive(account.password, account.email, keywarden::testing::TestKdf());
    EXPECT_TRUE(master_key.ok());
    auto wrapped = master_key->EncryptUserKey(new_key);
    EXPECT_TRUE(wrapped.ok());
    return {{"unlockMethod", 1},
            {"masterPasswordUnlockData",
             {{"kdf", {{"kdfType", 1}, {"iterations", 2}, {"memory", 16}, {"parallelism", 1}}},
              {"masterKeyWrappedUserKey", wrapped->ToString()},
              {"salt", account.email}}},
            {"keyConnectorKeyWrappedUserKey", nullptr}};
  }
};

TEST_P(RotateUserKeysTest, ATrustedDevicesAccountRotatesThroughItsDevices) {
  const SymmetricKey old_key = NewKey();
  TestAccount account = NewTrustedDevicesAccount("tde@example.com", old_key);
  const NewTrustedDevice device = TrustDeviceOf(account, "cli-device", old_key);
  AddCipher(account, old_key, "Bank");
  const std::string api_key = "api-key-of-" + account.id;

  const SymmetricKey new_key = NewKey();
  const TestResponse rotated =
      Post(kRotatePath, RotateUserKeysBody(account, old_key, new_key, kTrustedDevicesUnlock), account.access_token);
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  EXPECT_EQ(Send("GET", "/api/accounts/profile", "", account.access_token).status, 401);

  // The device opens the new key; the item and the private key open under it.
  EXPECT_TRUE(DeviceOpensTo(account.id, "cli-device", device.device_key, new_key));
  LogInWithApiKey(account, api_key);
  const nlohmann::json sync = Sync(account);
  ASSERT_EQ(sync["ciphers"].size(), 1u);
  EXPECT_EQ(Dec(new_key, sync["ciphers"][0].value("name", "")), "Bank");
  auto private_key = EncString::Parse(sync["profile"].value("privateKey", ""));
  ASSERT_TRUE(private_key.ok());
  EXPECT_TRUE(DecryptPrivateKey(new_key, *private_key).ok());
  // Still no wrapped user key: the devices hold it.
  EXPECT_TRUE(sync["profile"]["key"].is_null() || sync["profile"].value("key", "").empty()) << sync["profile"];
  const auto queued = QueuedPushes(account.id);
  EXPECT_EQ(std::count_if(queued.begin(), queued.end(), [](const auto& push) { return push.type == 11; }), 1)
      << "one log-out, besides the vault's pushes";
}

TEST_P(RotateUserKeysTest, AKeyConnectorAccountStoresItsNewWrappedKey) {
  auto key_connector_key = MasterKey::Generate();
  ASSERT_TRUE(key_connector_key.ok());
  const SymmetricKey old_key = NewKey();
  TestAccount account = NewTrustedDevicesAccount("kc@example.com", old_key, &*key_connector_key);
  AddCipher(account, old_key, "Bank");
  const SymmetricKey new_key = NewKey();
  auto wrapped = key_connector_key->EncryptUserKey(new_key);
  ASSERT_TRUE(wrapped.ok());

  // The master password method does not fit this account.
  const std::string before = Snapshot(account.id);
  nlohmann::json password_unlock = {{"unlockMethod", 1},
                                    {"masterPasswordUnlockData",
                                     {{"kdf", {{"kdfType", 0}, {"iterations", 600000}}},
                                      {"masterKeyWrappedUserKey", wrapped->ToString()},
                                      {"salt", account.email}}}};
  const TestResponse refused =
      Post(kRotatePath, RotateUserKeysBody(account, old_key, new_key, password_unlock), account.access_token);
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_EQ(Refusal(refused), "User is in an invalid state for master password key rotation.");
  EXPECT_EQ(Snapshot(account.id), before);

  const nlohmann::json unlock = {{"unlockMethod", 2}, {"keyConnectorKeyWrappedUserKey", wrapped->ToString()}};
  const TestResponse rotated =
      Post(kRotatePath, RotateUserKeysBody(account, old_key, new_key, unlock), account.access_token);
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  LogInWithApiKey(account, "api-key-of-" + account.id);
  const nlohmann::json sync = Sync(account);
  auto stored = EncString::Parse(sync["profile"].value("key", ""));
  ASSERT_TRUE(stored.ok());
  auto opened = UnlockWithKeyConnector(*key_connector_key, *stored);
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(opened->Equals(new_key));
  EXPECT_EQ(Dec(new_key, sync["ciphers"][0].value("name", "")), "Bank");
}

TEST_P(RotateUserKeysTest, AMasterPasswordAccountKeepsItsPassword) {
  TestAccount alice = NewUser("alice@example.com");
  const SymmetricKey old_key = MustUserKey(alice);
  AddCipher(alice, old_key, "Mail");
  const SymmetricKey new_key = NewKey();
  const TestResponse rotated =
      Post(kRotatePath, RotateUserKeysBody(alice, old_key, new_key, MasterPasswordUnlock(alice, new_key)),
           alice.access_token);
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  keywarden::testing::LogIn(port(), alice);
  ASSERT_FALSE(alice.access_token.empty());
  const std::optional<SymmetricKey> opened = UserKeyOf(alice, alice.password);
  ASSERT_TRUE(opened.has_value());
  EXPECT_TRUE(opened->Equals(new_key));
  EXPECT_EQ(Dec(new_key, Sync(alice)["ciphers"][0].value("name", "")), "Mail");
}

TEST_P(RotateUserKeysTest, TheUnlockMethodMustFitTheBodyAndTheAccount) {
  TestAccount alice = NewUser("alice@example.com");
  const SymmetricKey old_key = MustUserKey(alice);
  const SymmetricKey new_key = NewKey();
  const nlohmann::json body = RotateUserKeysBody(alice, old_key, new_key, MasterPasswordUnlock(alice, new_key));
  const auto refused = [&](const nlohmann::json& sent, const std::string& message) {
    const std::string before = Snapshot(alice.id);
    const TestResponse answer = Post(kRotatePath, sent, alice.access_token);
    EXPECT_EQ(answer.status, 400) << answer.body;
    EXPECT_EQ(Refusal(answer), message) << answer.body;
    EXPECT_EQ(Snapshot(alice.id), before);
  };

  nlohmann::json wrong = body;
  wrong["unlockMethodData"]["unlockMethod"] = 0;
  refused(wrong,
          "Invalid Tde unlock method request, MasterPasswordUnlockData must be null and KeyConnectorKeyWrappedUserKey "
          "must be null");
  wrong = body;
  wrong["unlockMethodData"]["unlockMethod"] = 2;
  refused(wrong,
          "Invalid KeyConnector unlock method request, KeyConnectorKeyWrappedUserKey must be provided and "
          "MasterPasswordUnlockData must be null");
  wrong = body;
  wrong["unlockMethodData"]["unlockMethod"] = 9;
  refused(wrong, "Unrecognized unlock method");
  wrong = body;
  wrong["unlockMethodData"]["masterPasswordUnlockData"] = nullptr;
  refused(wrong,
          "Invalid MasterPassword unlock method request, MasterPasswordUnlockData must be provided and "
          "KeyConnectorKeyWrappedUserKey must be null");
  // Well-formed, but not this account's state.
  refused(RotateUserKeysBody(alice, old_key, new_key, kTrustedDevicesUnlock),
          "User is in an invalid state for TDE key rotation.");
  refused(RotateUserKeysBody(alice, old_key, new_key,
                             {{"unlockMethod", 2}, {"keyConnectorKeyWrappedUserKey", Enc(new_key, "x")}}),
          "User is in an invalid state for key connector key rotation.");
  // The KDF and salt must be the account's.
  wrong = body;
  wrong["unlockMethodData"]["masterPasswordUnlockData"]["kdf"]["iterations"] = 3;
  refused(wrong, "Invalid KDF settings.");
  wrong = body;
  wrong["unlockMethodData"]["masterPasswordUnlockData"]["salt"] = "other@example.com";
  refused(wrong, "Invalid master password salt.");
  // No signature key pairs here.
  wrong = body;
  wrong["wrappedAccountCryptographicState"]["securityState"] = {{"securityState", "x"}, {"securityVersion", 2}};
  refused(wrong,
          "WrappedAccountCryptographicState.SecurityState is not supported: this server has no signature key "
          "pairs.");
}

KW_SERVER_TEST_ON_EACH_DATABASE(RotateUserKeysTest);

}  // namespace
}  // namespace keywarden::server::testing
