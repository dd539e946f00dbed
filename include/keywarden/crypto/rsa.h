// RSA-2048 key pairs (e = 65537) as Bitwarden stores them:
// public keys as SPKI DER, private keys as PKCS#8 DER.
#ifndef KEYWARDEN_CRYPTO_RSA_H_
#define KEYWARDEN_CRYPTO_RSA_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "keywarden/crypto/secure_buffer.h"
#include "keywarden/status.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace keywarden {

namespace internal {
struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* key) const;
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;
}  // namespace internal

class RsaPublicKey {
 public:
  static Result<RsaPublicKey> FromSpkiDer(std::span<const std::uint8_t> der);
  static Result<RsaPublicKey> FromBase64(std::string_view spki_b64);

  RsaPublicKey(RsaPublicKey&&) noexcept = default;
  RsaPublicKey& operator=(RsaPublicKey&&) noexcept = default;
  RsaPublicKey Clone() const;

  std::vector<std::uint8_t> ToSpkiDer() const;
  std::string ToBase64() const;
  int bits() const;
  bool Equals(const RsaPublicKey& other) const;

  // RSA-OAEP with SHA-1 (MGF1-SHA1): the only padding Keywarden produces (type 4).
  Result<std::vector<std::uint8_t>> EncryptOaepSha1(std::span<const std::uint8_t> plaintext) const;

  EVP_PKEY* evp() const { return key_.get(); }

 private:
  friend class RsaPrivateKey;
  explicit RsaPublicKey(internal::EvpPkeyPtr key) : key_(std::move(key)) {}
  internal::EvpPkeyPtr key_;
};

class RsaPrivateKey {
 public:
  static constexpr int kBits = 2048;

  // A new RSA-2048 key pair, e = 65537.
  static Result<RsaPrivateKey> Generate();
  static Result<RsaPrivateKey> FromPkcs8Der(std::span<const std::uint8_t> der);
  static Result<RsaPrivateKey> FromBase64(std::string_view pkcs8_b64);
  // Unencrypted "BEGIN PRIVATE KEY" PEM.
  static Result<RsaPrivateKey> FromPem(std::string_view pem);

  RsaPrivateKey(RsaPrivateKey&&) noexcept = default;
  RsaPrivateKey& operator=(RsaPrivateKey&&) noexcept = default;

  Result<SecureBuffer> ToPkcs8Der() const;
  RsaPublicKey PublicKey() const;

  enum class OaepHash { kSha1, kSha256 };
  Result<SecureBuffer> DecryptOaep(std::span<const std::uint8_t> ciphertext, OaepHash hash) const;

  EVP_PKEY* evp() const { return key_.get(); }

 private:
  explicit RsaPrivateKey(internal::EvpPkeyPtr key) : key_(std::move(key)) {}
  internal::EvpPkeyPtr key_;
};

}  // namespace keywarden

#endif  // KEYWARDEN_CRYPTO_RSA_H_
