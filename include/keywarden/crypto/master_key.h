// MasterKey: the 32-byte key that wraps a user key.
//
// For a password user it is the KDF output of (password, email); for a Key Connector user
// it is 32 random bytes kept by the connector. Either way the user key is stored as a
// type 2 EncString under the stretched master key (legacy accounts: type 0 under the
// master key itself).
#ifndef KEYWARDEN_CRYPTO_MASTER_KEY_H_
#define KEYWARDEN_CRYPTO_MASTER_KEY_H_

#include <string>
#include <string_view>

#include "keywarden/crypto/enc_string.h"
#include "keywarden/crypto/kdf.h"
#include "keywarden/crypto/secure_buffer.h"
#include "keywarden/crypto/symmetric_key.h"
#include "keywarden/status.h"

namespace keywarden {

class MasterKey {
 public:
  static constexpr std::size_t kSize = 32;

  static Result<MasterKey> Derive(std::string_view password, std::string_view email, const KdfConfig& kdf);
  // A Key Connector master key: 32 random bytes.
  static Result<MasterKey> Generate();
  static Result<MasterKey> FromBytes(SecureBuffer bytes);  // exactly 32 bytes
  static Result<MasterKey> FromBase64(std::string_view text);

  MasterKey(MasterKey&&) noexcept = default;
  MasterKey& operator=(MasterKey&&) noexcept = default;
  MasterKey Clone() const { return MasterKey(bytes_.Clone()); }

  // Base64 of PBKDF2-SHA256(password = master key, salt = password, 1 iteration): sent to the server.
  Result<std::string> ServerHash(std::string_view password) const;
  // The same with 2 iterations: kept on the device to check the password offline.
  Result<std::string> LocalHash(std::string_view password) const;
  // HKDF-Expand(prk = master key, "enc", 32) || HKDF-Expand(prk = master key, "mac", 32).
  Result<SymmetricKey> Stretch() const;

  // Wraps a user key: type 2 under the stretched key.
  Result<EncString> EncryptUserKey(const SymmetricKey& user_key) const;
  // Unwraps a user key: type 2 under the stretched key, or legacy type 0 under the master key itself.
  Result<SymmetricKey> DecryptUserKey(const EncString& encrypted_user_key) const;

  const SecureBuffer& bytes() const { return bytes_; }

 private:
  explicit MasterKey(SecureBuffer bytes) : bytes_(std::move(bytes)) {}
  Result<std::string> PasswordHash(std::string_view password, int iterations) const;
  SecureBuffer bytes_;
};

// Bitwarden's "shareable key" (Send keys): HMAC-SHA256(key = "bitwarden-" + name, secret) as PRK,
// then HKDF-Expand with `info` as given to 64 bytes (no info and empty info are the same).
Result<SymmetricKey> DeriveShareableKey(std::span<const std::uint8_t> secret, std::string_view name,
                                        std::string_view info = {});

}  // namespace keywarden

#endif  // KEYWARDEN_CRYPTO_MASTER_KEY_H_
