#include "connector/rsa_key_provider_factory.h"

#include "connector/file_rsa_key_provider.h"
#include "connector/pkcs11_rsa_key_provider.h"

namespace keywarden::connector {

Result<std::unique_ptr<RsaKeyProvider>> OpenRsaKeyProvider(const ConnectorConfig::RsaKey& rsa_key) {
  if (rsa_key.provider == "file") {
    const SecureBuffer* password = rsa_key.key_password ? &*rsa_key.key_password : nullptr;
    KW_ASSIGN_OR_RETURN(std::unique_ptr<FileRsaKeyProvider> file, FileRsaKeyProvider::Load(rsa_key.key_file, password));
    return std::unique_ptr<RsaKeyProvider>(std::move(file));
  }
  if (rsa_key.provider == "pkcs11") {
    KW_ASSIGN_OR_RETURN(std::unique_ptr<Pkcs11RsaKeyProvider> hsm, Pkcs11RsaKeyProvider::Open(rsa_key.pkcs11));
    return std::unique_ptr<RsaKeyProvider>(std::move(hsm));
  }
  return UnsupportedError("RSA key provider '" + rsa_key.provider + "' is not supported by this build");
}

}  // namespace keywarden::connector
