#include "keywarden/keys/organization.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "keywarden/crypto/encoding.h"
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

TEST(OrganizationVectorTest, MemberOpensTheSdkOrganizationKeys) {
  KW_REQUIRE_VECTORS();
  nlohmann::json v = ::keywarden::testing::VectorById("account-test@bitwarden.com");
  // The user key is given by the vector: the KDF is tested elsewhere.
  Result<SymmetricKey> user_key = SymmetricKey::FromBase64(v["expect_user_key_b64"].get<std::string>());
  Result<EncString> encrypted_private_key = EncString::Parse(v["enc_private_key"].get<std::string>());
  ASSERT_TRUE(user_key.ok() && encrypted_private_key.ok());
  Result<RsaPrivateKey> private_key = DecryptPrivateKey(*user_key, *encrypted_private_key);
  ASSERT_TRUE(private_key.ok()) << private_key.status().ToString();

  Result<AsymmetricEncString> member_org_key = AsymmetricEncString::Parse(v["enc_org_key"].get<std::string>());
  ASSERT_TRUE(member_org_key.ok()) << member_org_key.status().ToString();
  EXPECT_EQ(member_org_key->type(), AsymmetricEncString::Type::kRsa2048OaepSha1);
  Result<SymmetricKey> org_key = OpenOrganizationKey(*member_org_key, *private_key);
  ASSERT_TRUE(org_key.ok()) << org_key.status().ToString();
  EXPECT_FALSE(org_key->is_legacy());

  Result<EncString> encrypted_org_private_key = EncString::Parse(v["enc_org_private_key"].get<std::string>());
  ASSERT_TRUE(encrypted_org_private_key.ok());
  Result<RsaPrivateKey> org_private_key = OpenOrganizationPrivateKey(*org_key, *encrypted_org_private_key);
  ASSERT_TRUE(org_private_key.ok()) << org_private_key.status().ToString();
  Result<RsaPublicKey> org_public_key = RsaPublicKey::FromBase64(v["org_public_key_b64"].get<std::string>());
  ASSERT_TRUE(org_public_key.ok());
  EXPECT_TRUE(org_private_key->PublicKey().Equals(*org_public_key));
}

// One organisation and one member key pair for the suite (RSA generation is slow).
class OrganizationTest : public ::testing::Test {
 protected:
  struct Fixture {
    NewOrganization org;
    RsaPrivateKey member_private_key;
  };

  static void SetUpTestSuite() {
    Result<NewOrganization> org = CreateOrganization();
    ASSERT_TRUE(org.ok()) << org.status().ToString();
    Result<RsaPrivateKey> member = RsaPrivateKey::Generate();
    ASSERT_TRUE(member.ok()) << member.status().ToString();
    fixture_ = new Fixture{std::move(org).value(), std::move(member).value()};
  }
  static void TearDownTestSuite() {
    delete fixture_;
    fixture_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(fixture_, nullptr); }

  static const NewOrganization& org() { return fixture_->org; }
  static const RsaPrivateKey& member() { return fixture_->member_private_key; }

 private:
  static Fixture* fixture_;
};

OrganizationTest::Fixture* OrganizationTest::fixture_ = nullptr;

TEST_F(OrganizationTest, CreateOrganizationProducesTheStoredForms) {
  EXPECT_FALSE(org().org_key.is_legacy());
  EXPECT_EQ(org().public_key.bits(), 2048);
  EXPECT_TRUE(org().public_key.Equals(org().private_key.PublicKey()));
  EXPECT_EQ(org().encrypted_private_key.type(), EncString::Type::kAes256CbcHmac);
}

TEST_F(OrganizationTest, OrganizationPrivateKeyRoundTrip) {
  Result<RsaPrivateKey> private_key = OpenOrganizationPrivateKey(org().org_key, org().encrypted_private_key);
  ASSERT_TRUE(private_key.ok()) << private_key.status().ToString();
  EXPECT_TRUE(private_key->PublicKey().Equals(org().public_key));
}

TEST_F(OrganizationTest, ShareAndOpenRoundTrip) {
  Result<AsymmetricEncString> shared = ShareOrganizationKey(org().org_key, member().PublicKey());
  ASSERT_TRUE(shared.ok()) << shared.status().ToString();
  EXPECT_EQ(shared->type(), AsymmetricEncString::Type::kRsa2048OaepSha1);

  Result<SymmetricKey> opened = OpenOrganizationKey(*shared, member());
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_TRUE(opened->Equals(org().org_key));
}

TEST_F(OrganizationTest, ShareRefusesALegacyKey) {
  Result<SymmetricKey> legacy = SymmetricKey::FromBytes(SecureBuffer(32));
  ASSERT_TRUE(legacy.ok());
  EXPECT_EQ(ShareOrganizationKey(*legacy, member().PublicKey()).status().code(), ErrorCode::kWrongKey);
}

TEST_F(OrganizationTest, OpenWithAnotherPrivateKeyFailsAuthentication) {
  Result<AsymmetricEncString> shared = ShareOrganizationKey(org().org_key, member().PublicKey());
  ASSERT_TRUE(shared.ok());
  // The org's own private key is not the member's.
  EXPECT_EQ(OpenOrganizationKey(*shared, org().private_key).status().code(), ErrorCode::kAuthenticationFailed);
}

TEST_F(OrganizationTest, TamperedMemberKeyFailsAuthentication) {
  Result<AsymmetricEncString> shared = ShareOrganizationKey(org().org_key, member().PublicKey());
  ASSERT_TRUE(shared.ok());
  EXPECT_EQ(OpenOrganizationKey(Tamper(*shared), member()).status().code(), ErrorCode::kAuthenticationFailed);
}

TEST_F(OrganizationTest, OpenRefusesAnEncapsulatedKeyThatIsNot64Bytes) {
  SecureBuffer short_key(32);
  Result<AsymmetricEncString> shared = AsymmetricEncString::Encapsulate(member().PublicKey(), short_key.span());
  ASSERT_TRUE(shared.ok());
  EXPECT_EQ(OpenOrganizationKey(*shared, member()).status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(OrganizationTest, WrongOrganizationKeyFailsAuthentication) {
  Result<SymmetricKey> other = SymmetricKey::Generate();
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(OpenOrganizationPrivateKey(*other, org().encrypted_private_key).status().code(),
            ErrorCode::kAuthenticationFailed);
}

TEST_F(OrganizationTest, TamperedOrganizationPrivateKeyFailsAuthentication) {
  EXPECT_EQ(OpenOrganizationPrivateKey(org().org_key, Tamper(org().encrypted_private_key)).status().code(),
            ErrorCode::kAuthenticationFailed);
}

}  // namespace
}  // namespace keywarden
