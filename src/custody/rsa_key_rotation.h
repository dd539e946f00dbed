// RotateRsaKey: moves the data keys from one RSA key to another while connectors serve.
//
// For every data key version: unwrap its wrapping under the current key, wrap the data key with
// the new key, store that as a second wrapping (KeyStore::PutDataKeyWrapping), read it back and
// unwrap it with the new key, and compare (constant time) with what the current key unwrapped.
// Only when every version passed does it retire the current key's wrappings (unless keep_old).
// Running connectors hold their data keys in memory and are not disturbed; restart them with the
// new key's configuration afterwards (with keep_old, before retiring).
//
// Idempotent and resumable: a version already wrapped by the new key is only verified (and
// wrapped again if that fails); a version whose old wrapping was already retired by a cut-short
// run is verified under the new key alone.
#ifndef KEYWARDEN_CUSTODY_RSA_KEY_ROTATION_H_
#define KEYWARDEN_CUSTODY_RSA_KEY_ROTATION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "custody/data_key_store.h"
#include "custody/rsa_key_provider.h"
#include "keywarden/status.h"

namespace keywarden::custody {

struct RsaKeyRotationSummary {
  std::string old_fingerprint;
  std::string new_fingerprint;
  std::vector<std::uint32_t> versions;  // every data key version, all now wrapped by the new key
  std::uint32_t wrapped = 0;            // versions this run wrapped with the new key
  std::uint32_t already_wrapped = 0;    // versions found wrapped by the new key (a resumed run)
  std::uint32_t retired = 0;            // old wrappings this run deleted
  bool kept_old = false;                // keep_old: the old wrappings stay
};

// Errors: kInvalidArgument when both providers hold the same key; kNotFound for a database with
// no data key; kUnavailable when a version has neither an old-key nor a new-key wrapping, does not
// unwrap, or the new key's wrapping does not verify; the store's and providers' own errors.
// Nothing is retired unless every version verified.
Result<RsaKeyRotationSummary> RotateRsaKey(DataKeyStore& store, const RsaKeyProvider& old_key,
                                           const RsaKeyProvider& new_key, bool keep_old);

}  // namespace keywarden::custody

#endif  // KEYWARDEN_CUSTODY_RSA_KEY_ROTATION_H_
