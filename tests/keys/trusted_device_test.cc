#include "keywarden/keys/trusted_device.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/rsa.h"
#include "keywarden/keys/account.h"
#include "support/vectors.h"

namespace keywarden {
namespace {

EncString Tamper(const EncString& value) {
  std::vector<std::uint8_t> ct(value.ciphertext().begin(), value.ciphertext().end());
  ct[0] ^= 0x01;
  return EncString::FromParts(value.iv(), ct, value.mac()).value();
}

AsymmetricEncString Tamper(const AsymmetricEncString& value) {
  std::vector<std::uint8_t> ct(value.ciphertext().begin(), value.ciphertext().end());
  ct[ct.size() / 2] ^= 0x01;
  return AsymmetricEncString::Parse("4." + Base64Encode(ct)).value();
}

TEST(TrustedDeviceVectorTest, UnlockWithTheSdkDeviceKeys) {
  KW_REQUIRE_VECTORS();
  std::vector<nlohmann::json> vectors = ::keywarden::testing::VectorsOfKind("device_unlock");
  ASSERT_FALSE(vectors.empty());
  for (const nlohmann::json& v : vectors) {
    SCOPED_TRACE(v["id"].get<std::string>());
    Result<SymmetricKey> device_key = SymmetricKey::FromBase64(v["device_key_b64"].get<std::string>());
    Result<EncString> encrypted_private_key = EncString::Parse(v["enc_private_key"].get<std::string>());
    Result<AsymmetricEncString> encrypted_user_key = AsymmetricEncString::Parse(v["enc_user_key"].get<std::string>());
    Result<SymmetricKey> expected = SymmetricKey::FromBase64(v["expect_user_key_b64"].get<std::string>());
    ASSERT_TRUE(device_key.ok() && encrypted_private_key.ok() && encrypted_user_key.ok() && expected.ok());

    Result<SymmetricKey> user_key = UnlockTrustedDevice(*device_key, *encrypted_private_key, *encrypted_user_key);
    ASSERT_TRUE(user_key.ok()) << user_key.status().ToString();
    EXPECT_TRUE(user_key->Equals(*expected));
  }
}

// One user key and one trusted device for the suite (the device key pair is RSA-2048).
class TrustedDeviceTest : public ::testing::Test {
 protected:
  struct Fixture {
    SymmetricKey user_key;
    NewTrustedDevice device;
  };

  static void SetUpTestSuite() {
    Result<SymmetricKey> user_key = SymmetricKey::Generate();
    ASSERT_TRUE(user_key.ok());
    Result<NewTrustedDevice> device = TrustDevice(*user_key);
    ASSERT_TRUE(device.ok()) << device.status().ToString();
    fixture_ = new Fixture{std::move(user_key).value(), std::move(device).value()};
  }
  static void TearDownTestSuite() {
    delete fixture_;
    fixture_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(fixture_, nullptr); }

  static const SymmetricKey& user_key() { return fixture_->user_key; }
  static const SymmetricKey& device_key() { return fixture_->device.device_key; }
  static const TrustedDeviceKeys& stored() { return fixture_->device.stored; }

 private:
  static Fixture* fixture_;
};

TrustedDeviceTest::Fixture* TrustedDeviceTest::fixture_ = nullptr;

TEST_F(TrustedDeviceTest, TrustDeviceProducesTheStoredForms) {
  EXPECT_FALSE(device_key().is_legacy());
  EXPECT_FALSE(device_key().Equals(user_key()));
  EXPECT_EQ(stored().encrypted_user_key.type(), AsymmetricEncString::Type::kRsa2048OaepSha1);
  EXPECT_EQ(stored().encrypted_public_key.type(), EncString::Type::kAes256CbcHmac);
  EXPECT_EQ(stored().encrypted_private_key.type(), EncString::Type::kAes256CbcHmac);

  // The stored public key is the public half of the stored private key.
  Result<SecureBuffer> spki = stored().encrypted_public_key.Decrypt(user_key());
  ASSERT_TRUE(spki.ok());
  Result<RsaPublicKey> public_key = RsaPublicKey::FromSpkiDer(spki->span());
  Result<RsaPrivateKey> private_key = DecryptPrivateKey(device_key(), stored().encrypted_private_key);
  ASSERT_TRUE(public_key.ok() && private_key.ok());
  EXPECT_TRUE(private_key->PublicKey().Equals(*public_key));
}

TEST_F(TrustedDeviceTest, UnlockRoundTrip) {
  Result<SymmetricKey> unlocked =
      UnlockTrustedDevice(device_key(), stored().encrypted_private_key, stored().encrypted_user_key);
  ASSERT_TRUE(unlocked.ok()) << unlocked.status().ToString();
  EXPECT_TRUE(unlocked->Equals(user_key()));
}

TEST_F(TrustedDeviceTest, TrustUnlockRotateRewrapUnlock) {
  Result<SymmetricKey> new_user_key = SymmetricKey::Generate();
  ASSERT_TRUE(new_user_key.ok());
  Result<TrustedDeviceKeys> rewrapped = RewrapTrustedDevice(user_key(), *new_user_key, stored());
  ASSERT_TRUE(rewrapped.ok()) << rewrapped.status().ToString();

  // The device-key-bound value is unchanged; the device unlocks to the new user key.
  EXPECT_EQ(rewrapped->encrypted_private_key.ToString(), stored().encrypted_private_key.ToString());
  Result<SymmetricKey> unlocked =
      UnlockTrustedDevice(device_key(), rewrapped->encrypted_private_key, rewrapped->encrypted_user_key);
  ASSERT_TRUE(unlocked.ok()) << unlocked.status().ToString();
  EXPECT_TRUE(unlocked->Equals(*new_user_key));

  // The old encrypted_user_key is a different value and still holds only the old key.
  EXPECT_NE(rewrapped->encrypted_user_key.ToString(), stored().encrypted_user_key.ToString());
  Result<SymmetricKey> stale =
      UnlockTrustedDevice(device_key(), stored().encrypted_private_key, stored().encrypted_user_key);
  ASSERT_TRUE(stale.ok());
  EXPECT_FALSE(stale->Equals(*new_user_key));

  // The public key is now under the new user key only.
  EXPECT_TRUE(rewrapped->encrypted_public_key.Decrypt(*new_user_key).ok());
  EXPECT_EQ(rewrapped->encrypted_public_key.Decrypt(user_key()).status().code(), ErrorCode::kAuthenticationFailed);
}

TEST_F(TrustedDeviceTest, TrustRefusesALegacyKey) {
  Result<SymmetricKey> legacy = SymmetricKey::FromBytes(SecureBuffer(32));
  ASSERT_TRUE(legacy.ok());
  EXPECT_EQ(TrustDevice(*legacy).status().code(), ErrorCode::kWrongKey);
}

TEST_F(TrustedDeviceTest, WrongDeviceKeyFailsAuthentication) {
  Result<SymmetricKey> other = SymmetricKey::Generate();
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(UnlockTrustedDevice(*other, stored().encrypted_private_key, stored().encrypted_user_key).status().code(),
            ErrorCode::kAuthenticationFailed);
}

TEST_F(TrustedDeviceTest, TamperedPrivateKeyFailsAuthentication) {
  EXPECT_EQ(UnlockTrustedDevice(device_key(), Tamper(stored().encrypted_private_key), stored().encrypted_user_key)
                .status()
                .code(),
            ErrorCode::kAuthenticationFailed);
}

TEST_F(TrustedDeviceTest, TamperedUserKeyFailsAuthentication) {
  EXPECT_EQ(UnlockTrustedDevice(device_key(), stored().encrypted_private_key, Tamper(stored().encrypted_user_key))
                .status()
                .code(),
            ErrorCode::kAuthenticationFailed);
}

TEST_F(TrustedDeviceTest, UnlockRefusesAUserKeyThatIsNot64Bytes) {
  Result<SecureBuffer> spki = stored().encrypted_public_key.Decrypt(user_key());
  ASSERT_TRUE(spki.ok());
  Result<RsaPublicKey> public_key = RsaPublicKey::FromSpkiDer(spki->span());
  ASSERT_TRUE(public_key.ok());
  SecureBuffer short_key(32);
  Result<AsymmetricEncString> short_user_key = AsymmetricEncString::Encapsulate(*public_key, short_key.span());
  ASSERT_TRUE(short_user_key.ok());

  EXPECT_EQ(UnlockTrustedDevice(device_key(), stored().encrypted_private_key, *short_user_key).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST_F(TrustedDeviceTest, RewrapWithWrongOldKeyFailsAuthentication) {
  Result<SymmetricKey> wrong = SymmetricKey::Generate();
  Result<SymmetricKey> new_user_key = SymmetricKey::Generate();
  ASSERT_TRUE(wrong.ok() && new_user_key.ok());
  EXPECT_EQ(RewrapTrustedDevice(*wrong, *new_user_key, stored()).status().code(), ErrorCode::kAuthenticationFailed);
}

TEST_F(TrustedDeviceTest, RewrapRefusesALegacyNewKey) {
  Result<SymmetricKey> legacy = SymmetricKey::FromBytes(SecureBuffer(32));
  ASSERT_TRUE(legacy.ok());
  EXPECT_EQ(RewrapTrustedDevice(user_key(), *legacy, stored()).status().code(), ErrorCode::kWrongKey);
}

}  // namespace
}  // namespace keywarden
