#include "keywarden/keys/session.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "keywarden/crypto/encoding.h"
#include "keywarden/keys/account.h"
#include "keywarden/keys/organization.h"
#include "support/vectors.h"

namespace keywarden {
namespace {

constexpr char kOrgId[] = "3f0c2a52-8c2e-4c55-9d43-5d4a1e0b7c11";

AsymmetricEncString Tamper(const AsymmetricEncString& value) {
  std::vector<std::uint8_t> ct(value.ciphertext().begin(), value.ciphertext().end());
  ct[ct.size() / 2] ^= 0x01;
  return AsymmetricEncString::Parse("4." + Base64Encode(ct)).value();
}

TEST(SessionVectorTest, HoldsTheSdkOrganizationKey) {
  KW_REQUIRE_VECTORS();
  nlohmann::json v = ::keywarden::testing::VectorById("account-test@bitwarden.com");
  Result<SymmetricKey> user_key = SymmetricKey::FromBase64(v["expect_user_key_b64"].get<std::string>());
  Result<EncString> encrypted_private_key = EncString::Parse(v["enc_private_key"].get<std::string>());
  Result<AsymmetricEncString> member_org_key = AsymmetricEncString::Parse(v["enc_org_key"].get<std::string>());
  Result<EncString> encrypted_org_private_key = EncString::Parse(v["enc_org_private_key"].get<std::string>());
  Result<RsaPublicKey> org_public_key = RsaPublicKey::FromBase64(v["org_public_key_b64"].get<std::string>());
  ASSERT_TRUE(user_key.ok() && encrypted_private_key.ok() && member_org_key.ok() && encrypted_org_private_key.ok() &&
              org_public_key.ok());

  Result<UnlockedSession> session = UnlockedSession::Open(std::move(user_key).value(), *encrypted_private_key);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  const std::string org_id = v["org_id"].get<std::string>();
  Status added = session->AddOrganizationKey(org_id, *member_org_key);
  ASSERT_TRUE(added.ok()) << added.ToString();
  EXPECT_EQ(session->organization_count(), 1u);

  Result<const SymmetricKey*> org_key = session->organization_key(org_id);
  ASSERT_TRUE(org_key.ok()) << org_key.status().ToString();
  Result<RsaPrivateKey> org_private_key = OpenOrganizationPrivateKey(**org_key, *encrypted_org_private_key);
  ASSERT_TRUE(org_private_key.ok()) << org_private_key.status().ToString();
  EXPECT_TRUE(org_private_key->PublicKey().Equals(*org_public_key));
}

// One account and one organisation key shared to it, for the suite.
class SessionTest : public ::testing::Test {
 protected:
  struct Fixture {
    SymmetricKey user_key;
    RsaPrivateKey private_key;
    EncString encrypted_private_key;
    SymmetricKey org_key;
    AsymmetricEncString member_org_key;
  };

  static void SetUpTestSuite() {
    Result<SymmetricKey> user_key = SymmetricKey::Generate();
    Result<RsaPrivateKey> private_key = RsaPrivateKey::Generate();
    Result<SymmetricKey> org_key = SymmetricKey::Generate();
    ASSERT_TRUE(user_key.ok() && private_key.ok() && org_key.ok());
    Result<EncString> encrypted_private_key = EncryptPrivateKey(*user_key, *private_key);
    Result<AsymmetricEncString> member_org_key = ShareOrganizationKey(*org_key, private_key->PublicKey());
    ASSERT_TRUE(encrypted_private_key.ok() && member_org_key.ok());
    fixture_ = new Fixture{std::move(user_key).value(), std::move(private_key).value(),
                           std::move(encrypted_private_key).value(), std::move(org_key).value(),
                           std::move(member_org_key).value()};
  }
  static void TearDownTestSuite() {
    delete fixture_;
    fixture_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(fixture_, nullptr); }

  static const Fixture& f() { return *fixture_; }

  // A session over the fixture account, with the organisation key added.
  static UnlockedSession OpenWithOrg() {
    Result<UnlockedSession> session = UnlockedSession::Open(f().user_key.Clone(), f().encrypted_private_key);
    EXPECT_TRUE(session.ok()) << session.status().ToString();
    Status added = session->AddOrganizationKey(kOrgId, f().member_org_key);
    EXPECT_TRUE(added.ok()) << added.ToString();
    return std::move(session).value();
  }

 private:
  static Fixture* fixture_;
};

SessionTest::Fixture* SessionTest::fixture_ = nullptr;

TEST_F(SessionTest, OpenHoldsTheAccountKeys) {
  Result<UnlockedSession> session = UnlockedSession::Open(f().user_key.Clone(), f().encrypted_private_key);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  EXPECT_FALSE(session->locked());
  EXPECT_EQ(session->organization_count(), 0u);

  Result<const SymmetricKey*> user_key = session->user_key();
  ASSERT_TRUE(user_key.ok());
  EXPECT_TRUE((*user_key)->Equals(f().user_key));
  Result<const RsaPrivateKey*> private_key = session->private_key();
  ASSERT_TRUE(private_key.ok());
  EXPECT_TRUE((*private_key)->PublicKey().Equals(f().private_key.PublicKey()));
}

TEST_F(SessionTest, OpenWithWrongUserKeyFailsAuthentication) {
  Result<SymmetricKey> other = SymmetricKey::Generate();
  ASSERT_TRUE(other.ok());
  Result<UnlockedSession> session = UnlockedSession::Open(std::move(other).value(), f().encrypted_private_key);
  EXPECT_EQ(session.status().code(), ErrorCode::kAuthenticationFailed);
}

TEST_F(SessionTest, AddedOrganizationKeyRoundTrip) {
  UnlockedSession session = OpenWithOrg();
  EXPECT_EQ(session.organization_count(), 1u);
  Result<const SymmetricKey*> org_key = session.organization_key(kOrgId);
  ASSERT_TRUE(org_key.ok()) << org_key.status().ToString();
  EXPECT_TRUE((*org_key)->Equals(f().org_key));

  // Adding the same organisation again replaces its key rather than adding a second one.
  Status again = session.AddOrganizationKey(kOrgId, f().member_org_key);
  EXPECT_TRUE(again.ok()) << again.ToString();
  EXPECT_EQ(session.organization_count(), 1u);
}

TEST_F(SessionTest, UnknownOrganizationIsAnError) {
  UnlockedSession session = OpenWithOrg();
  EXPECT_EQ(session.organization_key("not-a-member").status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(SessionTest, TamperedOrganizationKeyIsNotAdded) {
  Result<UnlockedSession> session = UnlockedSession::Open(f().user_key.Clone(), f().encrypted_private_key);
  ASSERT_TRUE(session.ok());
  Status added = session->AddOrganizationKey(kOrgId, Tamper(f().member_org_key));
  EXPECT_EQ(added.code(), ErrorCode::kAuthenticationFailed);
  EXPECT_EQ(session->organization_count(), 0u);
  EXPECT_FALSE(session->organization_key(kOrgId).ok());
}

TEST_F(SessionTest, AccessorsAfterLockReportWrongKey) {
  UnlockedSession session = OpenWithOrg();
  session.Lock();
  EXPECT_TRUE(session.locked());
  EXPECT_EQ(session.organization_count(), 0u);
  EXPECT_EQ(session.user_key().status().code(), ErrorCode::kWrongKey);
  EXPECT_EQ(session.private_key().status().code(), ErrorCode::kWrongKey);
  EXPECT_EQ(session.organization_key(kOrgId).status().code(), ErrorCode::kWrongKey);
  EXPECT_EQ(session.AddOrganizationKey(kOrgId, f().member_org_key).code(), ErrorCode::kWrongKey);
}

TEST_F(SessionTest, DroppingTheSessionReleasesEverySecret) {
  const std::size_t before = SecureBuffer::LiveCount();
  {
    UnlockedSession session = OpenWithOrg();
    EXPECT_GE(SecureBuffer::LiveCount(), before + 2);  // at least the user key and the org key
  }
  EXPECT_EQ(SecureBuffer::LiveCount(), before);
}

TEST_F(SessionTest, LockingReleasesEverySecret) {
  const std::size_t before = SecureBuffer::LiveCount();
  UnlockedSession session = OpenWithOrg();
  EXPECT_GE(SecureBuffer::LiveCount(), before + 2);
  session.Lock();
  EXPECT_EQ(SecureBuffer::LiveCount(), before);
}

}  // namespace
}  // namespace keywarden
