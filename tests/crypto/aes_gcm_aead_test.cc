#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "keywarden/crypto/aead.h"
#include "keywarden/crypto/random.h"

namespace keywarden {
namespace {

std::unique_ptr<AesGcmAead> NewAead() {
  auto key = RandomSecret(AesGcmAead::kKeySize);
  EXPECT_TRUE(key.ok());
  auto aead = AesGcmAead::New(std::move(*key));
  EXPECT_TRUE(aead.ok());
  return std::move(*aead);
}

std::vector<std::uint8_t> Pattern(std::size_t size) {
  std::vector<std::uint8_t> out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(i * 7 + 3);
  return out;
}

std::span<const std::uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

void ExpectDecryptionFailed(const Result<SecureBuffer>& result) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kAuthenticationFailed);
  EXPECT_EQ(result.status().message(), "decryption failed");
}

TEST(AesGcmAeadTest, RoundTripsSeveralSizes) {
  auto aead = NewAead();
  const auto aad = Bytes("0f2c6a1e-6f3b-4c55-9d4e-0123456789ab");
  for (std::size_t size : {0u, 32u, 10u * 1024u}) {
    const auto plaintext = Pattern(size);
    auto sealed = aead->Encrypt(plaintext, aad);
    ASSERT_TRUE(sealed.ok()) << size;
    EXPECT_EQ(sealed->size(), AesGcmAead::kNonceSize + size + AesGcmAead::kTagSize);
    auto opened = aead->Decrypt(*sealed, aad);
    ASSERT_TRUE(opened.ok()) << size << ": " << opened.status().ToString();
    EXPECT_EQ(std::vector<std::uint8_t>(opened->span().begin(), opened->span().end()), plaintext);
  }
}

TEST(AesGcmAeadTest, EmptyAssociatedDataRoundTrips) {
  auto aead = NewAead();
  const auto plaintext = Pattern(32);
  auto sealed = aead->Encrypt(plaintext, {});
  ASSERT_TRUE(sealed.ok());
  auto opened = aead->Decrypt(*sealed, {});
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(opened->Equals(plaintext));
}

TEST(AesGcmAeadTest, TamperingWithAnyPartFails) {
  auto aead = NewAead();
  const auto aad = Bytes("user");
  auto sealed = aead->Encrypt(Pattern(32), aad);
  ASSERT_TRUE(sealed.ok());
  // First nonce byte, a ciphertext byte, last tag byte.
  for (std::size_t index : {std::size_t{0}, AesGcmAead::kNonceSize + 5, sealed->size() - 1}) {
    auto tampered = *sealed;
    tampered[index] ^= 0x01;
    ExpectDecryptionFailed(aead->Decrypt(tampered, aad));
  }
}

TEST(AesGcmAeadTest, WrongAssociatedDataFails) {
  auto aead = NewAead();
  auto sealed = aead->Encrypt(Pattern(32), Bytes("user-a"));
  ASSERT_TRUE(sealed.ok());
  ExpectDecryptionFailed(aead->Decrypt(*sealed, Bytes("user-b")));
  ExpectDecryptionFailed(aead->Decrypt(*sealed, {}));
}

TEST(AesGcmAeadTest, WrongKeyFails) {
  auto a = NewAead();
  auto b = NewAead();
  auto sealed = a->Encrypt(Pattern(32), Bytes("user"));
  ASSERT_TRUE(sealed.ok());
  ExpectDecryptionFailed(b->Decrypt(*sealed, Bytes("user")));
}

TEST(AesGcmAeadTest, ShortInputFailsCleanly) {
  auto aead = NewAead();
  for (std::size_t size : {0u, 1u, 12u, 27u}) {
    ExpectDecryptionFailed(aead->Decrypt(Pattern(size), {}));
  }
  // Exactly nonce + tag is well-formed (an empty message) but this tag is wrong.
  ExpectDecryptionFailed(aead->Decrypt(Pattern(28), {}));
}

TEST(AesGcmAeadTest, EncryptionsOfTheSamePlaintextDiffer) {
  auto aead = NewAead();
  const auto plaintext = Pattern(32);
  auto first = aead->Encrypt(plaintext, {});
  auto second = aead->Encrypt(plaintext, {});
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(*first, *second);
  EXPECT_FALSE(std::equal(first->begin(), first->begin() + AesGcmAead::kNonceSize, second->begin()));
}

TEST(AesGcmAeadTest, RejectsKeysThatAreNot32Bytes) {
  for (std::size_t size : {0u, 16u, 31u, 33u, 64u}) {
    auto aead = AesGcmAead::New(SecureBuffer(size));
    ASSERT_FALSE(aead.ok()) << size;
    EXPECT_EQ(aead.status().code(), ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace keywarden
