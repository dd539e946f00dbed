// Pkcs11SigningKey: the RSA key an identity provider signs its tokens with (RS256), held by an HSM
// behind PKCS#11.
//
// The private key never leaves the token: signing is C_Sign with CKM_SHA256_RSA_PKCS (the token
// hashes and pads: RSASSA-PKCS1-v1_5 with SHA-256, exactly what RS256 is). The key is found as the
// PKCS#11 RSA key provider finds its own (pkcs11_rsa_key_provider.h): by CKA_ID when one is given,
// else by CKA_LABEL, and must be an RSA private key that may sign (CKA_SIGN). Its public key is
// read from the token once, at Open (the private key object's CKA_MODULUS and
// CKA_PUBLIC_EXPONENT, or else the public key object of the same name), and published from
// memory. Open then signs a probe and verifies it against that public key (jose::CheckSigningKey),
// so that a key that cannot sign, or a public key object that belongs to another key, is an error
// at start-up rather than a stream of tokens nobody can verify.
//
// Sessions come from a small pool of logged-in sessions (pkcs11_session_pool.h): no session or
// login per token, and a token that was reset or re-plugged is found again and logged in to
// without a restart. Keys that demand the PIN before each use (CKA_ALWAYS_AUTHENTICATE) get it.
//
// Thread-safe: any number of threads may sign at once; at most `sessions` signatures are in
// flight on the token, the others wait for a session.
#ifndef KEYWARDEN_CUSTODY_PKCS11_PKCS11_SIGNING_KEY_H_
#define KEYWARDEN_CUSTODY_PKCS11_PKCS11_SIGNING_KEY_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "custody/pkcs11/pkcs11_object.h"
#include "custody/pkcs11/pkcs11_session_pool.h"
#include "custody/pkcs11/pkcs11_settings.h"
#include "jose/signing_key.h"
#include "keywarden/crypto/rsa.h"
#include "keywarden/status.h"

namespace keywarden::custody {

class Pkcs11SigningKey final : public jose::SigningKey {
 public:
  // Loads the module, finds the token, logs in, finds the private key, reads its public key and
  // checks that the two sign and verify together. `kid` names the key in tokens and the JWKS;
  // when empty, DefaultSigningKeyId of its public key (the same kid as the key in a file).
  // Errors, one line each, never with the PIN, naming the "signing_key" settings:
  // kUnavailable (module missing or failing), kNotFound (no such token or key),
  // kInvalidArgument (wrong or locked PIN, naming the setting that gave it; two keys of that
  // name; a key that is not RSA or may not sign), kWrongKey (the token's public key does not
  // verify the key's signatures).
  static Result<std::unique_ptr<Pkcs11SigningKey>> Open(const Pkcs11Settings& settings, std::string kid = "");

  jose::JwsAlgorithm alg() const override { return jose::JwsAlgorithm::kRs256; }
  const std::string& kid() const override { return kid_; }
  // C_SignInit + C_Sign on a pooled session. kUnavailable when the token fails or stays away
  // after one reconnection.
  Result<std::vector<std::uint8_t>> Sign(std::string_view signing_input) const override;
  nlohmann::json PublicJwk() const override { return jwk_; }

  const RsaPublicKey& public_key() const { return public_key_; }
  // SHA-256 of the public key's SPKI DER, lower-case hex (SpkiFingerprint).
  const std::string& PublicKeyFingerprint() const { return fingerprint_; }
  const std::string& token_label() const { return pool_->token_label(); }
  const std::string& token_serial() const { return pool_->token_serial(); }
  std::size_t open_sessions() const { return pool_->open_sessions(); }

 private:
  Pkcs11SigningKey(std::unique_ptr<Pkcs11SessionPool> pool, Pkcs11KeyName name, RsaPublicKey public_key,
                   std::string kid, nlohmann::json jwk, bool always_authenticate, bool so_login);

  // The private key's handle on `session`, looked up once per session.
  Status FindKey(Pkcs11SessionPool::Session& session) const;

  std::unique_ptr<Pkcs11SessionPool> pool_;
  const Pkcs11KeyName name_;
  const RsaPublicKey public_key_;
  const std::string fingerprint_;
  const std::string kid_;
  const nlohmann::json jwk_;
  const std::size_t signature_size_;
  const bool always_authenticate_;
  const bool so_login_;
};

}  // namespace keywarden::custody

#endif  // KEYWARDEN_CUSTODY_PKCS11_PKCS11_SIGNING_KEY_H_
