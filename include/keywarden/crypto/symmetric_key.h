// SymmetricKey: a Bitwarden symmetric key.
//
// Two kinds exist, and the kind decides what the key may do:
//  - kAes256CbcHmac: 64 bytes, encKey[0..32] || macKey[32..64]. Encrypts (type 2) and decrypts type 2.
//  - kAes256CbcLegacy: a bare 32-byte key (an old "master key"). Decrypts type 0 only; never encrypts.
#ifndef KEYWARDEN_CRYPTO_SYMMETRIC_KEY_H_
#define KEYWARDEN_CRYPTO_SYMMETRIC_KEY_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "keywarden/crypto/secure_buffer.h"
#include "keywarden/status.h"

namespace keywarden {

class SymmetricKey {
 public:
  enum class Kind { kAes256CbcHmac, kAes256CbcLegacy };
  static constexpr std::size_t kSize = 64;
  static constexpr std::size_t kLegacySize = 32;

  // A fresh 64-byte key from the CSPRNG.
  static Result<SymmetricKey> Generate();
  // 64 bytes -> kAes256CbcHmac, 32 bytes -> kAes256CbcLegacy; any other length is an error.
  static Result<SymmetricKey> FromBytes(SecureBuffer bytes);
  static Result<SymmetricKey> FromBase64(std::string_view text);

  SymmetricKey(SymmetricKey&&) noexcept = default;
  SymmetricKey& operator=(SymmetricKey&&) noexcept = default;
  SymmetricKey Clone() const { return SymmetricKey(bytes_.Clone(), kind_); }

  Kind kind() const { return kind_; }
  bool is_legacy() const { return kind_ == Kind::kAes256CbcLegacy; }
  // The AES-256 key (first 32 bytes).
  std::span<const std::uint8_t> enc_key() const { return bytes_.span().first(32); }
  // The HMAC-SHA256 key (last 32 bytes); empty for a legacy key.
  std::span<const std::uint8_t> mac_key() const;
  // All bytes, for wrapping this key under another (encapsulation, type 2 of a key).
  const SecureBuffer& bytes() const { return bytes_; }

  bool Equals(const SymmetricKey& other) const;

 private:
  SymmetricKey(SecureBuffer bytes, Kind kind) : bytes_(std::move(bytes)), kind_(kind) {}
  SecureBuffer bytes_;
  Kind kind_;
};

}  // namespace keywarden

#endif  // KEYWARDEN_CRYPTO_SYMMETRIC_KEY_H_
