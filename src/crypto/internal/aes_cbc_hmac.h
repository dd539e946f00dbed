// The AES-256-CBC primitives behind EncString types 0 and 2. Internal: callers use EncString.
//
//   type 2  ct = AES-256-CBC(enc_key, iv, PKCS#7(plaintext)), mac = HMAC-SHA256(mac_key, iv || ct)
//   type 0  ct = AES-256-CBC(key, iv, PKCS#7(plaintext)), no MAC (decrypt only)
//
// The cipher and HMAC algorithms are fetched from OpenSSL once per process, and each thread
// reuses one cipher context and one HMAC context: both would otherwise cost a provider lookup
// and heap allocations per call, which dominates the work for small plaintexts such as keys.
// No plaintext is left in a context after a call; the last key schedule stays until the thread's
// next call or its exit (when OpenSSL wipes the contexts), since re-keying both contexts with
// zeros after every call would cost about a third of the throughput for a 64-byte payload.
//
// Every decryption failure (MAC mismatch, bad padding, empty or unaligned ciphertext) is the
// same kAuthenticationFailed "decryption failed", so that callers cannot tell them apart.
#ifndef KEYWARDEN_CRYPTO_INTERNAL_AES_CBC_HMAC_H_
#define KEYWARDEN_CRYPTO_INTERNAL_AES_CBC_HMAC_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "keywarden/crypto/secure_buffer.h"
#include "keywarden/status.h"

namespace keywarden::internal {

inline constexpr std::size_t kAesKeySize = 32;
inline constexpr std::size_t kAesBlockSize = 16;
inline constexpr std::size_t kIvSize = 16;
inline constexpr std::size_t kHmacKeySize = 32;
inline constexpr std::size_t kMacSize = 32;

// The ciphertext size for a plaintext of `plaintext_size` bytes: PKCS#7 always adds 1..16 bytes.
constexpr std::size_t CbcCiphertextSize(std::size_t plaintext_size) {
  return (plaintext_size / kAesBlockSize + 1) * kAesBlockSize;
}

// Type 2 encryption. `ct_out` must be exactly CbcCiphertextSize(plaintext.size()) bytes.
Status Aes256CbcHmacEncrypt(std::span<const std::uint8_t> enc_key, std::span<const std::uint8_t> mac_key,
                            std::span<const std::uint8_t> iv, std::span<const std::uint8_t> plaintext,
                            std::span<std::uint8_t> ct_out, std::span<std::uint8_t> mac_out);

// Type 2 decryption: checks the MAC in constant time, and only then decrypts.
Result<SecureBuffer> Aes256CbcHmacDecrypt(std::span<const std::uint8_t> enc_key, std::span<const std::uint8_t> mac_key,
                                          std::span<const std::uint8_t> iv, std::span<const std::uint8_t> ct,
                                          std::span<const std::uint8_t> mac);

// Type 0 decryption (no MAC: only for user keys wrapped by a legacy 32-byte master key).
Result<SecureBuffer> Aes256CbcDecrypt(std::span<const std::uint8_t> key, std::span<const std::uint8_t> iv,
                                      std::span<const std::uint8_t> ct);

}  // namespace keywarden::internal

#endif  // KEYWARDEN_CRYPTO_INTERNAL_AES_CBC_HMAC_H_
