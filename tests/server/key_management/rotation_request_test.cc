// The rotation body parsers (server/key_management/rotation_request.h) without a server: what
// each body form yields, and the field named by each refusal.
#include "server/key_management/rotation_request.h"

#include <gtest/gtest.h>

#include <string>

#include "keywarden/crypto/enc_string.h"
#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/random.h"
#include "keywarden/crypto/rsa.h"
#include "keywarden/keys/account_recovery.h"
#include "server/api/field_error.h"

namespace keywarden::server::key_management {
namespace {

constexpr char kId[] = "6F9619FF-8B86-D011-B42D-00C04FC964FF";
constexpr char kCanonicalId[] = "6f9619ff-8b86-d011-b42d-00c04fc964ff";

class RotationRequestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = SymmetricKey::Generate();
    auto private_key = RsaPrivateKey::Generate();
    ASSERT_TRUE(key.ok() && private_key.ok());
    enc_ = EncString::EncryptText(*key, "x")->ToString();
    public_key_ = private_key->PublicKey().ToBase64();
    encapsulated_ = EnrollAccountRecovery(*key, private_key->PublicKey())->ToString();
    std::uint8_t hash[32];
    ASSERT_TRUE(RandomBytes(hash).ok());
    hash_ = Base64Encode(hash);
  }

  nlohmann::json UnlockLists() const {
    return {{"emergencyAccessUnlockData", nlohmann::json::array()},
            {"passkeyUnlockData", nlohmann::json::array()},
            {"organizationAccountRecoveryUnlockData", {{{"organizationId", kId}, {"resetPasswordKey", encapsulated_}}}},
            {"deviceKeyUnlockData",
             {{{"deviceId", kId}, {"encryptedPublicKey", enc_}, {"encryptedUserKey", encapsulated_}}}}};
  }

  nlohmann::json AccountData() const {
    return {{"ciphers", {{{"id", kId}, {"type", 2}, {"name", enc_}, {"secureNote", {{"type", 0}}}}}},
            {"folders", {{{"id", kId}, {"name", enc_}}}},
            {"sends", nlohmann::json::array()}};
  }

  nlohmann::json PasswordChange() const {
    nlohmann::json unlock = UnlockLists();
    unlock["masterPasswordUnlockData"] = {{"kdfType", 0},
                                          {"kdfIterations", 100000},
                                          {"email", "bob@example.com"},
                                          {"masterKeyAuthenticationHash", hash_},
                                          {"masterKeyEncryptedUserKey", enc_},
                                          {"masterPasswordHint", "hint"}};
    return {{"oldMasterKeyAuthenticationHash", hash_},
            {"accountUnlockData", unlock},
            {"accountKeys", {{"userKeyEncryptedAccountPrivateKey", enc_}, {"accountPublicKey", public_key_}}},
            {"accountData", AccountData()}};
  }

  nlohmann::json UserKeys(const nlohmann::json& unlock_method_data) const {
    return {{"wrappedAccountCryptographicState",
             {{"publicKeyEncryptionKeyPair", {{"wrappedPrivateKey", enc_}, {"publicKey", public_key_}}}}},
            {"unlockData", UnlockLists()},
            {"accountData", AccountData()},
            {"unlockMethodData", unlock_method_data}};
  }

  static std::string FieldOf(const Status& status) {
    const auto field = api::AsFieldError(status);
    return field ? field->field : "(not a field error: " + status.ToString() + ")";
  }

  std::string enc_;
  std::string public_key_;
  std::string encapsulated_;
  std::string hash_;
};

TEST_F(RotationRequestTest, PasswordChangeYieldsEveryPart) {
  auto rotation = ParsePasswordChangeRotation(PasswordChange());
  ASSERT_TRUE(rotation.ok()) << rotation.status().ToString();
  EXPECT_EQ(rotation->unlock_method, UnlockMethod::kMasterPassword);
  ASSERT_TRUE(rotation->old_password_hash.has_value());
  EXPECT_EQ(rotation->old_password_hash->size(), 32u);
  ASSERT_TRUE(rotation->master_password.has_value());
  EXPECT_EQ(rotation->master_password->salt, "bob@example.com");  // the address when no salt is sent
  EXPECT_EQ(rotation->master_password->kdf.iterations, 100000);   // compared, not range-checked
  EXPECT_EQ(rotation->master_password->hint, "hint");
  EXPECT_EQ(rotation->public_key, public_key_);
  EXPECT_EQ(rotation->wrapped_private_key, enc_);
  ASSERT_EQ(rotation->ciphers.size(), 1u);
  EXPECT_EQ(rotation->ciphers[0].id, kCanonicalId);
  EXPECT_EQ(rotation->ciphers[0].write.type, 2);
  ASSERT_EQ(rotation->folders.size(), 1u);
  EXPECT_EQ(rotation->folders[0].write.name, enc_);
  ASSERT_EQ(rotation->devices.size(), 1u);
  EXPECT_EQ(rotation->devices[0].device_id, kCanonicalId);
  ASSERT_EQ(rotation->recovery_keys.size(), 1u);
  EXPECT_EQ(rotation->recovery_keys[0].reset_password_key, encapsulated_);
}

TEST_F(RotationRequestTest, UnlockMethodsYieldTheirData) {
  auto devices = ParseUserKeyRotation(UserKeys({{"unlockMethod", 0}}));
  ASSERT_TRUE(devices.ok()) << devices.status().ToString();
  EXPECT_EQ(devices->unlock_method, UnlockMethod::kTrustedDevices);
  EXPECT_FALSE(devices->master_password.has_value());

  auto key_connector = ParseUserKeyRotation(UserKeys({{"unlockMethod", 2}, {"keyConnectorKeyWrappedUserKey", enc_}}));
  ASSERT_TRUE(key_connector.ok()) << key_connector.status().ToString();
  EXPECT_EQ(key_connector->key_connector_wrapped_user_key, enc_);

  auto password =
      ParseUserKeyRotation(UserKeys({{"unlockMethod", 1},
                                     {"masterPasswordUnlockData",
                                      {{"kdf", {{"kdfType", 1}, {"iterations", 3}, {"memory", 64}, {"parallelism", 4}}},
                                       {"masterKeyWrappedUserKey", enc_},
                                       {"salt", "bob@example.com"}}}}));
  ASSERT_TRUE(password.ok()) << password.status().ToString();
  ASSERT_TRUE(password->master_password.has_value());
  EXPECT_EQ(password->master_password->kdf.memory, 64);
  EXPECT_FALSE(password->master_password->new_password_hash.has_value());
}

TEST_F(RotationRequestTest, RefusalsNameTheField) {
  nlohmann::json body = PasswordChange();
  body["accountUnlockData"]["masterPasswordUnlockData"]["kdfMemory"] = 64;
  EXPECT_EQ(FieldOf(ParsePasswordChangeRotation(body).status()),
            "AccountUnlockData.MasterPasswordUnlockData.KdfMemory");
  body = PasswordChange();
  body["accountUnlockData"]["masterPasswordUnlockData"]["masterPasswordHint"] = std::string(51, 'h');
  EXPECT_EQ(FieldOf(ParsePasswordChangeRotation(body).status()),
            "AccountUnlockData.MasterPasswordUnlockData.MasterPasswordHint");
  body = PasswordChange();
  body["accountData"]["folders"][0]["name"] = nullptr;
  EXPECT_EQ(FieldOf(ParsePasswordChangeRotation(body).status()), "AccountData.Folders[0].Name");
  body = PasswordChange();
  body["accountData"]["sends"] = "none";
  EXPECT_EQ(FieldOf(ParsePasswordChangeRotation(body).status()), "AccountData.Sends");
  body = PasswordChange();
  body["accountUnlockData"]["organizationAccountRecoveryUnlockData"][0]["resetPasswordKey"] = enc_;
  EXPECT_EQ(FieldOf(ParsePasswordChangeRotation(body).status()),
            "AccountUnlockData.OrganizationAccountRecoveryUnlockData[0].ResetPasswordKey");
  body = PasswordChange();
  body["accountKeys"]["publicKeyEncryptionKeyPair"] = {{"wrappedPrivateKey", enc_}, {"publicKey", "AAAA"}};
  EXPECT_EQ(FieldOf(ParsePasswordChangeRotation(body).status()), "AccountKeys.PublicKeyEncryptionKeyPair.PublicKey");

  nlohmann::json keys = UserKeys({{"unlockMethod", 0}});
  keys["wrappedAccountCryptographicState"]["signatureKeyPair"] = {{"verifyingKey", "x"}};
  EXPECT_EQ(FieldOf(ParseUserKeyRotation(keys).status()), "WrappedAccountCryptographicState.SignatureKeyPair");
  keys = UserKeys({{"unlockMethod", "one"}});
  EXPECT_EQ(FieldOf(ParseUserKeyRotation(keys).status()), "UnlockMethodData.UnlockMethod");
  keys = UserKeys({{"unlockMethod", 2}, {"keyConnectorKeyWrappedUserKey", "plain"}});
  EXPECT_EQ(FieldOf(ParseUserKeyRotation(keys).status()), "UnlockMethodData.KeyConnectorKeyWrappedUserKey");
  EXPECT_EQ(ParseUserKeyRotation(nlohmann::json::array()).status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace keywarden::server::key_management
