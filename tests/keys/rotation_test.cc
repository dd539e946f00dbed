#include "keywarden/keys/rotation.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "keywarden/keys/account.h"
#include "keywarden/keys/account_recovery.h"
#include "keywarden/keys/trusted_device.h"

namespace keywarden {
namespace {

using Lines = std::vector<std::string>;

// An account with everything rotation touches: a key pair, two trusted devices, one
// account-recovery enrollment and a master key. Shared by the suite (4 RSA-2048 pairs).
class RotationTest : public ::testing::Test {
 protected:
  struct Fixture {
    SymmetricKey old_user_key;
    RsaPrivateKey private_key;
    EncString encrypted_private_key;
    NewTrustedDevice phone;
    NewTrustedDevice laptop;
    RsaPrivateKey org_private_key;
    MasterKey master_key;
  };

  static void SetUpTestSuite() {
    Result<SymmetricKey> user_key = SymmetricKey::Generate();
    Result<RsaPrivateKey> private_key = RsaPrivateKey::Generate();
    ASSERT_TRUE(user_key.ok() && private_key.ok());
    Result<EncString> encrypted_private_key = EncryptPrivateKey(*user_key, *private_key);
    Result<NewTrustedDevice> phone = TrustDevice(*user_key);
    Result<NewTrustedDevice> laptop = TrustDevice(*user_key);
    Result<RsaPrivateKey> org_private_key = RsaPrivateKey::Generate();
    Result<MasterKey> master_key = MasterKey::Generate();
    ASSERT_TRUE(encrypted_private_key.ok() && phone.ok() && laptop.ok() && org_private_key.ok() && master_key.ok());
    fixture_ = new Fixture{
        std::move(user_key).value(),  std::move(private_key).value(), std::move(encrypted_private_key).value(),
        std::move(phone).value(),     std::move(laptop).value(),      std::move(org_private_key).value(),
        std::move(master_key).value()};
  }
  static void TearDownTestSuite() {
    delete fixture_;
    fixture_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(fixture_, nullptr);
    Result<SymmetricKey> new_user_key = SymmetricKey::Generate();
    ASSERT_TRUE(new_user_key.ok());
    new_user_key_.emplace(std::move(new_user_key).value());
  }

  static const Fixture& f() { return *fixture_; }
  const SymmetricKey& new_user_key() const { return *new_user_key_; }

  // Everything bound to the old user key, as a client would gather it.
  static RotationInput FullInput() {
    RotationInput input{.encrypted_private_key = f().encrypted_private_key,
                        .devices = {},
                        .recovery_enrollments = {},
                        .master_key = nullptr};
    input.devices.push_back({.device_id = "phone", .keys = f().phone.stored});
    input.devices.push_back({.device_id = "laptop", .keys = f().laptop.stored});
    input.recovery_enrollments.push_back(
        {.organization_id = "org-1", .org_public_key = f().org_private_key.PublicKey()});
    input.master_key = &f().master_key;
    return input;
  }

 private:
  static Fixture* fixture_;
  std::optional<SymmetricKey> new_user_key_;
};

RotationTest::Fixture* RotationTest::fixture_ = nullptr;

TEST_F(RotationTest, RewrapsEverythingAndReportsEachValue) {
  Result<RotationResult> result = RotateUserKey(f().old_user_key, new_user_key(), FullInput());
  ASSERT_TRUE(result.ok()) << result.status().ToString();

  EXPECT_EQ(result->rewrapped,
            (Lines{"private_key", "device:phone", "device:laptop", "account_recovery:org-1", "user_key"}));

  // The private key: same key pair, now under the new user key.
  Status valid = ValidateUserKey(new_user_key(), result->encrypted_private_key, f().private_key.PublicKey());
  EXPECT_TRUE(valid.ok()) << valid.ToString();
  EXPECT_EQ(DecryptPrivateKey(f().old_user_key, result->encrypted_private_key).status().code(),
            ErrorCode::kAuthenticationFailed);

  // Each device, same order, unlocks to the new user key with its unchanged device key.
  ASSERT_EQ(result->devices.size(), 2u);
  const NewTrustedDevice* devices[] = {&f().phone, &f().laptop};
  const char* ids[] = {"phone", "laptop"};
  for (std::size_t i = 0; i < 2; ++i) {
    SCOPED_TRACE(ids[i]);
    const TrustedDeviceEntry& entry = result->devices[i];
    EXPECT_EQ(entry.device_id, ids[i]);
    Result<SymmetricKey> unlocked =
        UnlockTrustedDevice(devices[i]->device_key, entry.keys.encrypted_private_key, entry.keys.encrypted_user_key);
    ASSERT_TRUE(unlocked.ok()) << unlocked.status().ToString();
    EXPECT_TRUE(unlocked->Equals(new_user_key()));
    EXPECT_TRUE(entry.keys.encrypted_public_key.Decrypt(new_user_key()).ok());
  }

  // The recovery enrollment opens with the org private key.
  ASSERT_EQ(result->reset_password_keys.size(), 1u);
  EXPECT_EQ(result->reset_password_keys[0].organization_id, "org-1");
  const AsymmetricEncString& reset_password_key = result->reset_password_keys[0].reset_password_key;
  Result<SymmetricKey> recovered = reset_password_key.DecapsulateKey(f().org_private_key);
  ASSERT_TRUE(recovered.ok()) << recovered.status().ToString();
  EXPECT_TRUE(recovered->Equals(new_user_key()));

  // The master key unwraps the new user key.
  ASSERT_TRUE(result->encrypted_user_key.has_value());
  Result<SymmetricKey> unwrapped = UnlockWithKeyConnector(f().master_key, *result->encrypted_user_key);
  ASSERT_TRUE(unwrapped.ok()) << unwrapped.status().ToString();
  EXPECT_TRUE(unwrapped->Equals(new_user_key()));
}

TEST_F(RotationTest, WithoutAMasterKeyTheUserKeyIsNotWrapped) {
  RotationInput input{.encrypted_private_key = f().encrypted_private_key,
                      .devices = {},
                      .recovery_enrollments = {},
                      .master_key = nullptr};
  Result<RotationResult> result = RotateUserKey(f().old_user_key, new_user_key(), input);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_FALSE(result->encrypted_user_key.has_value());
  EXPECT_TRUE(result->devices.empty());
  EXPECT_TRUE(result->reset_password_keys.empty());
  EXPECT_EQ(result->rewrapped, Lines{"private_key"});
}

TEST_F(RotationTest, FailsWholeWhenOneDeviceDoesNotOpenUnderTheOldKey) {
  RotationInput input = FullInput();
  // The laptop's public key wrapped under some other key: it does not belong to this user key.
  Result<SymmetricKey> stranger = SymmetricKey::Generate();
  ASSERT_TRUE(stranger.ok());
  Result<SecureBuffer> spki = input.devices[1].keys.encrypted_public_key.Decrypt(f().old_user_key);
  ASSERT_TRUE(spki.ok());
  Result<EncString> foreign = EncString::Encrypt(*stranger, *spki);
  ASSERT_TRUE(foreign.ok());
  input.devices[1].keys.encrypted_public_key = *foreign;

  Result<RotationResult> result = RotateUserKey(f().old_user_key, new_user_key(), input);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kAuthenticationFailed);
  EXPECT_NE(result.status().message().find("device:laptop"), std::string::npos) << result.status().message();
}

TEST_F(RotationTest, WrongOldKeyFailsAuthentication) {
  Result<SymmetricKey> wrong = SymmetricKey::Generate();
  ASSERT_TRUE(wrong.ok());
  Result<RotationResult> result = RotateUserKey(*wrong, new_user_key(), FullInput());
  EXPECT_EQ(result.status().code(), ErrorCode::kAuthenticationFailed);
}

TEST_F(RotationTest, TamperedPrivateKeyFailsAuthentication) {
  RotationInput input = FullInput();
  const EncString original = input.encrypted_private_key;
  std::vector<std::uint8_t> ct(original.ciphertext().begin(), original.ciphertext().end());
  ct[0] ^= 0x80;
  input.encrypted_private_key = EncString::FromParts(original.iv(), ct, original.mac()).value();
  EXPECT_EQ(RotateUserKey(f().old_user_key, new_user_key(), input).status().code(), ErrorCode::kAuthenticationFailed);
}

TEST_F(RotationTest, RefusesToRotateToTheSameKey) {
  EXPECT_EQ(RotateUserKey(f().old_user_key, f().old_user_key, FullInput()).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST_F(RotationTest, RefusesALegacyNewKey) {
  Result<SymmetricKey> legacy = SymmetricKey::FromBytes(SecureBuffer(32));
  ASSERT_TRUE(legacy.ok());
  EXPECT_EQ(RotateUserKey(f().old_user_key, *legacy, FullInput()).status().code(), ErrorCode::kWrongKey);
}

}  // namespace
}  // namespace keywarden
