#include "keywarden/crypto/master_key.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "keywarden/crypto/encoding.h"
#include "support/vectors.h"

namespace keywarden {
namespace {

MasterKey FixedMasterKey(std::uint8_t fill) {
  return MasterKey::FromBytes(SecureBuffer::CopyOf(std::string(32, static_cast<char>(fill)))).value();
}

// A type 0 EncString (AES-256-CBC, no MAC) built with OpenSSL directly, as a legacy client made them.
std::string LegacyType0(const MasterKey& key, const std::vector<std::uint8_t>& plaintext) {
  const std::vector<std::uint8_t> iv(16, 3);
  std::vector<std::uint8_t> ct(plaintext.size() + 16);
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int n = 0, tail = 0;
  EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, key.bytes().data(), iv.data());
  EVP_EncryptUpdate(ctx.get(), ct.data(), &n, plaintext.data(), static_cast<int>(plaintext.size()));
  EVP_EncryptFinal_ex(ctx.get(), ct.data() + n, &tail);
  ct.resize(static_cast<std::size_t>(n + tail));
  return "0." + Base64Encode(iv) + "|" + Base64Encode(ct);
}

TEST(MasterKeyTest, FromBytesNeedsExactly32Bytes) {
  for (std::size_t size : {0u, 31u, 33u, 64u}) {
    SCOPED_TRACE(size);
    auto key = MasterKey::FromBytes(SecureBuffer(size));
    ASSERT_FALSE(key.ok());
    EXPECT_EQ(key.status().code(), ErrorCode::kInvalidArgument);
  }
  EXPECT_TRUE(MasterKey::FromBytes(SecureBuffer(32)).ok());
}

TEST(MasterKeyTest, FromBase64) {
  auto key = MasterKey::FromBase64(Base64Encode(std::vector<std::uint8_t>(32, 5)));
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(key->bytes().Equals(std::vector<std::uint8_t>(32, 5)));
  EXPECT_EQ(MasterKey::FromBase64("!!!").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(MasterKey::FromBase64(Base64Encode(std::vector<std::uint8_t>(31, 5))).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST(MasterKeyTest, GenerateGivesFresh32ByteKeys) {
  auto a = MasterKey::Generate();
  auto b = MasterKey::Generate();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->bytes().size(), 32u);
  EXPECT_FALSE(a->bytes().Equals(b->bytes().span()));
  EXPECT_TRUE(a->Clone().bytes().Equals(a->bytes().span()));
}

TEST(MasterKeyTest, DeriveRefusesWeakSettings) {
  auto key = MasterKey::Derive("password", "a@b.c", KdfConfig::Pbkdf2(4999));
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().code(), ErrorCode::kOutOfRange);
}

TEST(MasterKeyTest, HashesDifferByIterationsAndPassword) {
  const MasterKey key = FixedMasterKey(1);
  const std::string server = key.ServerHash("pw").value();
  const std::string local = key.LocalHash("pw").value();
  EXPECT_EQ(Base64Decode(server)->size(), 32u);
  EXPECT_NE(server, local);
  EXPECT_NE(server, key.ServerHash("pw2").value());
  EXPECT_EQ(server, key.ServerHash("pw").value());
  EXPECT_TRUE(key.ServerHash("").ok());
}

TEST(MasterKeyTest, StretchGives64ByteKey) {
  auto stretched = FixedMasterKey(1).Stretch();
  ASSERT_TRUE(stretched.ok());
  EXPECT_EQ(stretched->kind(), SymmetricKey::Kind::kAes256CbcHmac);
  EXPECT_FALSE(stretched->Equals(FixedMasterKey(2).Stretch().value()));
}

TEST(MasterKeyTest, UserKeyRoundTrip) {
  const MasterKey key = FixedMasterKey(1);
  auto user_key = SymmetricKey::Generate().value();
  auto enc = key.EncryptUserKey(user_key);
  ASSERT_TRUE(enc.ok()) << enc.status().ToString();
  EXPECT_EQ(enc->type(), EncString::Type::kAes256CbcHmac);
  auto back = key.DecryptUserKey(EncString::Parse(enc->ToString()).value());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(back->Equals(user_key));
}

TEST(MasterKeyTest, WrongMasterKeyFailsAuthentication) {
  auto enc = FixedMasterKey(1).EncryptUserKey(SymmetricKey::Generate().value()).value();
  auto back = FixedMasterKey(2).DecryptUserKey(enc);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().code(), ErrorCode::kAuthenticationFailed);
}

TEST(MasterKeyTest, RefusesToWrapALegacyKey) {
  auto legacy = SymmetricKey::FromBytes(SecureBuffer(32)).value();
  auto enc = FixedMasterKey(1).EncryptUserKey(legacy);
  ASSERT_FALSE(enc.ok());
  EXPECT_EQ(enc.status().code(), ErrorCode::kWrongKey);
}

TEST(MasterKeyTest, LegacyType0UnwrapsUnderTheMasterKeyItself) {
  const MasterKey key = FixedMasterKey(7);
  const std::vector<std::uint8_t> user_key(64, 0x5a);
  auto enc = EncString::Parse(LegacyType0(key, user_key));
  ASSERT_TRUE(enc.ok()) << enc.status().ToString();
  auto back = key.DecryptUserKey(*enc);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(back->bytes().Equals(user_key));
}

TEST(MasterKeyTest, Type0ThatIsNotA64ByteKeyIsWrongKey) {
  const MasterKey key = FixedMasterKey(7);
  auto enc = EncString::Parse(LegacyType0(key, std::vector<std::uint8_t>(32, 0x5a))).value();
  auto back = key.DecryptUserKey(enc);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().code(), ErrorCode::kWrongKey);
}

TEST(ShareableKeyTest, NameAndInfoSeparateKeys) {
  const std::vector<std::uint8_t> secret(16, 1);
  auto a = DeriveShareableKey(secret, "send", "send");
  auto b = DeriveShareableKey(secret, "send");
  auto c = DeriveShareableKey(secret, "other", "send");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->kind(), SymmetricKey::Kind::kAes256CbcHmac);
  EXPECT_FALSE(a->Equals(*b));
  EXPECT_FALSE(a->Equals(*c));
}

// ---- Bitwarden SDK vectors ----

KdfConfig KdfOf(const nlohmann::json& v) {
  auto kdf = KdfConfig::Parse(v.at("kdf").get<std::string>());
  EXPECT_TRUE(kdf.ok()) << kdf.status().ToString();
  return kdf.ok() ? *kdf : KdfConfig::DefaultPbkdf2();
}

MasterKey DeriveFrom(const nlohmann::json& v) {
  auto key = MasterKey::Derive(v.at("password").get<std::string>(), v.at("email").get<std::string>(), KdfOf(v));
  EXPECT_TRUE(key.ok()) << key.status().ToString();
  return key.ok() ? std::move(key).value() : FixedMasterKey(0);
}

std::string B64(const SecureBuffer& b) { return Base64Encode(b.span()); }

TEST(MasterKeyVectorTest, Derive) {
  KW_REQUIRE_VECTORS();
  const auto vectors = testing::VectorsOfKind("master_key");
  ASSERT_FALSE(vectors.empty());
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.at("id").get<std::string>());
    EXPECT_EQ(B64(DeriveFrom(v).bytes()), v.at("expect_master_key_b64").get<std::string>());
  }
}

TEST(MasterKeyVectorTest, ServerHash) {
  KW_REQUIRE_VECTORS();
  const auto vectors = testing::VectorsOfKind("server_hash");
  ASSERT_FALSE(vectors.empty());
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.at("id").get<std::string>());
    auto hash = DeriveFrom(v).ServerHash(v.at("password").get<std::string>());
    ASSERT_TRUE(hash.ok());
    EXPECT_EQ(*hash, v.at("expect_server_hash_b64").get<std::string>());
  }
}

TEST(MasterKeyVectorTest, LocalHash) {
  KW_REQUIRE_VECTORS();
  const auto vectors = testing::VectorsOfKind("local_hash");
  ASSERT_FALSE(vectors.empty());
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.at("id").get<std::string>());
    auto hash = DeriveFrom(v).LocalHash(v.at("password").get<std::string>());
    ASSERT_TRUE(hash.ok());
    EXPECT_EQ(*hash, v.at("expect_local_hash_b64").get<std::string>());
  }
}

TEST(MasterKeyVectorTest, Stretch) {
  KW_REQUIRE_VECTORS();
  const auto vectors = testing::VectorsOfKind("stretch");
  ASSERT_FALSE(vectors.empty());
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.at("id").get<std::string>());
    auto key = MasterKey::FromBase64(v.at("master_key_b64").get<std::string>());
    ASSERT_TRUE(key.ok());
    auto stretched = key->Stretch();
    ASSERT_TRUE(stretched.ok()) << stretched.status().ToString();
    EXPECT_EQ(Base64Encode(stretched->enc_key()), v.at("expect_enc_b64").get<std::string>());
    EXPECT_EQ(Base64Encode(stretched->mac_key()), v.at("expect_mac_b64").get<std::string>());
  }
}

TEST(MasterKeyVectorTest, ShareableKey) {
  KW_REQUIRE_VECTORS();
  const auto vectors = testing::VectorsOfKind("shareable_key");
  ASSERT_EQ(vectors.size(), 2u);
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.at("id").get<std::string>());
    const std::string secret = v.at("secret_utf8");
    const std::string info = v.at("info").is_null() ? "" : v.at("info").get<std::string>();
    auto key = DeriveShareableKey(AsBytes(secret), v.at("name").get<std::string>(), info);
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_EQ(B64(key->bytes()), v.at("expect_key_b64").get<std::string>());
  }
}

TEST(MasterKeyVectorTest, UnwrapUserKeyWithPassword) {
  KW_REQUIRE_VECTORS();
  const auto vectors = testing::VectorsOfKind("unwrap_user_key_password");
  ASSERT_FALSE(vectors.empty());
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.at("id").get<std::string>());
    auto enc = EncString::Parse(v.at("enc").get<std::string>());
    ASSERT_TRUE(enc.ok()) << enc.status().ToString();
    auto user_key = DeriveFrom(v).DecryptUserKey(*enc);
    ASSERT_TRUE(user_key.ok()) << user_key.status().ToString();
    EXPECT_EQ(B64(user_key->bytes()), v.at("expect_user_key_b64").get<std::string>());
  }
}

TEST(MasterKeyVectorTest, UnwrapUserKeyWithRawMasterKey) {
  KW_REQUIRE_VECTORS();
  const auto vectors = testing::VectorsOfKind("unwrap_user_key_master");
  ASSERT_FALSE(vectors.empty());
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.at("id").get<std::string>());
    auto key = MasterKey::FromBase64(v.at("master_key_b64").get<std::string>());
    auto enc = EncString::Parse(v.at("enc").get<std::string>());
    ASSERT_TRUE(key.ok() && enc.ok());
    auto user_key = key->DecryptUserKey(*enc);
    ASSERT_TRUE(user_key.ok()) << user_key.status().ToString();
    EXPECT_EQ(B64(user_key->bytes()), v.at("expect_user_key_b64").get<std::string>());
  }
}

TEST(MasterKeyVectorTest, AccountUserKeysAndLocalHash) {
  KW_REQUIRE_VECTORS();
  // Covers the type 2 unwrap path with real Bitwarden data (and type 0 for the legacy account).
  const auto vectors = testing::VectorsOfKind("account");
  ASSERT_FALSE(vectors.empty());
  int master_keys_checked = 0;
  int local_hashes_checked = 0;
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.at("id").get<std::string>());
    const MasterKey key = DeriveFrom(v);
    if (v.contains("expect_master_key_b64")) {
      EXPECT_EQ(B64(key.bytes()), v.at("expect_master_key_b64").get<std::string>());
      ++master_keys_checked;
    }
    if (v.contains("expect_local_hash_b64")) {
      EXPECT_EQ(key.LocalHash(v.at("password").get<std::string>()).value(),
                v.at("expect_local_hash_b64").get<std::string>());
      ++local_hashes_checked;
    }
    auto enc = EncString::Parse(v.at("enc_user_key").get<std::string>());
    ASSERT_TRUE(enc.ok()) << enc.status().ToString();
    auto user_key = key.DecryptUserKey(*enc);
    ASSERT_TRUE(user_key.ok()) << user_key.status().ToString();
    EXPECT_EQ(B64(user_key->bytes()), v.at("expect_user_key_b64").get<std::string>());
  }
  EXPECT_GT(master_keys_checked, 0) << "no account vector has an expect_master_key_b64";
  EXPECT_GT(local_hashes_checked, 0) << "no account vector has an expect_local_hash_b64";
}

}  // namespace
}  // namespace keywarden
