// The OS CSPRNG, through OpenSSL's private DRBG (RAND_priv_bytes) for secrets.
#ifndef KEYWARDEN_CRYPTO_RANDOM_H_
#define KEYWARDEN_CRYPTO_RANDOM_H_

#include <cstdint>
#include <span>

#include "keywarden/crypto/secure_buffer.h"
#include "keywarden/status.h"

namespace keywarden {

// Fills `out` with public random bytes (IVs).
Status RandomBytes(std::span<std::uint8_t> out);
// `size` secret random bytes (keys).
Result<SecureBuffer> RandomSecret(std::size_t size);

}  // namespace keywarden

#endif  // KEYWARDEN_CRYPTO_RANDOM_H_
