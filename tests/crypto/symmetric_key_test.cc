#include "keywarden/crypto/symmetric_key.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "keywarden/crypto/encoding.h"

namespace keywarden {
namespace {

SecureBuffer Counting(std::size_t size, std::uint8_t start = 0) {
  SecureBuffer b(size);
  for (std::size_t i = 0; i < size; ++i) b.data()[i] = static_cast<std::uint8_t>(start + i);
  return b;
}

std::vector<std::uint8_t> Bytes(std::span<const std::uint8_t> s) { return {s.begin(), s.end()}; }

TEST(SymmetricKeyTest, GenerateMakesA64ByteKey) {
  auto key = SymmetricKey::Generate();
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->kind(), SymmetricKey::Kind::kAes256CbcHmac);
  EXPECT_FALSE(key->is_legacy());
  EXPECT_EQ(key->bytes().size(), 64u);
  EXPECT_EQ(key->enc_key().size(), 32u);
  EXPECT_EQ(key->mac_key().size(), 32u);
}

TEST(SymmetricKeyTest, GeneratedKeysDiffer) {
  auto a = SymmetricKey::Generate();
  auto b = SymmetricKey::Generate();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_FALSE(a->Equals(*b));
}

TEST(SymmetricKeyTest, From64BytesSplitsEncAndMacKeys) {
  auto key = SymmetricKey::FromBytes(Counting(64));
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->kind(), SymmetricKey::Kind::kAes256CbcHmac);
  EXPECT_EQ(Bytes(key->enc_key()), Bytes(Counting(32, 0).span()));
  EXPECT_EQ(Bytes(key->mac_key()), Bytes(Counting(32, 32).span()));
}

TEST(SymmetricKeyTest, From32BytesIsALegacyKeyWithoutMacKey) {
  auto key = SymmetricKey::FromBytes(Counting(32));
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->kind(), SymmetricKey::Kind::kAes256CbcLegacy);
  EXPECT_TRUE(key->is_legacy());
  EXPECT_EQ(Bytes(key->enc_key()), Bytes(Counting(32).span()));
  EXPECT_TRUE(key->mac_key().empty());
}

TEST(SymmetricKeyTest, RejectsOtherLengthsNamingTheLength) {
  for (std::size_t size : {0u, 1u, 16u, 31u, 33u, 48u, 63u, 65u, 128u}) {
    auto key = SymmetricKey::FromBytes(Counting(size));
    ASSERT_FALSE(key.ok()) << size;
    EXPECT_EQ(key.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(key.status().message(),
              "a symmetric key must be 64 bytes (or 32 for a legacy key), got " + std::to_string(size));
  }
}

TEST(SymmetricKeyTest, FromBase64) {
  const SecureBuffer raw = Counting(64, 7);
  auto key = SymmetricKey::FromBase64(Base64EncodeSecret(raw));
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(key->bytes().Equals(raw.span()));

  auto legacy = SymmetricKey::FromBase64(Base64EncodeSecret(Counting(32)));
  ASSERT_TRUE(legacy.ok());
  EXPECT_TRUE(legacy->is_legacy());
}

TEST(SymmetricKeyTest, FromBase64RejectsBadBase64WithoutEchoingIt) {
  const std::string text = Base64EncodeSecret(Counting(64)) + "\n";
  auto key = SymmetricKey::FromBase64(text);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(key.status().message().find(text.substr(0, 8)), std::string::npos);
}

TEST(SymmetricKeyTest, FromBase64RejectsWrongLength) {
  const std::string text = Base64EncodeSecret(Counting(48));
  auto key = SymmetricKey::FromBase64(text);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(key.status().message(), "a symmetric key must be 64 bytes (or 32 for a legacy key), got 48");
}

TEST(SymmetricKeyTest, EqualsComparesKindAndBytes) {
  auto a = SymmetricKey::FromBytes(Counting(64));
  auto b = SymmetricKey::FromBytes(Counting(64));
  auto c = SymmetricKey::FromBytes(Counting(64, 1));
  auto legacy = SymmetricKey::FromBytes(Counting(32));
  ASSERT_TRUE(a.ok() && b.ok() && c.ok() && legacy.ok());
  EXPECT_TRUE(a->Equals(*b));
  EXPECT_FALSE(a->Equals(*c));
  EXPECT_FALSE(a->Equals(*legacy));
  EXPECT_FALSE(legacy->Equals(*a));
  EXPECT_TRUE(legacy->Equals(*legacy));
}

TEST(SymmetricKeyTest, CloneIsEqualButIndependent) {
  auto key = SymmetricKey::Generate();
  ASSERT_TRUE(key.ok());
  SymmetricKey copy = key->Clone();
  EXPECT_TRUE(copy.Equals(*key));
  EXPECT_NE(copy.bytes().data(), key->bytes().data());
  EXPECT_EQ(copy.kind(), key->kind());
}

TEST(SymmetricKeyTest, DroppingKeysReleasesTheirSecrets) {
  const std::size_t before = SecureBuffer::LiveCount();
  {
    auto key = SymmetricKey::Generate();
    ASSERT_TRUE(key.ok());
    SymmetricKey moved = std::move(key).value();
    SymmetricKey clone = moved.Clone();
    auto rejected = SymmetricKey::FromBytes(Counting(10));
    EXPECT_FALSE(rejected.ok());
    EXPECT_GT(SecureBuffer::LiveCount(), before);
  }
  EXPECT_EQ(SecureBuffer::LiveCount(), before);
}

}  // namespace
}  // namespace keywarden
