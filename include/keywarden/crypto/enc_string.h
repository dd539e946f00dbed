// EncString: Bitwarden's symmetric ciphertext format.
//
// Text form "T.part|part|...":
//   type 0  AES-256-CBC, no MAC      "0.iv|ct"       decrypt only, legacy 32-byte key only
//   type 1  AES-128-CBC-HMAC         removed: parse error
//   type 2  AES-256-CBC+HMAC-SHA256  "2.iv|ct|mac"   produced for every 64-byte key
//   type 7  COSE_Encrypt0            not yet supported: parse error
// A string without "T." is type 0 with 2 parts, and type 1 (rejected) with 3.
// Binary form (file data): byte 0 = type; type 2 is iv(16) | mac(32) | ct.
//
// Decrypt checks the MAC in constant time before decrypting, and reports every
// authentication failure (MAC mismatch, bad padding) as one generic error.
#ifndef KEYWARDEN_CRYPTO_ENC_STRING_H_
#define KEYWARDEN_CRYPTO_ENC_STRING_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "keywarden/crypto/secure_buffer.h"
#include "keywarden/crypto/symmetric_key.h"
#include "keywarden/status.h"

namespace keywarden {

class EncString {
 public:
  enum class Type : std::uint8_t { kAes256Cbc = 0, kAes256CbcHmac = 2 };

  static Result<EncString> Parse(std::string_view text);
  static Result<EncString> FromBuffer(std::span<const std::uint8_t> buffer);
  // Builds a type 2 value from its parts (lengths checked).
  static Result<EncString> FromParts(std::span<const std::uint8_t> iv, std::span<const std::uint8_t> ct,
                                     std::span<const std::uint8_t> mac);

  // Type 2 under a 64-byte key with a fresh random IV. A legacy key is kWrongKey.
  static Result<EncString> Encrypt(const SymmetricKey& key, std::span<const std::uint8_t> plaintext);
  static Result<EncString> Encrypt(const SymmetricKey& key, const SecureBuffer& plaintext) {
    return Encrypt(key, plaintext.span());
  }
  static Result<EncString> EncryptText(const SymmetricKey& key, std::string_view text);

  // Type 2 needs a 64-byte key, type 0 a 32-byte legacy key; otherwise kWrongKey.
  Result<SecureBuffer> Decrypt(const SymmetricKey& key) const;

  Type type() const { return type_; }
  std::string ToString() const;
  std::vector<std::uint8_t> ToBuffer() const;

  std::span<const std::uint8_t> iv() const { return iv_; }
  std::span<const std::uint8_t> ciphertext() const { return ct_; }
  std::span<const std::uint8_t> mac() const;  // empty for type 0

 private:
  EncString() = default;
  Type type_ = Type::kAes256CbcHmac;
  std::array<std::uint8_t, 16> iv_{};
  std::vector<std::uint8_t> ct_;
  std::array<std::uint8_t, 32> mac_{};
};

}  // namespace keywarden

#endif  // KEYWARDEN_CRYPTO_ENC_STRING_H_
