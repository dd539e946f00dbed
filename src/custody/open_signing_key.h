// OpenSigningKey: the configured token-signing key, behind the jose::SigningKey interface.
//
// Configuration picks where the private key lives (`signing_key.provider`): a key file, or an HSM
// through PKCS#11. Callers see only jose::SigningKey, and roll keys over with
// jose::SigningKeySet.
#ifndef KEYWARDEN_CUSTODY_OPEN_SIGNING_KEY_H_
#define KEYWARDEN_CUSTODY_OPEN_SIGNING_KEY_H_

#include <memory>

#include "custody/signing_key_settings.h"
#include "jose/signing_key.h"
#include "keywarden/status.h"

namespace keywarden::custody {

// Loads the key `settings` names, signing RS256. Errors name the setting or the file, never a
// password or PIN: kInvalidArgument when signing_key.key_file is not set for the file provider;
// otherwise FileSigningKey::Load's or Pkcs11SigningKey::Open's.
Result<std::unique_ptr<jose::SigningKey>> OpenSigningKey(const SigningKeySettings& settings);

}  // namespace keywarden::custody

#endif  // KEYWARDEN_CUSTODY_OPEN_SIGNING_KEY_H_
