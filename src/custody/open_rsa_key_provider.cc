#include "custody/open_rsa_key_provider.h"

#include "custody/file/file_rsa_key_provider.h"
#include "custody/pkcs11/pkcs11_rsa_key_provider.h"

namespace keywarden::custody {

Result<std::unique_ptr<RsaKeyProvider>> OpenRsaKeyProvider(const RsaKeySettings& rsa_key) {
  switch (rsa_key.provider) {
    case RsaKeySettings::Provider::kFile: {
      const SecureBuffer* password = rsa_key.key_password ? &*rsa_key.key_password : nullptr;
      KW_ASSIGN_OR_RETURN(std::unique_ptr<FileRsaKeyProvider> file,
                          FileRsaKeyProvider::Load(rsa_key.key_file, password));
      return std::unique_ptr<RsaKeyProvider>(std::move(file));
    }
    case RsaKeySettings::Provider::kPkcs11: {
      KW_ASSIGN_OR_RETURN(std::unique_ptr<Pkcs11RsaKeyProvider> hsm, Pkcs11RsaKeyProvider::Open(rsa_key.pkcs11));
      return std::unique_ptr<RsaKeyProvider>(std::move(hsm));
    }
  }
  return InternalError("unknown RSA key provider");
}

}  // namespace keywarden::custody
