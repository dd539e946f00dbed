// DataKeyStore: where wrapped data keys are kept, for the keyring and the RSA key rotation.
//
// A data key never reaches a store in the clear: each version is held wrapped by one or more RSA
// keys (one row per version and provider fingerprint), so rotate-rsa-key can add the new
// wrapping, verify it, and only then retire the old one. Implementations live with the service
// whose database holds the rows (the connector's key stores); every method is safe to call from
// several threads and several processes sharing one database.
#ifndef KEYWARDEN_CUSTODY_DATA_KEY_STORE_H_
#define KEYWARDEN_CUSTODY_DATA_KEY_STORE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"
#include "keywarden/status.h"

namespace keywarden::custody {

// One wrapping of one data key version. A version has one or more wrappings, each under a
// different RSA key (named by its fingerprint); all of them unwrap to the same 32 bytes.
struct WrappedDataKey {
  std::uint32_t version = 0;             // 1, 2, ...: one per data-key rotation
  std::vector<std::uint8_t> wrapped;     // RSA-OAEP-SHA1 under the provider's key
  std::string provider_key_fingerprint;  // SHA-256 of the provider's public key (SPKI), hex
  TimeMs creation_date = 0;              // of this wrapping
};

class DataKeyStore {
 public:
  virtual ~DataKeyStore() = default;

  // Race-free creation of a data key version: if `candidate.version` does not exist it is created
  // with `candidate` as its first wrapping and `candidate` is returned. If it exists, the stored
  // wrapping of that version with candidate's fingerprint is returned, else its oldest wrapping.
  // Two processes racing on an empty database both get the same (first) record back.
  virtual Result<WrappedDataKey> InitDataKey(const WrappedDataKey& candidate) = 0;
  // Adds another wrapping to an existing version, or replaces the wrapping with the same
  // fingerprint. kNotFound when the version does not exist.
  virtual Status PutDataKeyWrapping(const WrappedDataKey& wrapping) = 0;
  // Removes one wrapping. kNotFound when absent; kInvalidArgument when it is the version's last
  // wrapping (a version must stay unwrappable).
  virtual Status DeleteDataKeyWrapping(std::uint32_t version, std::string_view provider_key_fingerprint) = 0;
  // Every wrapping of every version, by version, then by creation date (oldest first).
  virtual Result<std::vector<WrappedDataKey>> ListDataKeys() = 0;
  // Every version that stored data is sealed under, ascending, each once. May read every row:
  // for start-up, not for a request path.
  virtual Result<std::vector<std::uint32_t>> SealedDataKeyVersions() = 0;
};

}  // namespace keywarden::custody

#endif  // KEYWARDEN_CUSTODY_DATA_KEY_STORE_H_
