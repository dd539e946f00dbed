#include "custody/open_signing_key.h"

#include "custody/file/file_signing_key.h"
#include "custody/pkcs11/pkcs11_signing_key.h"

namespace keywarden::custody {

Result<std::unique_ptr<jose::SigningKey>> OpenSigningKey(const SigningKeySettings& settings) {
  switch (settings.provider) {
    case SigningKeySettings::Provider::kFile: {
      if (settings.key_file.empty()) return InvalidArgumentError("signing_key.key_file is not set");
      const SecureBuffer* password = settings.key_password ? &*settings.key_password : nullptr;
      KW_ASSIGN_OR_RETURN(std::unique_ptr<FileSigningKey> file,
                          FileSigningKey::Load(settings.key_file, password, settings.kid));
      return std::unique_ptr<jose::SigningKey>(std::move(file));
    }
    case SigningKeySettings::Provider::kPkcs11: {
      KW_ASSIGN_OR_RETURN(std::unique_ptr<Pkcs11SigningKey> hsm, Pkcs11SigningKey::Open(settings.pkcs11, settings.kid));
      return std::unique_ptr<jose::SigningKey>(std::move(hsm));
    }
  }
  return InternalError("unknown signing key provider");
}

}  // namespace keywarden::custody
