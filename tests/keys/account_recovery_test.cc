#include "keywarden/keys/account_recovery.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/master_key.h"
#include "keywarden/keys/account.h"
#include "keywarden/keys/organization.h"
#include "support/vectors.h"

namespace keywarden {
namespace {

constexpr char kEmail[] = "member@example.com";
constexpr char kNewPassword[] = "a brand new master password";

// The cheapest settings both the server range and the client minimum accept.
KdfConfig CheapServerKdf() { return KdfConfig::Argon2id(2, 16, 1); }

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

// Checks everything a recovered account must satisfy: the user key is unchanged, the new
// password unlocks it, the server hash is the new password's, and the new enrollment opens
// with the org private key.
void ExpectRecovered(const RecoveredAccount& recovered, const SymmetricKey& user_key,
                     const RsaPrivateKey& org_private_key, std::string_view email, const KdfConfig& kdf) {
  EXPECT_TRUE(recovered.user_key.Equals(user_key));
  EXPECT_EQ(recovered.encrypted_user_key.type(), EncString::Type::kAes256CbcHmac);
  EXPECT_EQ(recovered.reset_password_key.type(), AsymmetricEncString::Type::kRsa2048OaepSha1);

  Result<MasterKey> master_key = MasterKey::Derive(kNewPassword, email, kdf);
  ASSERT_TRUE(master_key.ok()) << master_key.status().ToString();
  Result<SymmetricKey> unlocked = UnlockWithKeyConnector(*master_key, recovered.encrypted_user_key);
  ASSERT_TRUE(unlocked.ok()) << unlocked.status().ToString();
  EXPECT_TRUE(unlocked->Equals(user_key));
  Result<std::string> server_hash = master_key->ServerHash(kNewPassword);
  ASSERT_TRUE(server_hash.ok());
  EXPECT_EQ(recovered.server_hash, *server_hash);

  Result<SymmetricKey> reenrolled = recovered.reset_password_key.DecapsulateKey(org_private_key);
  ASSERT_TRUE(reenrolled.ok()) << reenrolled.status().ToString();
  EXPECT_TRUE(reenrolled->Equals(user_key));
}

TEST(AccountRecoveryVectorTest, EnrollAndRecoverWithTheSdkOrgKeyPair) {
  KW_REQUIRE_VECTORS();
  nlohmann::json pair = ::keywarden::testing::VectorById("admin-reset-keypair");
  nlohmann::json account = ::keywarden::testing::VectorById("account-test@bitwarden.com");
  Result<RsaPrivateKey> org_private_key = RsaPrivateKey::FromBase64(pair["private_key_pkcs8_b64"].get<std::string>());
  Result<RsaPublicKey> org_public_key = RsaPublicKey::FromBase64(pair["public_key_b64"].get<std::string>());
  Result<SymmetricKey> user_key = SymmetricKey::FromBase64(account["expect_user_key_b64"].get<std::string>());
  Result<SymmetricKey> org_key = SymmetricKey::Generate();
  ASSERT_TRUE(org_private_key.ok() && org_public_key.ok() && user_key.ok() && org_key.ok());
  ASSERT_TRUE(org_private_key->PublicKey().Equals(*org_public_key));
  Result<EncString> org_encrypted_private_key = EncryptPrivateKey(*org_key, *org_private_key);
  ASSERT_TRUE(org_encrypted_private_key.ok());

  Result<AsymmetricEncString> enrollment = EnrollAccountRecovery(*user_key, *org_public_key);
  ASSERT_TRUE(enrollment.ok()) << enrollment.status().ToString();

  // The server's minimum, as an admin reset would set it.
  const KdfConfig kdf = KdfConfig::DefaultPbkdf2();
  const std::string email = account["email"].get<std::string>();
  Result<RecoveredAccount> recovered = RecoverAccount({.org_key = *org_key,
                                                       .org_encrypted_private_key = *org_encrypted_private_key,
                                                       .reset_password_key = *enrollment,
                                                       .new_password = kNewPassword,
                                                       .email = email,
                                                       .kdf = kdf});
  ASSERT_TRUE(recovered.ok()) << recovered.status().ToString();
  ExpectRecovered(*recovered, *user_key, *org_private_key, email, kdf);
}

// One organisation and one member user key for the suite.
class AccountRecoveryTest : public ::testing::Test {
 protected:
  struct Fixture {
    NewOrganization org;
    SymmetricKey user_key;
    AsymmetricEncString enrollment;
  };

  static void SetUpTestSuite() {
    Result<NewOrganization> org = CreateOrganization();
    ASSERT_TRUE(org.ok()) << org.status().ToString();
    Result<SymmetricKey> user_key = SymmetricKey::Generate();
    ASSERT_TRUE(user_key.ok());
    Result<AsymmetricEncString> enrollment = EnrollAccountRecovery(*user_key, org->public_key);
    ASSERT_TRUE(enrollment.ok()) << enrollment.status().ToString();
    fixture_ = new Fixture{std::move(org).value(), std::move(user_key).value(), std::move(enrollment).value()};
  }
  static void TearDownTestSuite() {
    delete fixture_;
    fixture_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(fixture_, nullptr); }

  static const NewOrganization& org() { return fixture_->org; }
  static const SymmetricKey& user_key() { return fixture_->user_key; }
  static const AsymmetricEncString& enrollment() { return fixture_->enrollment; }

  static Result<RecoveredAccount> Recover(const SymmetricKey& org_key, const EncString& org_encrypted_private_key,
                                          const AsymmetricEncString& reset_password_key, const KdfConfig& kdf) {
    return RecoverAccount({.org_key = org_key,
                           .org_encrypted_private_key = org_encrypted_private_key,
                           .reset_password_key = reset_password_key,
                           .new_password = kNewPassword,
                           .email = kEmail,
                           .kdf = kdf});
  }

 private:
  static Fixture* fixture_;
};

AccountRecoveryTest::Fixture* AccountRecoveryTest::fixture_ = nullptr;

TEST_F(AccountRecoveryTest, EnrollmentOpensWithTheOrgPrivateKey) {
  EXPECT_EQ(enrollment().type(), AsymmetricEncString::Type::kRsa2048OaepSha1);
  Result<SymmetricKey> opened = enrollment().DecapsulateKey(org().private_key);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_TRUE(opened->Equals(user_key()));
}

TEST_F(AccountRecoveryTest, EnrollRefusesALegacyKey) {
  Result<SymmetricKey> legacy = SymmetricKey::FromBytes(SecureBuffer(32));
  ASSERT_TRUE(legacy.ok());
  EXPECT_EQ(EnrollAccountRecovery(*legacy, org().public_key).status().code(), ErrorCode::kWrongKey);
}

TEST_F(AccountRecoveryTest, RecoverEndToEnd) {
  const KdfConfig kdf = CheapServerKdf();
  Result<RecoveredAccount> recovered = Recover(org().org_key, org().encrypted_private_key, enrollment(), kdf);
  ASSERT_TRUE(recovered.ok()) << recovered.status().ToString();
  ExpectRecovered(*recovered, user_key(), org().private_key, kEmail, kdf);

  // The member now unlocks with the new password through the ordinary path.
  Result<SymmetricKey> unlocked = UnlockWithPassword(kNewPassword, kEmail, kdf, recovered->encrypted_user_key);
  ASSERT_TRUE(unlocked.ok()) << unlocked.status().ToString();
  EXPECT_TRUE(unlocked->Equals(user_key()));
  // And the fresh enrollment can itself be recovered again.
  Result<RecoveredAccount> again =
      Recover(org().org_key, org().encrypted_private_key, recovered->reset_password_key, kdf);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->user_key.Equals(user_key()));
}

TEST_F(AccountRecoveryTest, KeepsLegacySettingsBelowTheServerMinimum) {
  // Old accounts: PBKDF2 at 100,000 (the clients' default until 2023) and at the 5,000 floor.
  // The member keeps them, so the new password unlocks with exactly these settings.
  for (const KdfConfig& kdf : {KdfConfig::Pbkdf2(100'000), KdfConfig::Pbkdf2(5000)}) {
    Result<RecoveredAccount> recovered = Recover(org().org_key, org().encrypted_private_key, enrollment(), kdf);
    ASSERT_TRUE(recovered.ok()) << kdf.ToString() << ": " << recovered.status().ToString();
    ExpectRecovered(*recovered, user_key(), org().private_key, kEmail, kdf);
  }
}

TEST_F(AccountRecoveryTest, KdfBelowTheClientMinimumIsOutOfRange) {
  for (const KdfConfig& kdf : {KdfConfig::Pbkdf2(4999), KdfConfig::Argon2id(1, 16, 1), KdfConfig::Argon2id(2, 15, 1)}) {
    Result<RecoveredAccount> recovered = Recover(org().org_key, org().encrypted_private_key, enrollment(), kdf);
    EXPECT_EQ(recovered.status().code(), ErrorCode::kOutOfRange) << kdf.ToString();
  }
}

TEST_F(AccountRecoveryTest, KdfAboveTheMaximumIsOutOfRange) {
  Result<RecoveredAccount> recovered =
      Recover(org().org_key, org().encrypted_private_key, enrollment(), KdfConfig::Argon2id(2, 2048, 1));
  EXPECT_EQ(recovered.status().code(), ErrorCode::kOutOfRange);
}

TEST_F(AccountRecoveryTest, KdfIsCheckedBeforeAnyKeyIsOpened) {
  // A wrong org key too: the KDF error wins, so nothing was opened or derived first.
  Result<SymmetricKey> other = SymmetricKey::Generate();
  ASSERT_TRUE(other.ok());
  Result<RecoveredAccount> recovered =
      Recover(*other, org().encrypted_private_key, enrollment(), KdfConfig::Pbkdf2(4999));
  EXPECT_EQ(recovered.status().code(), ErrorCode::kOutOfRange);
}

TEST_F(AccountRecoveryTest, WrongOrgKeyFailsAuthentication) {
  Result<SymmetricKey> other = SymmetricKey::Generate();
  ASSERT_TRUE(other.ok());
  Result<RecoveredAccount> recovered = Recover(*other, org().encrypted_private_key, enrollment(), CheapServerKdf());
  EXPECT_EQ(recovered.status().code(), ErrorCode::kAuthenticationFailed);
}

TEST_F(AccountRecoveryTest, TamperedOrgPrivateKeyFailsAuthentication) {
  Result<RecoveredAccount> recovered =
      Recover(org().org_key, Tamper(org().encrypted_private_key), enrollment(), CheapServerKdf());
  EXPECT_EQ(recovered.status().code(), ErrorCode::kAuthenticationFailed);
}

TEST_F(AccountRecoveryTest, TamperedResetPasswordKeyFailsAuthentication) {
  Result<RecoveredAccount> recovered =
      Recover(org().org_key, org().encrypted_private_key, Tamper(enrollment()), CheapServerKdf());
  EXPECT_EQ(recovered.status().code(), ErrorCode::kAuthenticationFailed);
}

TEST_F(AccountRecoveryTest, ResetPasswordKeyMustHold64Bytes) {
  SecureBuffer short_key(32);
  Result<AsymmetricEncString> enrollment_of_32 = AsymmetricEncString::Encapsulate(org().public_key, short_key.span());
  ASSERT_TRUE(enrollment_of_32.ok());
  Result<RecoveredAccount> recovered =
      Recover(org().org_key, org().encrypted_private_key, *enrollment_of_32, CheapServerKdf());
  EXPECT_EQ(recovered.status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace keywarden
