#include "keywarden/crypto/asymmetric_enc_string.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "keywarden/crypto/encoding.h"
#include "support/vectors.h"

namespace keywarden {
namespace {

const RsaPrivateKey& KeyA() {
  static const RsaPrivateKey key = RsaPrivateKey::Generate().value();
  return key;
}
const RsaPrivateKey& KeyB() {
  static const RsaPrivateKey key = RsaPrivateKey::Generate().value();
  return key;
}

std::vector<std::uint8_t> ToVector(const SecureBuffer& b) { return {b.span().begin(), b.span().end()}; }

const std::string kCt = Base64Encode(std::vector<std::uint8_t>(256, 0x42));
const std::string kMac = Base64Encode(std::vector<std::uint8_t>(32, 0x17));

TEST(AsymmetricEncStringTest, ParsesEachTypeAndRoundTrips) {
  const struct {
    std::string text;
    AsymmetricEncString::Type type;
  } cases[] = {
      {"3." + kCt, AsymmetricEncString::Type::kRsa2048OaepSha256},
      {"4." + kCt, AsymmetricEncString::Type::kRsa2048OaepSha1},
      {"5." + kCt + "|" + kMac, AsymmetricEncString::Type::kRsa2048OaepSha256HmacSha256},
      {"6." + kCt + "|" + kMac, AsymmetricEncString::Type::kRsa2048OaepSha1HmacSha256},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text.substr(0, 2));
    auto parsed = AsymmetricEncString::Parse(c.text);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(parsed->type(), c.type);
    EXPECT_EQ(parsed->ciphertext().size(), 256u);
    EXPECT_EQ(parsed->ToString(), c.text);
  }
}

TEST(AsymmetricEncStringTest, RejectsSymmetricAndUnknownTypes) {
  for (const char* header : {"0.", "1.", "2.", "7.", "8.", "99."}) {
    SCOPED_TRACE(header);
    auto parsed = AsymmetricEncString::Parse(header + kCt);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.status().code(), ErrorCode::kUnsupported);
    EXPECT_NE(parsed.status().message().find("not an asymmetric type"), std::string::npos);
  }
}

TEST(AsymmetricEncStringTest, RejectsMissingOrMalformedHeader) {
  for (const std::string& text :
       {kCt, "." + kCt, "x." + kCt, "-4." + kCt, "+4." + kCt, "004." + kCt, "04." + kCt, std::string()}) {
    SCOPED_TRACE(text.substr(0, 4));
    auto parsed = AsymmetricEncString::Parse(text);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidArgument);
  }
}

TEST(AsymmetricEncStringTest, RejectsWrongPartCounts) {
  for (const std::string& text : {"3." + kCt + "|" + kMac, "4." + kCt + "|" + kMac, "5." + kCt, "6." + kCt,
                                  "6." + kCt + "|" + kMac + "|" + kMac, "4." + kCt + "|"}) {
    SCOPED_TRACE(text.substr(0, 2));
    auto parsed = AsymmetricEncString::Parse(text);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find("part"), std::string::npos) << parsed.status().message();
  }
}

TEST(AsymmetricEncStringTest, RejectsBadBase64AndEmptyCiphertext) {
  EXPECT_EQ(AsymmetricEncString::Parse("4.not*base64").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(AsymmetricEncString::Parse("4.").status().code(), ErrorCode::kInvalidArgument);
  // The MAC of types 5 and 6 is ignored but must still be well formed.
  EXPECT_EQ(AsymmetricEncString::Parse("6." + kCt + "|bad*mac").status().code(), ErrorCode::kInvalidArgument);
}

TEST(AsymmetricEncStringTest, EncapsulateProducesType4ThatDecapsulates) {
  auto key = SymmetricKey::Generate();
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  auto enc = AsymmetricEncString::Encapsulate(KeyA().PublicKey(), *key);
  ASSERT_TRUE(enc.ok()) << enc.status().ToString();
  EXPECT_EQ(enc->type(), AsymmetricEncString::Type::kRsa2048OaepSha1);
  EXPECT_EQ(enc->ToString().substr(0, 2), "4.");

  auto reparsed = AsymmetricEncString::Parse(enc->ToString());
  ASSERT_TRUE(reparsed.ok());
  auto back = reparsed->DecapsulateKey(KeyA());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(back->Equals(*key));
}

TEST(AsymmetricEncStringTest, EncapsulatesArbitraryBytes) {
  const std::vector<std::uint8_t> master_key(32, 9);
  auto enc = AsymmetricEncString::Encapsulate(KeyA().PublicKey(), master_key);
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(ToVector(enc->Decapsulate(KeyA()).value()), master_key);
  EXPECT_EQ(AsymmetricEncString::Encapsulate(KeyA().PublicKey(), std::span<const std::uint8_t>()).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST(AsymmetricEncStringTest, DecapsulateWithWrongPrivateKeyFails) {
  auto enc = AsymmetricEncString::Encapsulate(KeyA().PublicKey(), std::vector<std::uint8_t>(64, 1)).value();
  auto bytes = enc.Decapsulate(KeyB());
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().code(), ErrorCode::kAuthenticationFailed);
  EXPECT_EQ(bytes.status().message(), "decryption failed");
  EXPECT_EQ(enc.DecapsulateKey(KeyB()).status().code(), ErrorCode::kAuthenticationFailed);
}

TEST(AsymmetricEncStringTest, TypeDecidesTheOaepHash) {
  // A type 4 ciphertext relabelled as type 3 (SHA-256) must not decrypt.
  auto enc = AsymmetricEncString::Encapsulate(KeyA().PublicKey(), std::vector<std::uint8_t>(64, 1)).value();
  std::string relabelled = enc.ToString();
  relabelled[0] = '3';
  auto as_type3 = AsymmetricEncString::Parse(relabelled).value();
  EXPECT_EQ(as_type3.Decapsulate(KeyA()).status().code(), ErrorCode::kAuthenticationFailed);
  // As type 6 (SHA-1 with an ignored MAC) it does.
  relabelled[0] = '6';
  relabelled += '|';
  relabelled += kMac;
  auto as_type6 = AsymmetricEncString::Parse(relabelled).value();
  EXPECT_EQ(ToVector(as_type6.Decapsulate(KeyA()).value()), std::vector<std::uint8_t>(64, 1));
}

TEST(AsymmetricEncStringTest, DecapsulateKeyRejectsOddLengths) {
  auto enc = AsymmetricEncString::Encapsulate(KeyA().PublicKey(), std::vector<std::uint8_t>(16, 1)).value();
  EXPECT_FALSE(enc.DecapsulateKey(KeyA()).ok());
}

Result<RsaPrivateKey> PrivateKeyOf(const nlohmann::json& v) {
  if (v.contains("private_key_pem")) return RsaPrivateKey::FromPem(v.at("private_key_pem").get<std::string>());
  return RsaPrivateKey::FromBase64(v.at("private_key_pkcs8_b64").get<std::string>());
}

TEST(AsymmetricEncStringVectorTest, Decapsulate) {
  KW_REQUIRE_VECTORS();
  const auto vectors = testing::VectorsOfKind("decapsulate");
  ASSERT_FALSE(vectors.empty());
  std::vector<std::vector<std::uint8_t>> oracle_keys;  // the "expect_note" vectors: one key, three types
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.at("id").get<std::string>());
    auto key = PrivateKeyOf(v);
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    const std::string enc_text = v.at("enc");
    auto enc = AsymmetricEncString::Parse(enc_text);
    ASSERT_TRUE(enc.ok()) << enc.status().ToString();
    EXPECT_EQ(enc->ToString(), enc_text);
    auto bytes = enc->Decapsulate(*key);
    ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
    if (v.contains("expect_key_b64")) {
      EXPECT_EQ(Base64Encode(bytes->span()), v.at("expect_key_b64").get<std::string>());
      auto as_key = enc->DecapsulateKey(*key);
      ASSERT_TRUE(as_key.ok()) << as_key.status().ToString();
      EXPECT_EQ(as_key->bytes().size(), bytes->size());
    } else {
      EXPECT_EQ(bytes->size(), 64u);
      oracle_keys.push_back(ToVector(*bytes));
    }
  }
  // Types 3, 4 and 6 encapsulate the same seeded key.
  ASSERT_GE(oracle_keys.size(), 2u);
  for (const auto& k : oracle_keys) EXPECT_EQ(k, oracle_keys.front());
}

TEST(AsymmetricEncStringVectorTest, RsaPairRoundTrip) {
  KW_REQUIRE_VECTORS();
  const auto vectors = testing::VectorsOfKind("rsa_pair");
  ASSERT_FALSE(vectors.empty());
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.at("id").get<std::string>());
    auto priv = RsaPrivateKey::FromBase64(v.at("private_key_pkcs8_b64").get<std::string>());
    auto pub = RsaPublicKey::FromBase64(v.at("public_key_b64").get<std::string>());
    ASSERT_TRUE(priv.ok() && pub.ok());
    auto user_key = SymmetricKey::Generate().value();
    auto enc = AsymmetricEncString::Encapsulate(*pub, user_key);
    ASSERT_TRUE(enc.ok());
    auto back = enc->DecapsulateKey(*priv);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_TRUE(back->Equals(user_key));
  }
}

TEST(AsymmetricEncStringVectorTest, VectorCiphertextFailsUnderAnotherKey) {
  KW_REQUIRE_VECTORS();
  const auto vectors = testing::VectorsOfKind("decapsulate");
  ASSERT_FALSE(vectors.empty());
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.at("id").get<std::string>());
    auto enc = AsymmetricEncString::Parse(v.at("enc").get<std::string>()).value();
    EXPECT_EQ(enc.Decapsulate(KeyA()).status().code(), ErrorCode::kAuthenticationFailed);
  }
}

}  // namespace
}  // namespace keywarden
