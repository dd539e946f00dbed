// RsaKeyProvider: holds the RSA key that wraps the data keys.
//
// As in the reference, the provider is chosen by configuration; this one interface hides whether
// the private key is a file (custody/file/) or on an HSM (custody/pkcs11/). Wrapping uses
// the public key (RSA-OAEP-SHA1, as the reference and most HSMs do); unwrapping uses the private
// key wherever it lives. Safe to call from several threads at once.
#ifndef KEYWARDEN_CUSTODY_RSA_KEY_PROVIDER_H_
#define KEYWARDEN_CUSTODY_RSA_KEY_PROVIDER_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "keywarden/crypto/secure_buffer.h"
#include "keywarden/status.h"

namespace keywarden::custody {

class RsaKeyProvider {
 public:
  virtual ~RsaKeyProvider() = default;

  virtual Result<std::vector<std::uint8_t>> Wrap(std::span<const std::uint8_t> data_key) const = 0;
  // kAuthenticationFailed when `wrapped` was not made for this key.
  virtual Result<SecureBuffer> Unwrap(std::span<const std::uint8_t> wrapped) const = 0;
  // SHA-256 of the public key's SPKI DER, lower-case hex: names the key in stored records and logs.
  virtual std::string PublicKeyFingerprint() const = 0;
  // OK when the key can be used right now (for /health); kUnavailable otherwise.
  virtual Status Check() const = 0;
  // Things an operator should fix although the key works (a key file others may read), one
  // sentence each: `connector check` prints them and `connector serve` logs them at start-up.
  virtual std::vector<std::string> Warnings() const { return {}; }
};

}  // namespace keywarden::custody

#endif  // KEYWARDEN_CUSTODY_RSA_KEY_PROVIDER_H_
