#include "connector/deployment.h"

#include <utility>

#include "connector/store/open_key_store.h"
#include "custody/open_rsa_key_provider.h"

namespace keywarden::connector {

Result<Deployment> OpenDeployment(const ConnectorConfig& config) {
  Deployment deployment;
  auto provider = custody::OpenRsaKeyProvider(config.rsa_key);
  if (!provider.ok()) return provider.status().WithContext("RSA key provider");
  deployment.provider = std::move(provider).value();

  auto store = OpenKeyStore(config.database);
  if (!store.ok()) return store.status().WithContext("database");
  deployment.store = std::move(store).value();

  auto keyring = custody::DataKeyring::Open(*deployment.store, *deployment.provider);
  if (!keyring.ok()) return keyring.status().WithContext("data key");
  deployment.keyring = std::move(keyring).value();
  return deployment;
}

}  // namespace keywarden::connector
