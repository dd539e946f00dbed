#include "keywarden/crypto/rsa.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

#include "keywarden/crypto/encoding.h"
#include "support/vectors.h"

namespace keywarden {
namespace {

// RSA key generation is slow; the tests that only need some valid key share these.
const RsaPrivateKey& KeyA() {
  static const RsaPrivateKey key = RsaPrivateKey::Generate().value();
  return key;
}
const RsaPrivateKey& KeyB() {
  static const RsaPrivateKey key = RsaPrivateKey::Generate().value();
  return key;
}

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

PkeyPtr GenerateWithOpenSsl(const char* type, const char* arg) {
  EVP_PKEY* key = std::string(type) == "RSA"
                      ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(std::stoul(arg)))
                      : EVP_PKEY_Q_keygen(nullptr, nullptr, type, arg);
  return PkeyPtr(key, &EVP_PKEY_free);
}

std::vector<std::uint8_t> SpkiOf(EVP_PKEY* key) {
  std::vector<std::uint8_t> out(static_cast<std::size_t>(i2d_PUBKEY(key, nullptr)));
  unsigned char* p = out.data();
  i2d_PUBKEY(key, &p);
  return out;
}

std::vector<std::uint8_t> Pkcs8Of(EVP_PKEY* key) {
  std::unique_ptr<PKCS8_PRIV_KEY_INFO, decltype(&PKCS8_PRIV_KEY_INFO_free)> p8(EVP_PKEY2PKCS8(key),
                                                                               &PKCS8_PRIV_KEY_INFO_free);
  std::vector<std::uint8_t> out(static_cast<std::size_t>(i2d_PKCS8_PRIV_KEY_INFO(p8.get(), nullptr)));
  unsigned char* p = out.data();
  i2d_PKCS8_PRIV_KEY_INFO(p8.get(), &p);
  return out;
}

std::vector<std::uint8_t> ToVector(const SecureBuffer& b) { return {b.span().begin(), b.span().end()}; }

TEST(RsaTest, GenerateMakesRsa2048WithExponent65537) {
  const RsaPrivateKey& key = KeyA();
  EXPECT_EQ(EVP_PKEY_get_bits(key.evp()), 2048);
  BIGNUM* e = nullptr;
  ASSERT_EQ(EVP_PKEY_get_bn_param(key.evp(), OSSL_PKEY_PARAM_RSA_E, &e), 1);
  EXPECT_EQ(BN_get_word(e), 65537u);
  BN_free(e);
  EXPECT_EQ(key.PublicKey().bits(), 2048);
}

TEST(RsaTest, Pkcs8RoundTripsExactly) {
  auto der = KeyA().ToPkcs8Der();
  ASSERT_TRUE(der.ok()) << der.status().ToString();
  auto parsed = RsaPrivateKey::FromPkcs8Der(der->span());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(parsed->PublicKey().Equals(KeyA().PublicKey()));
  EXPECT_EQ(ToVector(parsed->ToPkcs8Der().value()), ToVector(*der));

  auto from_b64 = RsaPrivateKey::FromBase64(Base64Encode(der->span()));
  ASSERT_TRUE(from_b64.ok());
  EXPECT_TRUE(from_b64->PublicKey().Equals(KeyA().PublicKey()));
}

TEST(RsaTest, SpkiRoundTripsExactly) {
  const RsaPublicKey pub = KeyA().PublicKey();
  const std::vector<std::uint8_t> der = pub.ToSpkiDer();
  auto parsed = RsaPublicKey::FromSpkiDer(der);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(parsed->Equals(pub));
  EXPECT_EQ(parsed->ToSpkiDer(), der);
  auto from_b64 = RsaPublicKey::FromBase64(pub.ToBase64());
  ASSERT_TRUE(from_b64.ok());
  EXPECT_TRUE(from_b64->Equals(pub));
  EXPECT_TRUE(pub.Clone().Equals(pub));
}

TEST(RsaTest, PublicKeyHasNoPrivateHalf) {
  const RsaPublicKey pub = KeyA().PublicKey();
  BIGNUM* d = nullptr;
  EXPECT_NE(EVP_PKEY_get_bn_param(pub.evp(), OSSL_PKEY_PARAM_RSA_D, &d), 1);
  BN_free(d);
}

TEST(RsaTest, EqualsDistinguishesKeys) {
  EXPECT_TRUE(KeyA().PublicKey().Equals(KeyA().PublicKey()));
  EXPECT_FALSE(KeyA().PublicKey().Equals(KeyB().PublicKey()));
}

TEST(RsaTest, OaepSha1RoundTrip) {
  const std::vector<std::uint8_t> message(64, 0xab);
  auto ct = KeyA().PublicKey().EncryptOaepSha1(message);
  ASSERT_TRUE(ct.ok()) << ct.status().ToString();
  EXPECT_EQ(ct->size(), 256u);
  auto pt = KeyA().DecryptOaep(*ct, RsaPrivateKey::OaepHash::kSha1);
  ASSERT_TRUE(pt.ok()) << pt.status().ToString();
  EXPECT_EQ(ToVector(*pt), message);
  // OAEP is randomised: the same message never encrypts the same way twice.
  EXPECT_NE(KeyA().PublicKey().EncryptOaepSha1(message).value(), *ct);
}

TEST(RsaTest, OaepAcceptsUpToTheMaximumPlaintext) {
  const std::vector<std::uint8_t> max(214, 1);
  auto ct = KeyA().PublicKey().EncryptOaepSha1(max);
  ASSERT_TRUE(ct.ok());
  EXPECT_EQ(ToVector(KeyA().DecryptOaep(*ct, RsaPrivateKey::OaepHash::kSha1).value()), max);

  auto too_long = KeyA().PublicKey().EncryptOaepSha1(std::vector<std::uint8_t>(215, 1));
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.status().code(), ErrorCode::kInvalidArgument);
}

TEST(RsaTest, DecryptWithWrongHashFails) {
  auto ct = KeyA().PublicKey().EncryptOaepSha1(std::vector<std::uint8_t>(32, 7)).value();
  auto pt = KeyA().DecryptOaep(ct, RsaPrivateKey::OaepHash::kSha256);
  ASSERT_FALSE(pt.ok());
  EXPECT_EQ(pt.status().code(), ErrorCode::kAuthenticationFailed);
  EXPECT_EQ(pt.status().message(), "decryption failed");
}

TEST(RsaTest, DecryptWithWrongKeyFails) {
  auto ct = KeyA().PublicKey().EncryptOaepSha1(std::vector<std::uint8_t>(32, 7)).value();
  auto pt = KeyB().DecryptOaep(ct, RsaPrivateKey::OaepHash::kSha1);
  ASSERT_FALSE(pt.ok());
  EXPECT_EQ(pt.status().code(), ErrorCode::kAuthenticationFailed);
  EXPECT_EQ(pt.status().message(), "decryption failed");
}

TEST(RsaTest, DecryptTamperedOrMisSizedCiphertextFails) {
  auto ct = KeyA().PublicKey().EncryptOaepSha1(std::vector<std::uint8_t>(32, 7)).value();
  ct[100] ^= 1;
  EXPECT_EQ(KeyA().DecryptOaep(ct, RsaPrivateKey::OaepHash::kSha1).status().code(), ErrorCode::kAuthenticationFailed);
  ct.pop_back();
  EXPECT_EQ(KeyA().DecryptOaep(ct, RsaPrivateKey::OaepHash::kSha1).status().code(), ErrorCode::kAuthenticationFailed);
  EXPECT_EQ(KeyA().DecryptOaep({}, RsaPrivateKey::OaepHash::kSha1).status().code(), ErrorCode::kAuthenticationFailed);
}

TEST(RsaTest, RejectsBadDer) {
  const std::vector<std::uint8_t> garbage = {0x30, 0x03, 0x02, 0x01, 0x00};
  EXPECT_EQ(RsaPublicKey::FromSpkiDer({}).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(RsaPublicKey::FromSpkiDer(garbage).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(RsaPrivateKey::FromPkcs8Der({}).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(RsaPrivateKey::FromPkcs8Der(garbage).status().code(), ErrorCode::kInvalidArgument);

  std::vector<std::uint8_t> spki = KeyA().PublicKey().ToSpkiDer();
  std::vector<std::uint8_t> pkcs8 = ToVector(KeyA().ToPkcs8Der().value());
  // Truncated.
  EXPECT_EQ(RsaPublicKey::FromSpkiDer(std::span(spki).first(spki.size() - 1)).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(RsaPrivateKey::FromPkcs8Der(std::span(pkcs8).first(pkcs8.size() - 1)).status().code(),
            ErrorCode::kInvalidArgument);
  // Each format handed to the other parser.
  EXPECT_EQ(RsaPublicKey::FromSpkiDer(pkcs8).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(RsaPrivateKey::FromPkcs8Der(spki).status().code(), ErrorCode::kInvalidArgument);
  // Trailing garbage.
  spki.push_back(0);
  pkcs8.push_back(0);
  EXPECT_EQ(RsaPublicKey::FromSpkiDer(spki).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(RsaPrivateKey::FromPkcs8Der(pkcs8).status().code(), ErrorCode::kInvalidArgument);
  // Bad base64.
  EXPECT_EQ(RsaPublicKey::FromBase64("not base64!").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(RsaPrivateKey::FromBase64("not base64!").status().code(), ErrorCode::kInvalidArgument);
}

TEST(RsaTest, RejectsPkcs1PrivateKey) {
  // The bare RSAPrivateKey (PKCS#1) structure is not what Bitwarden stores.
  std::vector<std::uint8_t> pkcs1(static_cast<std::size_t>(i2d_PrivateKey(KeyA().evp(), nullptr)));
  unsigned char* p = pkcs1.data();
  ASSERT_GT(i2d_PrivateKey(KeyA().evp(), &p), 0);
  EXPECT_EQ(RsaPrivateKey::FromPkcs8Der(pkcs1).status().code(), ErrorCode::kInvalidArgument);
}

TEST(RsaTest, RejectsRsa1024) {
  PkeyPtr small = GenerateWithOpenSsl("RSA", "1024");
  ASSERT_NE(small, nullptr);
  auto pub = RsaPublicKey::FromSpkiDer(SpkiOf(small.get()));
  ASSERT_FALSE(pub.ok());
  EXPECT_EQ(pub.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(pub.status().message().find("1024"), std::string::npos);
  auto priv = RsaPrivateKey::FromPkcs8Der(Pkcs8Of(small.get()));
  ASSERT_FALSE(priv.ok());
  EXPECT_EQ(priv.status().code(), ErrorCode::kInvalidArgument);
}

TEST(RsaTest, RejectsNonRsaKeys) {
  PkeyPtr ec = GenerateWithOpenSsl("EC", "P-256");
  ASSERT_NE(ec, nullptr);
  auto pub = RsaPublicKey::FromSpkiDer(SpkiOf(ec.get()));
  ASSERT_FALSE(pub.ok());
  EXPECT_EQ(pub.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(pub.status().message(), "not an RSA key");
  auto priv = RsaPrivateKey::FromPkcs8Der(Pkcs8Of(ec.get()));
  ASSERT_FALSE(priv.ok());
  EXPECT_EQ(priv.status().code(), ErrorCode::kInvalidArgument);
}

std::string PemOf(EVP_PKEY* key, bool pkcs8) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (pkcs8) {
    PEM_write_bio_PKCS8PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  } else {
    PEM_write_bio_PrivateKey_traditional(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  }
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

TEST(RsaTest, FromPemReadsUnencryptedPkcs8) {
  const std::string pem = PemOf(KeyA().evp(), /*pkcs8=*/true);
  auto key = RsaPrivateKey::FromPem(pem);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_TRUE(key->PublicKey().Equals(KeyA().PublicKey()));
  EXPECT_TRUE(RsaPrivateKey::FromPem("\n  " + pem + "\n").ok());
}

TEST(RsaTest, FromPemRejectsOtherPem) {
  EXPECT_EQ(RsaPrivateKey::FromPem("").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(RsaPrivateKey::FromPem("hello").status().code(), ErrorCode::kInvalidArgument);
  // PKCS#1 "BEGIN RSA PRIVATE KEY".
  const std::string pkcs1 = PemOf(KeyA().evp(), /*pkcs8=*/false);
  ASSERT_NE(pkcs1.find("RSA PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(RsaPrivateKey::FromPem(pkcs1).status().code(), ErrorCode::kInvalidArgument);
  // A right header over a broken body.
  EXPECT_EQ(RsaPrivateKey::FromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").status().code(),
            ErrorCode::kInvalidArgument);
  // Trailing text after the block.
  const std::string pem = PemOf(KeyA().evp(), /*pkcs8=*/true);
  EXPECT_EQ(RsaPrivateKey::FromPem(pem + "junk").status().code(), ErrorCode::kInvalidArgument);
}

TEST(RsaVectorTest, PairPublicKeyMatchesPrivateKey) {
  KW_REQUIRE_VECTORS();
  const auto vectors = testing::VectorsOfKind("rsa_pair");
  ASSERT_FALSE(vectors.empty());
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.at("id").get<std::string>());
    const std::string private_b64 = v.at("private_key_pkcs8_b64");
    const std::string public_b64 = v.at("public_key_b64");
    auto priv = RsaPrivateKey::FromBase64(private_b64);
    ASSERT_TRUE(priv.ok()) << priv.status().ToString();
    auto pub = RsaPublicKey::FromBase64(public_b64);
    ASSERT_TRUE(pub.ok()) << pub.status().ToString();
    EXPECT_TRUE(priv->PublicKey().Equals(*pub));
    // Byte compatibility: our encodings are exactly Bitwarden's.
    EXPECT_EQ(priv->PublicKey().ToBase64(), public_b64);
    EXPECT_EQ(Base64Encode(priv->ToPkcs8Der().value().span()), private_b64);
  }
}

TEST(RsaVectorTest, ReadsPemPrivateKeys) {
  KW_REQUIRE_VECTORS();
  const auto vectors = testing::VectorsOfKind("decapsulate");
  ASSERT_FALSE(vectors.empty());
  int seen = 0;
  for (const auto& v : vectors) {
    if (!v.contains("private_key_pem")) continue;
    SCOPED_TRACE(v.at("id").get<std::string>());
    auto key = RsaPrivateKey::FromPem(v.at("private_key_pem").get<std::string>());
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_EQ(key->PublicKey().bits(), 2048);
    ++seen;
  }
  EXPECT_GT(seen, 0) << "no decapsulate vector has a private_key_pem";
}

}  // namespace
}  // namespace keywarden
