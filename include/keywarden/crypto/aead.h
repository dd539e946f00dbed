// Aead: authenticated encryption with associated data.
//
// AesGcmAead is AES-256-GCM with a random 96-bit nonce per message. Its ciphertext format is
// nonce(12) || ct || tag(16). The associated data binds a ciphertext to its context (the Key
// Connector passes the user id, so a row copied onto another user's row does not open).
#ifndef KEYWARDEN_CRYPTO_AEAD_H_
#define KEYWARDEN_CRYPTO_AEAD_H_

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "keywarden/crypto/secure_buffer.h"
#include "keywarden/status.h"

struct evp_cipher_ctx_st;  // OpenSSL's EVP_CIPHER_CTX

namespace keywarden {

class Aead {
 public:
  virtual ~Aead() = default;
  virtual Result<std::vector<std::uint8_t>> Encrypt(std::span<const std::uint8_t> plaintext,
                                                    std::span<const std::uint8_t> associated_data) const = 0;
  // Any failure to authenticate is kAuthenticationFailed "decryption failed".
  virtual Result<SecureBuffer> Decrypt(std::span<const std::uint8_t> ciphertext,
                                       std::span<const std::uint8_t> associated_data) const = 0;
};

class AesGcmAead final : public Aead {
 public:
  static constexpr std::size_t kKeySize = 32;
  static constexpr std::size_t kNonceSize = 12;
  static constexpr std::size_t kTagSize = 16;

  // `key` must be 32 bytes.
  static Result<std::unique_ptr<AesGcmAead>> New(SecureBuffer key);

  Result<std::vector<std::uint8_t>> Encrypt(std::span<const std::uint8_t> plaintext,
                                            std::span<const std::uint8_t> associated_data) const override;
  Result<SecureBuffer> Decrypt(std::span<const std::uint8_t> ciphertext,
                               std::span<const std::uint8_t> associated_data) const override;

 private:
  // Frees (and so wipes) OpenSSL's keyed context.
  struct CipherContextFree {
    void operator()(evp_cipher_ctx_st* ctx) const;
  };
  using CipherContext = std::unique_ptr<evp_cipher_ctx_st, CipherContextFree>;

  AesGcmAead(SecureBuffer key, CipherContext decrypt_template)
      : key_(std::move(key)), decrypt_template_(std::move(decrypt_template)) {}

  SecureBuffer key_;
  // Keyed for decryption, never used directly: each Decrypt copies it and sets its own nonce.
  CipherContext decrypt_template_;
};

}  // namespace keywarden

#endif  // KEYWARDEN_CRYPTO_AEAD_H_
