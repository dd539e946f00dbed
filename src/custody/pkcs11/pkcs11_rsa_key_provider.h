// Pkcs11RsaKeyProvider: the RSA key that wraps the data key, held by an HSM behind PKCS#11.
//
// The private key never leaves the token: unwrapping is C_Decrypt with RSA-OAEP (SHA-1,
// MGF1-SHA1, no label), as the reference does and SoftHSM2 and most HSMs support. Wrapping needs
// only the public key, which is read from the token once at start-up (the private key object's
// CKA_MODULUS and CKA_PUBLIC_EXPONENT, or else the public key object of the same name) and used
// locally, exactly as the file provider uses its own.
//
// Sessions come from a small pool of logged-in sessions (connector/pkcs11_session_pool.h): no
// session or login per operation, and a token that was reset or re-plugged is found again and
// logged in to without a restart. Keys that demand the PIN before each use
// (CKA_ALWAYS_AUTHENTICATE) get it.
#ifndef KEYWARDEN_CUSTODY_PKCS11_PKCS11_RSA_KEY_PROVIDER_H_
#define KEYWARDEN_CUSTODY_PKCS11_PKCS11_RSA_KEY_PROVIDER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "custody/pkcs11/pkcs11_object.h"
#include "custody/pkcs11/pkcs11_session_pool.h"
#include "custody/pkcs11/pkcs11_settings.h"
#include "custody/rsa_key_provider.h"
#include "keywarden/crypto/rsa.h"
#include "keywarden/status.h"

namespace keywarden::custody {

class Pkcs11RsaKeyProvider final : public RsaKeyProvider {
 public:
  // Loads the module, finds the token, logs in, finds the private key and reads its public key.
  // Errors, one line each, never with the PIN: kUnavailable (module missing or failing),
  // kNotFound (no such token or key), kInvalidArgument (wrong or locked PIN, naming the setting
  // that gave it; two keys of that name; a key that is not RSA or may not decrypt).
  static Result<std::unique_ptr<Pkcs11RsaKeyProvider>> Open(const Pkcs11Settings& settings);

  Result<std::vector<std::uint8_t>> Wrap(std::span<const std::uint8_t> data_key) const override;
  Result<SecureBuffer> Unwrap(std::span<const std::uint8_t> wrapped) const override;
  std::string PublicKeyFingerprint() const override { return fingerprint_; }
  // Reads the key's modulus on the token (reconnecting if need be) and checks it is still the key
  // this provider started with.
  Status Check() const override;

  const RsaPublicKey& public_key() const { return public_key_; }
  const std::string& token_label() const { return pool_->token_label(); }
  const std::string& token_serial() const { return pool_->token_serial(); }
  std::size_t open_sessions() const { return pool_->open_sessions(); }

 private:
  Pkcs11RsaKeyProvider(std::unique_ptr<Pkcs11SessionPool> pool, Pkcs11KeyName name, RsaPublicKey public_key,
                       std::vector<std::uint8_t> modulus, bool always_authenticate, bool so_login);

  // The private key's handle on `session`, looked up once per session.
  Status FindKey(Pkcs11SessionPool::Session& session) const;

  std::unique_ptr<Pkcs11SessionPool> pool_;
  Pkcs11KeyName name_;
  RsaPublicKey public_key_;
  std::vector<std::uint8_t> modulus_;
  std::string fingerprint_;
  bool always_authenticate_;
  bool so_login_;
};

}  // namespace keywarden::custody

#endif  // KEYWARDEN_CUSTODY_PKCS11_PKCS11_RSA_KEY_PROVIDER_H_
