#include "keywarden/keys/auth_request.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/fingerprint.h"
#include "keywarden/crypto/master_key.h"
#include "support/skip.h"
#include "support/vectors.h"

namespace keywarden {
namespace {

constexpr char kEmail[] = "member@example.com";

AsymmetricEncString Tamper(const AsymmetricEncString& value) {
  std::vector<std::uint8_t> ct(value.ciphertext().begin(), value.ciphertext().end());
  ct[ct.size() / 2] ^= 0x01;
  return AsymmetricEncString::Parse("4." + Base64Encode(ct)).value();
}

TEST(AuthRequestVectorTest, CompletesAnSdkApprovalMadeWithTheMasterKey) {
  KW_REQUIRE_VECTORS();
  nlohmann::json v = ::keywarden::testing::VectorById("auth-request-decapsulate");
  Result<RsaPrivateKey> private_key = RsaPrivateKey::FromBase64(v["private_key_pkcs8_b64"].get<std::string>());
  Result<AsymmetricEncString> approval = AsymmetricEncString::Parse(v["enc"].get<std::string>());
  Result<std::vector<std::uint8_t>> expected = Base64Decode(v["expect_key_b64"].get<std::string>());
  ASSERT_TRUE(private_key.ok() && approval.ok() && expected.ok());

  Result<SymmetricKey> key = CompleteAuthRequest(*private_key, *approval);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  // 32 bytes: an older client's master key, returned as a legacy-kind key.
  EXPECT_TRUE(key->is_legacy());
  EXPECT_TRUE(key->bytes().Equals(*expected));
}

TEST(AuthRequestVectorTest, TheApprovedMasterKeyUnlocksTheAccount) {
  KW_REQUIRE_VECTORS();
  nlohmann::json v = ::keywarden::testing::VectorById("auth-request-decapsulate");
  nlohmann::json account = ::keywarden::testing::VectorById("account-test@bitwarden.com");
  // The approved key is that account's master key; this is what the requesting client does next.
  if (v["expect_key_b64"] != account["expect_master_key_b64"]) {
    KW_SKIP_OR_FAIL_IN_CI(
        "the vectors are for other accounts: auth-request-decapsulate does not approve "
        "account-test@bitwarden.com's master key");
  }
  Result<RsaPrivateKey> private_key = RsaPrivateKey::FromBase64(v["private_key_pkcs8_b64"].get<std::string>());
  Result<AsymmetricEncString> approval = AsymmetricEncString::Parse(v["enc"].get<std::string>());
  Result<EncString> encrypted_user_key = EncString::Parse(account["enc_user_key"].get<std::string>());
  Result<SymmetricKey> expected = SymmetricKey::FromBase64(account["expect_user_key_b64"].get<std::string>());
  ASSERT_TRUE(private_key.ok() && approval.ok() && encrypted_user_key.ok() && expected.ok());

  Result<SymmetricKey> key = CompleteAuthRequest(*private_key, *approval);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  Result<MasterKey> master_key = MasterKey::FromBytes(key->bytes().Clone());
  ASSERT_TRUE(master_key.ok()) << master_key.status().ToString();
  Result<SymmetricKey> user_key = master_key->DecryptUserKey(*encrypted_user_key);
  ASSERT_TRUE(user_key.ok()) << user_key.status().ToString();
  EXPECT_TRUE(user_key->Equals(*expected));
}

// One request (an RSA-2048 pair) for the suite.
class AuthRequestTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Result<AuthRequest> request = NewAuthRequest(kEmail);
    ASSERT_TRUE(request.ok()) << request.status().ToString();
    request_ = new AuthRequest(std::move(request).value());
  }
  static void TearDownTestSuite() {
    delete request_;
    request_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(request_, nullptr); }

  static const AuthRequest& request() { return *request_; }

 private:
  static AuthRequest* request_;
};

AuthRequest* AuthRequestTest::request_ = nullptr;

TEST_F(AuthRequestTest, NewRequestCarriesAMatchingPairAndFingerprint) {
  EXPECT_EQ(request().public_key.bits(), 2048);
  EXPECT_TRUE(request().private_key.PublicKey().Equals(request().public_key));

  Result<std::string> expected = FingerprintPhrase(kEmail, request().public_key);
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(request().fingerprint, *expected);
  // Five words joined by "-".
  EXPECT_EQ(std::count(request().fingerprint.begin(), request().fingerprint.end(), '-'), 4);
}

TEST_F(AuthRequestTest, FingerprintDependsOnTheEmail) {
  Result<std::string> other = FingerprintPhrase("someone.else@example.com", request().public_key);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(request().fingerprint, *other);
}

TEST_F(AuthRequestTest, ApproveAndCompleteRoundTrip) {
  Result<SymmetricKey> user_key = SymmetricKey::Generate();
  ASSERT_TRUE(user_key.ok());
  Result<AsymmetricEncString> approval = ApproveAuthRequest(request().public_key, *user_key);
  ASSERT_TRUE(approval.ok()) << approval.status().ToString();
  EXPECT_EQ(approval->type(), AsymmetricEncString::Type::kRsa2048OaepSha1);

  Result<SymmetricKey> completed = CompleteAuthRequest(request().private_key, *approval);
  ASSERT_TRUE(completed.ok()) << completed.status().ToString();
  EXPECT_FALSE(completed->is_legacy());
  EXPECT_TRUE(completed->Equals(*user_key));
}

TEST_F(AuthRequestTest, CompleteAcceptsA32ByteMasterKey) {
  Result<MasterKey> master_key = MasterKey::Generate();
  ASSERT_TRUE(master_key.ok());
  Result<AsymmetricEncString> approval =
      AsymmetricEncString::Encapsulate(request().public_key, master_key->bytes().span());
  ASSERT_TRUE(approval.ok());

  Result<SymmetricKey> completed = CompleteAuthRequest(request().private_key, *approval);
  ASSERT_TRUE(completed.ok()) << completed.status().ToString();
  EXPECT_TRUE(completed->is_legacy());
  EXPECT_TRUE(completed->bytes().Equals(master_key->bytes().span()));
}

TEST_F(AuthRequestTest, CompleteRefusesOtherKeyLengths) {
  SecureBuffer odd(48);
  Result<AsymmetricEncString> approval = AsymmetricEncString::Encapsulate(request().public_key, odd.span());
  ASSERT_TRUE(approval.ok());
  EXPECT_FALSE(CompleteAuthRequest(request().private_key, *approval).ok());
}

TEST_F(AuthRequestTest, ApproveRefusesALegacyKey) {
  Result<SymmetricKey> legacy = SymmetricKey::FromBytes(SecureBuffer(32));
  ASSERT_TRUE(legacy.ok());
  EXPECT_EQ(ApproveAuthRequest(request().public_key, *legacy).status().code(), ErrorCode::kWrongKey);
}

TEST_F(AuthRequestTest, TamperedApprovalFailsAuthentication) {
  Result<SymmetricKey> user_key = SymmetricKey::Generate();
  ASSERT_TRUE(user_key.ok());
  Result<AsymmetricEncString> approval = ApproveAuthRequest(request().public_key, *user_key);
  ASSERT_TRUE(approval.ok());
  EXPECT_EQ(CompleteAuthRequest(request().private_key, Tamper(*approval)).status().code(),
            ErrorCode::kAuthenticationFailed);
}

TEST_F(AuthRequestTest, ApprovalForAnotherRequestFailsAuthentication) {
  Result<AuthRequest> other = NewAuthRequest(kEmail);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  EXPECT_NE(other->fingerprint, request().fingerprint);
  Result<SymmetricKey> user_key = SymmetricKey::Generate();
  ASSERT_TRUE(user_key.ok());
  Result<AsymmetricEncString> approval = ApproveAuthRequest(other->public_key, *user_key);
  ASSERT_TRUE(approval.ok());
  EXPECT_EQ(CompleteAuthRequest(request().private_key, *approval).status().code(), ErrorCode::kAuthenticationFailed);
}

}  // namespace
}  // namespace keywarden
