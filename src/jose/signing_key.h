// SigningKey: a private key that signs JWS (RFC 7515) for this service, wherever it is held.
//
// An identity provider signs its access tokens through this interface and publishes PublicJwk() in
// its JWKS. Implementations hold the key in memory (jose/in_memory_signing_key.h), read it from a
// key file, or use it on an HSM that never lets it out (custody/file/file_signing_key.h,
// custody/pkcs11/pkcs11_signing_key.h). A key signs with one algorithm and has one kid, both fixed
// for its life; rollover from one key to the next is jose/signing_key_set.h.
//
// Thread safety: every method of every implementation may be called from any number of threads
// at once.
#ifndef KEYWARDEN_JOSE_SIGNING_KEY_H_
#define KEYWARDEN_JOSE_SIGNING_KEY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "jose/jws.h"
#include "keywarden/crypto/rsa.h"
#include "keywarden/status.h"

namespace keywarden::jose {

class SigningKey {
 public:
  virtual ~SigningKey() = default;

  // The algorithm of every signature this key makes.
  virtual JwsAlgorithm alg() const = 0;
  // The key's id: the "kid" of the JWS headers it signs and of its JWK. Non-empty.
  virtual const std::string& kid() const = 0;
  // The JWS signature of `signing_input` (ASCII "BASE64URL(header).BASE64URL(payload)") for
  // alg(): RSASSA-PKCS1-v1_5 with SHA-256/384/512 for RS256/384/512, RSASSA-PSS (SHA-256, MGF1-
  // SHA-256, 32-byte salt) for PS256, the 64 bytes r || s for ES256.
  // Errors: kUnavailable when the key's holder cannot be reached now (an HSM, its session or its
  // login); kInternal when the crypto library fails. Never key material in a message.
  virtual Result<std::vector<std::uint8_t>> Sign(std::string_view signing_input) const = 0;
  // The public key as one JWK object: kty, its public parameters (RSA: n, e; EC: crv, x, y), kid,
  // use "sig" and alg. Never a private member.
  virtual nlohmann::json PublicJwk() const = 0;
};

// A compact JWS of `claims` signed by `key`. The header is {"alg": key.alg(), "typ": "JWT", "kid":
// key.kid()} updated with `header_extra` (an object, or null for none), so a test can forge any
// header member; the signature is always `key`'s own, made with key.alg(). `claims` is the
// payload, serialised as given. Errors are Sign()'s.
Result<std::string> SignCompactJws(const SigningKey& key, const nlohmann::json& header_extra,
                                   const nlohmann::json& claims);

// {"keys": [key.PublicJwk() for each key]}, serialised.
std::string JwksJsonOf(const std::vector<const SigningKey*>& keys);

// The JWK of an RSA public key, for the keys that hold only a public key next to their private
// one (an HSM's): kty "RSA", n, e, kid, use "sig", alg. kInvalidArgument when `alg` is not an RSA
// algorithm (RS256, RS384, RS512, PS256) or `kid` is empty; kInternal when OpenSSL fails.
Result<nlohmann::json> RsaPublicJwk(const RsaPublicKey& key, std::string_view kid, JwsAlgorithm alg);

// Proves that `key` works as verifiers will use it: signs a probe and checks the signature against
// key.PublicJwk() exactly as a token verifier does (ParseJwks, then VerifyJwsSignature). Meant for
// start-up and for a key about to be published, so that a broken key, or a public key that does
// not belong to the private one, is found before any token depends on it.
// Errors: Sign()'s; kInvalidArgument when the JWK is not one ParseJwks accepts, or names another
// kid or alg; kWrongKey when the signature does not verify against it.
Status CheckSigningKey(const SigningKey& key);

}  // namespace keywarden::jose

#endif  // KEYWARDEN_JOSE_SIGNING_KEY_H_
