#include "keywarden/crypto/random.h"

#include <openssl/rand.h>

#include <climits>

namespace keywarden {

Status RandomBytes(std::span<std::uint8_t> out) {
  if (out.empty()) return OkStatus();
  if (out.size() > INT_MAX || RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    return InternalError("the random number generator failed");
  }
  return OkStatus();
}

Result<SecureBuffer> RandomSecret(std::size_t size) {
  SecureBuffer out(size);
  if (size == 0) return out;
  if (size > INT_MAX || RAND_priv_bytes(out.data(), static_cast<int>(size)) != 1) {
    return InternalError("the random number generator failed");
  }
  return out;
}

}  // namespace keywarden
