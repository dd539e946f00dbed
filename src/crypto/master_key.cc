#include "keywarden/crypto/master_key.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <cstring>

#include "crypto/internal/pbkdf2.h"
#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/random.h"

namespace keywarden {
namespace {

constexpr std::size_t kHalfKeySize = 32;

}  // namespace

Result<MasterKey> MasterKey::Derive(std::string_view password, std::string_view email, const KdfConfig& kdf) {
  KW_ASSIGN_OR_RETURN(SecureBuffer bytes, DeriveKdfOutput(password, email, kdf));
  return MasterKey(std::move(bytes));
}

Result<MasterKey> MasterKey::Generate() {
  KW_ASSIGN_OR_RETURN(SecureBuffer bytes, RandomSecret(kSize));
  return MasterKey(std::move(bytes));
}

Result<MasterKey> MasterKey::FromBytes(SecureBuffer bytes) {
  if (bytes.size() != kSize) {
    return InvalidArgumentError("a master key is 32 bytes, got " + std::to_string(bytes.size()));
  }
  return MasterKey(std::move(bytes));
}

Result<MasterKey> MasterKey::FromBase64(std::string_view text) {
  KW_ASSIGN_OR_RETURN(SecureBuffer bytes, Base64DecodeSecret(text));
  return FromBytes(std::move(bytes));
}

Result<std::string> MasterKey::PasswordHash(std::string_view password, int iterations) const {
  KW_ASSIGN_OR_RETURN(SecureBuffer hash, internal::Pbkdf2Sha256(bytes_.span(), AsBytes(password),
                                                                static_cast<std::uint32_t>(iterations), kSize));
  return Base64EncodeSecret(hash);
}

Result<std::string> MasterKey::ServerHash(std::string_view password) const { return PasswordHash(password, 1); }

Result<std::string> MasterKey::LocalHash(std::string_view password) const { return PasswordHash(password, 2); }

Result<SymmetricKey> MasterKey::Stretch() const {
  KW_ASSIGN_OR_RETURN(SecureBuffer enc, HkdfExpandSha256(bytes_.span(), "enc", kHalfKeySize));
  KW_ASSIGN_OR_RETURN(SecureBuffer mac, HkdfExpandSha256(bytes_.span(), "mac", kHalfKeySize));
  SecureBuffer stretched(SymmetricKey::kSize);
  std::memcpy(stretched.data(), enc.data(), kHalfKeySize);
  std::memcpy(stretched.data() + kHalfKeySize, mac.data(), kHalfKeySize);
  return SymmetricKey::FromBytes(std::move(stretched));
}

Result<EncString> MasterKey::EncryptUserKey(const SymmetricKey& user_key) const {
  if (user_key.is_legacy()) return WrongKeyError("a user key must be a 64-byte key");
  KW_ASSIGN_OR_RETURN(SymmetricKey stretched, Stretch());
  return EncString::Encrypt(stretched, user_key.bytes());
}

Result<SymmetricKey> MasterKey::DecryptUserKey(const EncString& encrypted_user_key) const {
  // Legacy accounts wrapped the user key (type 0) directly under the master key.
  Result<SymmetricKey> key =
      encrypted_user_key.type() == EncString::Type::kAes256Cbc ? SymmetricKey::FromBytes(bytes_.Clone()) : Stretch();
  if (!key.ok()) return key.status();
  KW_ASSIGN_OR_RETURN(SecureBuffer user_key, encrypted_user_key.Decrypt(*key));
  if (user_key.size() != SymmetricKey::kSize) return WrongKeyError("the decrypted user key is not a 64-byte key");
  return SymmetricKey::FromBytes(std::move(user_key));
}

Result<SymmetricKey> DeriveShareableKey(std::span<const std::uint8_t> secret, std::string_view name,
                                        std::string_view info) {
  const std::string hmac_key = "bitwarden-" + std::string(name);
  SecureBuffer prk(32);
  std::size_t prk_length = 0;
  // EVP_Q_mac wants a non-null data pointer even for an empty secret.
  static constexpr std::uint8_t kEmpty = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, hmac_key.data(), hmac_key.size(),
                secret.empty() ? &kEmpty : secret.data(), secret.size(), prk.data(), prk.size(),
                &prk_length) == nullptr ||
      prk_length != prk.size()) {
    ERR_clear_error();
    return InternalError("HMAC-SHA256 failed");
  }
  // Bitwarden's SDK expands with the caller's info as given (no prefix), or with empty info.
  KW_ASSIGN_OR_RETURN(SecureBuffer okm, HkdfExpandSha256(prk.span(), info, SymmetricKey::kSize));
  return SymmetricKey::FromBytes(std::move(okm));
}

}  // namespace keywarden
