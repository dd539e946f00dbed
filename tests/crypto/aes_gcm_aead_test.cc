#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
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

// NIST's GCM test case 16 (AES-256, 96-bit IV, 60-byte plaintext, 20 bytes of associated data),
// in this class's nonce || ct || tag layout: decryption is checked against published bytes, not
// only against our own encryption.
TEST(AesGcmAeadTest, OpensNistTestCase16) {
  auto hex = [](std::string_view text) {
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i + 1 < text.size(); i += 2) {
      out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16)));
    }
    return out;
  };
  auto aead =
      AesGcmAead::New(SecureBuffer::CopyOf(hex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")));
  ASSERT_TRUE(aead.ok());
  std::vector<std::uint8_t> sealed = hex("cafebabefacedbaddecaf888");
  for (const auto& part :
       {hex("522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b10"
            "56828838c5f61e6393ba7a0abcc9f662"),
        hex("76fc6ece0f4e1768cddf8853bb2d551b")}) {
    sealed.insert(sealed.end(), part.begin(), part.end());
  }
  const auto aad = hex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  auto opened = (*aead)->Decrypt(sealed, aad);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_TRUE(
      opened->Equals(hex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e24"
                         "49a6b525b16aedf5aa0de657ba637b39")));
}

// Each Decrypt works on its own copy of the keyed context: a failure leaves nothing behind, and
// threads opening at once with one instance all succeed.
TEST(AesGcmAeadTest, DecryptionsAreIndependent) {
  auto aead = NewAead();
  const auto aad = Bytes("user");
  auto sealed = aead->Encrypt(Pattern(64), aad);
  ASSERT_TRUE(sealed.ok());
  std::vector<std::uint8_t> bad = *sealed;
  bad.back() ^= 1;
  ExpectDecryptionFailed(aead->Decrypt(bad, aad));
  ASSERT_TRUE(aead->Decrypt(*sealed, aad).ok());

  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const auto plaintext = Pattern(16 + static_cast<std::size_t>(t));
      for (int i = 0; i < 500; ++i) {
        auto mine = aead->Encrypt(plaintext, aad);
        auto opened = mine.ok() ? aead->Decrypt(*mine, aad) : Result<SecureBuffer>(mine.status());
        if (!opened.ok() || !opened->Equals(plaintext) || aead->Decrypt(bad, aad).ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
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
