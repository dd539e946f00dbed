// OpenRsaKeyProvider: the configured RSA key provider, behind the RsaKeyProvider interface.
//
// Configuration picks where the private key lives (`rsa_key.provider`): a key file, or an HSM
// through PKCS#11. Callers see only RsaKeyProvider.
#ifndef KEYWARDEN_CONNECTOR_RSA_KEY_PROVIDER_FACTORY_H_
#define KEYWARDEN_CONNECTOR_RSA_KEY_PROVIDER_FACTORY_H_

#include <memory>

#include "connector/config.h"
#include "connector/rsa_key_provider.h"
#include "keywarden/status.h"

namespace keywarden::connector {

// Loads the key `rsa_key` names. Errors name the setting, never a password or PIN.
Result<std::unique_ptr<RsaKeyProvider>> OpenRsaKeyProvider(const ConnectorConfig::RsaKey& rsa_key);

}  // namespace keywarden::connector

#endif  // KEYWARDEN_CONNECTOR_RSA_KEY_PROVIDER_FACTORY_H_
