// OpenRsaKeyProvider: the configured RSA key provider, behind the RsaKeyProvider interface.
//
// Configuration picks where the private key lives (`rsa_key.provider`): a key file, or an HSM
// through PKCS#11. Callers see only RsaKeyProvider.
#ifndef KEYWARDEN_CUSTODY_OPEN_RSA_KEY_PROVIDER_H_
#define KEYWARDEN_CUSTODY_OPEN_RSA_KEY_PROVIDER_H_

#include <memory>

#include "custody/rsa_key_provider.h"
#include "custody/rsa_key_settings.h"
#include "keywarden/status.h"

namespace keywarden::custody {

// Loads the key `rsa_key` names. Errors name the setting, never a password or PIN.
Result<std::unique_ptr<RsaKeyProvider>> OpenRsaKeyProvider(const RsaKeySettings& rsa_key);

}  // namespace keywarden::custody

#endif  // KEYWARDEN_CUSTODY_OPEN_RSA_KEY_PROVIDER_H_
