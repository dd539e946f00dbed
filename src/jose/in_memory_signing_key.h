// InMemorySigningKey: a SigningKey whose private key is an OpenSSL key in this process's memory.
//
// Made here (Generate: for tests, the connector's dev mode and benchmarks) or from an RSA key read
// elsewhere (FromRsaKey: custody/file/file_signing_key.h reads key files). Signing is OpenSSL's
// EVP_DigestSign with a context per call, so any number of threads may sign at once. The key is
// freed, with its private parts cleared, when the last owner lets go of it.
#ifndef KEYWARDEN_JOSE_IN_MEMORY_SIGNING_KEY_H_
#define KEYWARDEN_JOSE_IN_MEMORY_SIGNING_KEY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "jose/jws.h"
#include "jose/signing_key.h"
#include "keywarden/crypto/rsa.h"
#include "keywarden/status.h"

namespace keywarden::jose {

class InMemorySigningKey final : public SigningKey {
 public:
  // A new key for `alg`: RSA-2048 (e = 65537) for RS256, RS384, RS512 and PS256; P-256 for ES256.
  // kInvalidArgument for an empty kid; kInternal when OpenSSL cannot generate the key.
  static Result<std::unique_ptr<InMemorySigningKey>> Generate(JwsAlgorithm alg, std::string kid);
  // `key`, signing with `alg` (an RSA algorithm). kInvalidArgument for ES256 or an empty kid.
  static Result<std::unique_ptr<InMemorySigningKey>> FromRsaKey(RsaPrivateKey key, std::string kid,
                                                                JwsAlgorithm alg = JwsAlgorithm::kRs256);

  InMemorySigningKey(const InMemorySigningKey&) = delete;
  InMemorySigningKey& operator=(const InMemorySigningKey&) = delete;

  JwsAlgorithm alg() const override { return alg_; }
  const std::string& kid() const override { return kid_; }
  Result<std::vector<std::uint8_t>> Sign(std::string_view signing_input) const override;
  nlohmann::json PublicJwk() const override { return jwk_; }

 private:
  InMemorySigningKey(JwsAlgorithm alg, std::string kid, internal::EvpPkeyPtr key, nlohmann::json jwk);

  const JwsAlgorithm alg_;
  const std::string kid_;
  const internal::EvpPkeyPtr key_;
  const nlohmann::json jwk_;  // computed once: PublicJwk() is on every JWKS request
};

}  // namespace keywarden::jose

#endif  // KEYWARDEN_JOSE_IN_MEMORY_SIGNING_KEY_H_
