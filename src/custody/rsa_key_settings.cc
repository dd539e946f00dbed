#include "custody/rsa_key_settings.h"

#include "custody/pkcs11/pkcs11_settings.h"

namespace keywarden::custody {

std::string_view RsaKeyProviderName(RsaKeySettings::Provider provider) {
  switch (provider) {
    case RsaKeySettings::Provider::kFile: return "file";
    case RsaKeySettings::Provider::kPkcs11: return "pkcs11";
  }
  return "file";
}

std::string_view Pkcs11UserTypeName(Pkcs11Settings::UserType type) {
  switch (type) {
    case Pkcs11Settings::UserType::kUser: return "user";
    case Pkcs11Settings::UserType::kSo: return "so";
    case Pkcs11Settings::UserType::kContextSpecific: return "context_specific";
  }
  return "user";
}

}  // namespace keywarden::custody
