#include "keywarden/keys/account.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "keywarden/crypto/encoding.h"
#include "support/vectors.h"

namespace keywarden {
namespace {

using ::keywarden::testing::VectorsOfKind;

// Client-minimum PBKDF2: the KDF is not what these tests are about.
KdfConfig CheapKdf() { return KdfConfig::Pbkdf2(5000); }

constexpr char kEmail[] = "member@example.com";
constexpr char kPassword[] = "correct horse battery staple";

// The same value with one ciphertext bit flipped: it must no longer authenticate.
EncString Tamper(const EncString& value) {
  std::vector<std::uint8_t> ct(value.ciphertext().begin(), value.ciphertext().end());
  ct[0] ^= 0x01;
  return EncString::FromParts(value.iv(), ct, value.mac()).value();
}

// One RSA-2048 account shared by every test in the suite (key generation is slow).
class AccountTest : public ::testing::Test {
 protected:
  struct Fixture {
    MasterKey master_key;
    NewAccount account;
  };

  static void SetUpTestSuite() {
    Result<MasterKey> master_key = MasterKey::Derive(kPassword, kEmail, CheapKdf());
    ASSERT_TRUE(master_key.ok()) << master_key.status().ToString();
    Result<NewAccount> account = InitializeAccount(*master_key);
    ASSERT_TRUE(account.ok()) << account.status().ToString();
    fixture_ = new Fixture{std::move(master_key).value(), std::move(account).value()};
  }
  static void TearDownTestSuite() {
    delete fixture_;
    fixture_ = nullptr;
  }

  void SetUp() override { ASSERT_NE(fixture_, nullptr); }

  static const MasterKey& master_key() { return fixture_->master_key; }
  static const NewAccount& account() { return fixture_->account; }

 private:
  static Fixture* fixture_;
};

AccountTest::Fixture* AccountTest::fixture_ = nullptr;

TEST(AccountVectorTest, UnlockWithPasswordGivesTheSdkUserKey) {
  KW_REQUIRE_VECTORS();
  std::vector<nlohmann::json> vectors = VectorsOfKind("account");
  ASSERT_EQ(vectors.size(), 2u);
  for (const nlohmann::json& v : vectors) {
    SCOPED_TRACE(v["id"].get<std::string>());
    Result<KdfConfig> kdf = KdfConfig::Parse(v["kdf"].get<std::string>());
    ASSERT_TRUE(kdf.ok()) << kdf.status().ToString();
    Result<EncString> encrypted_user_key = EncString::Parse(v["enc_user_key"].get<std::string>());
    ASSERT_TRUE(encrypted_user_key.ok()) << encrypted_user_key.status().ToString();

    Result<SymmetricKey> user_key =
        UnlockWithPassword(v["password"].get<std::string>(), v["email"].get<std::string>(), *kdf, *encrypted_user_key);
    ASSERT_TRUE(user_key.ok()) << user_key.status().ToString();
    Result<SymmetricKey> expected = SymmetricKey::FromBase64(v["expect_user_key_b64"].get<std::string>());
    ASSERT_TRUE(expected.ok());
    EXPECT_FALSE(user_key->is_legacy());
    EXPECT_TRUE(user_key->Equals(*expected));
  }
}

TEST(AccountVectorTest, LegacyAccountStoresTheUserKeyAsType0) {
  KW_REQUIRE_VECTORS();
  nlohmann::json v = ::keywarden::testing::VectorById("account-legacy@bitwarden.com");
  Result<EncString> encrypted_user_key = EncString::Parse(v["enc_user_key"].get<std::string>());
  ASSERT_TRUE(encrypted_user_key.ok()) << encrypted_user_key.status().ToString();
  EXPECT_EQ(encrypted_user_key->type(), EncString::Type::kAes256Cbc);
}

TEST(AccountVectorTest, ValidateUserKeyAcceptsTheSdkKeyPair) {
  KW_REQUIRE_VECTORS();
  const std::vector<nlohmann::json> vectors = VectorsOfKind("account");
  ASSERT_FALSE(vectors.empty());
  for (const nlohmann::json& v : vectors) {
    SCOPED_TRACE(v["id"].get<std::string>());
    Result<SymmetricKey> user_key = SymmetricKey::FromBase64(v["expect_user_key_b64"].get<std::string>());
    Result<EncString> encrypted_private_key = EncString::Parse(v["enc_private_key"].get<std::string>());
    Result<RsaPublicKey> public_key = RsaPublicKey::FromBase64(v["public_key_b64"].get<std::string>());
    ASSERT_TRUE(user_key.ok() && encrypted_private_key.ok() && public_key.ok());

    Status status = ValidateUserKey(*user_key, *encrypted_private_key, *public_key);
    EXPECT_TRUE(status.ok()) << status.ToString();
  }
}

TEST(AccountVectorTest, ValidateUserKeyRejectsAnotherAccountsPublicKey) {
  KW_REQUIRE_VECTORS();
  std::vector<nlohmann::json> vectors = VectorsOfKind("account");
  ASSERT_EQ(vectors.size(), 2u);
  Result<SymmetricKey> user_key = SymmetricKey::FromBase64(vectors[0]["expect_user_key_b64"].get<std::string>());
  Result<EncString> encrypted_private_key = EncString::Parse(vectors[0]["enc_private_key"].get<std::string>());
  Result<RsaPublicKey> other_public_key = RsaPublicKey::FromBase64(vectors[1]["public_key_b64"].get<std::string>());
  ASSERT_TRUE(user_key.ok() && encrypted_private_key.ok() && other_public_key.ok());

  Status status = ValidateUserKey(*user_key, *encrypted_private_key, *other_public_key);
  EXPECT_EQ(status.code(), ErrorCode::kWrongKey);
  EXPECT_EQ(status.message(), "the private key does not match the public key");
}

TEST_F(AccountTest, InitializeAccountProducesTheStoredForms) {
  const AccountKeys& stored = account().stored;
  EXPECT_EQ(stored.encrypted_user_key.type(), EncString::Type::kAes256CbcHmac);
  EXPECT_EQ(stored.encrypted_private_key.type(), EncString::Type::kAes256CbcHmac);
  EXPECT_FALSE(account().user_key.is_legacy());
  EXPECT_EQ(stored.public_key.bits(), 2048);
  EXPECT_TRUE(stored.public_key.Equals(account().private_key.PublicKey()));
}

TEST_F(AccountTest, PasswordUnlockRoundTrip) {
  Result<SymmetricKey> user_key =
      UnlockWithPassword(kPassword, kEmail, CheapKdf(), account().stored.encrypted_user_key);
  ASSERT_TRUE(user_key.ok()) << user_key.status().ToString();
  EXPECT_TRUE(user_key->Equals(account().user_key));
}

TEST_F(AccountTest, EmailIsNormalisedBeforeDerivation) {
  Result<SymmetricKey> user_key =
      UnlockWithPassword(kPassword, "  Member@Example.COM ", CheapKdf(), account().stored.encrypted_user_key);
  ASSERT_TRUE(user_key.ok()) << user_key.status().ToString();
  EXPECT_TRUE(user_key->Equals(account().user_key));
}

TEST_F(AccountTest, WrongPasswordFailsAuthentication) {
  Result<SymmetricKey> user_key =
      UnlockWithPassword("wrong password", kEmail, CheapKdf(), account().stored.encrypted_user_key);
  EXPECT_EQ(user_key.status().code(), ErrorCode::kAuthenticationFailed);
}

TEST_F(AccountTest, WrongKdfFailsAuthentication) {
  Result<SymmetricKey> user_key =
      UnlockWithPassword(kPassword, kEmail, KdfConfig::Pbkdf2(5001), account().stored.encrypted_user_key);
  EXPECT_EQ(user_key.status().code(), ErrorCode::kAuthenticationFailed);
}

TEST_F(AccountTest, KdfBelowTheClientMinimumIsRefused) {
  Result<SymmetricKey> user_key =
      UnlockWithPassword(kPassword, kEmail, KdfConfig::Pbkdf2(4999), account().stored.encrypted_user_key);
  EXPECT_EQ(user_key.status().code(), ErrorCode::kOutOfRange);
}

TEST_F(AccountTest, TamperedUserKeyFailsAuthentication) {
  Result<SymmetricKey> user_key =
      UnlockWithPassword(kPassword, kEmail, CheapKdf(), Tamper(account().stored.encrypted_user_key));
  EXPECT_EQ(user_key.status().code(), ErrorCode::kAuthenticationFailed);
}

TEST_F(AccountTest, KeyConnectorUnlockRoundTrip) {
  Result<MasterKey> connector_key = MasterKey::Generate();
  ASSERT_TRUE(connector_key.ok());
  Result<EncString> encrypted_user_key = connector_key->EncryptUserKey(account().user_key);
  ASSERT_TRUE(encrypted_user_key.ok());

  Result<SymmetricKey> user_key = UnlockWithKeyConnector(*connector_key, *encrypted_user_key);
  ASSERT_TRUE(user_key.ok()) << user_key.status().ToString();
  EXPECT_TRUE(user_key->Equals(account().user_key));
}

TEST_F(AccountTest, WrongKeyConnectorKeyFailsAuthentication) {
  Result<MasterKey> other_key = MasterKey::Generate();
  ASSERT_TRUE(other_key.ok());
  Result<SymmetricKey> user_key = UnlockWithKeyConnector(*other_key, account().stored.encrypted_user_key);
  EXPECT_EQ(user_key.status().code(), ErrorCode::kAuthenticationFailed);
}

TEST_F(AccountTest, KeyConnectorRefusesAUserKeyThatIsNot64Bytes) {
  // A well-formed, authenticated wrapping of 32 bytes: a user key is never that short.
  Result<SymmetricKey> stretched = master_key().Stretch();
  ASSERT_TRUE(stretched.ok());
  SecureBuffer short_key(32);
  Result<EncString> encrypted = EncString::Encrypt(*stretched, short_key);
  ASSERT_TRUE(encrypted.ok());

  Result<SymmetricKey> user_key = UnlockWithKeyConnector(master_key(), *encrypted);
  EXPECT_FALSE(user_key.ok());
}

TEST_F(AccountTest, PrivateKeyRoundTrip) {
  Result<SymmetricKey> key = SymmetricKey::Generate();
  ASSERT_TRUE(key.ok());
  Result<EncString> encrypted = EncryptPrivateKey(*key, account().private_key);
  ASSERT_TRUE(encrypted.ok()) << encrypted.status().ToString();
  EXPECT_EQ(encrypted->type(), EncString::Type::kAes256CbcHmac);

  Result<RsaPrivateKey> private_key = DecryptPrivateKey(*key, *encrypted);
  ASSERT_TRUE(private_key.ok()) << private_key.status().ToString();
  EXPECT_TRUE(private_key->PublicKey().Equals(account().stored.public_key));
}

TEST_F(AccountTest, EncryptPrivateKeyRefusesALegacyKey) {
  Result<SymmetricKey> legacy = SymmetricKey::FromBytes(SecureBuffer(32));
  ASSERT_TRUE(legacy.ok());
  ASSERT_TRUE(legacy->is_legacy());
  EXPECT_EQ(EncryptPrivateKey(*legacy, account().private_key).status().code(), ErrorCode::kWrongKey);
}

TEST_F(AccountTest, DecryptPrivateKeyWithWrongKeyFailsAuthentication) {
  Result<SymmetricKey> other = SymmetricKey::Generate();
  ASSERT_TRUE(other.ok());
  Result<RsaPrivateKey> private_key = DecryptPrivateKey(*other, account().stored.encrypted_private_key);
  EXPECT_EQ(private_key.status().code(), ErrorCode::kAuthenticationFailed);
}

TEST_F(AccountTest, ValidateUserKeyAcceptsTheAccountsOwnKeys) {
  Status status =
      ValidateUserKey(account().user_key, account().stored.encrypted_private_key, account().stored.public_key);
  EXPECT_TRUE(status.ok()) << status.ToString();
}

TEST_F(AccountTest, ValidateUserKeyWithWrongUserKeyFailsAuthentication) {
  Result<SymmetricKey> other = SymmetricKey::Generate();
  ASSERT_TRUE(other.ok());
  Status status = ValidateUserKey(*other, account().stored.encrypted_private_key, account().stored.public_key);
  EXPECT_EQ(status.code(), ErrorCode::kAuthenticationFailed);
}

TEST_F(AccountTest, ValidateUserKeyWithLegacyUserKeyFailsAuthentication) {
  Result<SymmetricKey> legacy = SymmetricKey::FromBytes(SecureBuffer(32));
  ASSERT_TRUE(legacy.ok());
  Status status = ValidateUserKey(*legacy, account().stored.encrypted_private_key, account().stored.public_key);
  EXPECT_EQ(status.code(), ErrorCode::kAuthenticationFailed);
}

TEST_F(AccountTest, ValidateUserKeyWithTamperedPrivateKeyFailsAuthentication) {
  Status status =
      ValidateUserKey(account().user_key, Tamper(account().stored.encrypted_private_key), account().stored.public_key);
  EXPECT_EQ(status.code(), ErrorCode::kAuthenticationFailed);
}

TEST_F(AccountTest, ValidateUserKeyWithMismatchedKeyPairIsWrongKey) {
  // A private key that decrypts fine but belongs to another pair: wrapped under this user key.
  Result<RsaPrivateKey> stranger = RsaPrivateKey::Generate();
  ASSERT_TRUE(stranger.ok());
  Result<EncString> encrypted = EncryptPrivateKey(account().user_key, *stranger);
  ASSERT_TRUE(encrypted.ok());

  Status status = ValidateUserKey(account().user_key, *encrypted, account().stored.public_key);
  EXPECT_EQ(status.code(), ErrorCode::kWrongKey);
  EXPECT_EQ(status.message(), "the private key does not match the public key");
}

}  // namespace
}  // namespace keywarden
