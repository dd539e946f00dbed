// PBKDF2-HMAC-SHA256 over raw bytes: shared by the master-key KDF (password, email salt) and the
// password hashes (password = master key, salt = password), which need no validation of settings.
#ifndef KEYWARDEN_CRYPTO_INTERNAL_PBKDF2_H_
#define KEYWARDEN_CRYPTO_INTERNAL_PBKDF2_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "keywarden/crypto/secure_buffer.h"
#include "keywarden/status.h"

namespace keywarden::internal {

Result<SecureBuffer> Pbkdf2Sha256(std::span<const std::uint8_t> password, std::span<const std::uint8_t> salt,
                                  std::uint32_t iterations, std::size_t length);

}  // namespace keywarden::internal

#endif  // KEYWARDEN_CRYPTO_INTERNAL_PBKDF2_H_
