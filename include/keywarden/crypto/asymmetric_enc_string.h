// AsymmetricEncString: a key encapsulated to an RSA-2048 public key.
//
//   type 3  RSA-OAEP-SHA256         "3.ct"       decrypt only
//   type 4  RSA-OAEP-SHA1           "4.ct"       the only type produced
//   type 5  RSA-OAEP-SHA256 + MAC   "5.ct|mac"   decrypt only; the MAC is ignored
//   type 6  RSA-OAEP-SHA1 + MAC     "6.ct|mac"   decrypt only; the MAC is ignored
// The plaintext is the encapsulated key's raw bytes (64 for a symmetric key).
#ifndef KEYWARDEN_CRYPTO_ASYMMETRIC_ENC_STRING_H_
#define KEYWARDEN_CRYPTO_ASYMMETRIC_ENC_STRING_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "keywarden/crypto/rsa.h"
#include "keywarden/crypto/secure_buffer.h"
#include "keywarden/crypto/symmetric_key.h"
#include "keywarden/status.h"

namespace keywarden {

class AsymmetricEncString {
 public:
  enum class Type : std::uint8_t {
    kRsa2048OaepSha256 = 3,
    kRsa2048OaepSha1 = 4,
    kRsa2048OaepSha256HmacSha256 = 5,
    kRsa2048OaepSha1HmacSha256 = 6,
  };

  static Result<AsymmetricEncString> Parse(std::string_view text);

  // Type 4 of arbitrary key bytes (a symmetric key, or a 32-byte master key for auth requests).
  static Result<AsymmetricEncString> Encapsulate(const RsaPublicKey& public_key,
                                                 std::span<const std::uint8_t> key_bytes);
  static Result<AsymmetricEncString> Encapsulate(const RsaPublicKey& public_key, const SymmetricKey& key) {
    return Encapsulate(public_key, key.bytes().span());
  }

  Result<SecureBuffer> Decapsulate(const RsaPrivateKey& private_key) const;
  // Decapsulates and interprets the bytes as a SymmetricKey (64 or 32 bytes).
  Result<SymmetricKey> DecapsulateKey(const RsaPrivateKey& private_key) const;

  Type type() const { return type_; }
  std::span<const std::uint8_t> ciphertext() const { return ct_; }
  std::string ToString() const;

 private:
  AsymmetricEncString() = default;
  Type type_ = Type::kRsa2048OaepSha1;
  std::vector<std::uint8_t> ct_;
  std::vector<std::uint8_t> mac_;  // kept only so ToString round-trips types 5 and 6
};

}  // namespace keywarden

#endif  // KEYWARDEN_CRYPTO_ASYMMETRIC_ENC_STRING_H_
