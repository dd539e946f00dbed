// Deployment: a connector's key custody opened from its configuration, in one place.
//
// The RSA key provider, the key store, and the data keyring over both, opened in that order; a
// failure names the part that could not open ("RSA key provider: ...", "database: ...",
// "data key: ..."), so that `serve`, `import-reference` and `transfer` report it the same way.
// Members are declared so that they are destroyed in the reverse order of their dependencies.
#ifndef KEYWARDEN_CONNECTOR_DEPLOYMENT_H_
#define KEYWARDEN_CONNECTOR_DEPLOYMENT_H_

#include <memory>

#include "connector/config/connector_config.h"
#include "connector/store/key_store.h"
#include "custody/data_keyring.h"
#include "custody/rsa_key_provider.h"
#include "keywarden/status.h"

namespace keywarden::connector {

struct Deployment {
  std::unique_ptr<custody::RsaKeyProvider> provider;
  std::unique_ptr<store::KeyStore> store;
  std::unique_ptr<custody::DataKeyring> keyring;  // over *store and *provider
};

// Opens the deployment `config` describes (creating the first data key in an empty store).
Result<Deployment> OpenDeployment(const ConnectorConfig& config);

}  // namespace keywarden::connector

#endif  // KEYWARDEN_CONNECTOR_DEPLOYMENT_H_
