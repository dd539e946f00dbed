// The custody section, [rsa_key]: which RSA key wraps the data keys and where it is held
// (custody::RsaKeySettings, a plain value that custody opens), with the PKCS#11 settings.
#ifndef KEYWARDEN_CONFIG_RSA_KEY_SECTION_H_
#define KEYWARDEN_CONFIG_RSA_KEY_SECTION_H_

#include <span>
#include <string_view>
#include <utility>

#include "config/settings.h"
#include "config/sources.h"
#include "custody/rsa_key_settings.h"
#include "keywarden/status.h"

namespace keywarden::config {

// rsa_key.provider (early), key_file, key_password, key_password_file and rsa_key.pkcs11_*.
std::span<const SettingRow<custody::RsaKeySettings>> RsaKeyRows();

// Canonical key -> the alias source's name for it, quoted after the key in "set ..." hints
// ("rsa_key.pkcs11_library (keyConnectorSettings__rsaKey__pkcs11LibraryPath)"). May be empty.
using AliasNames = std::span<const std::pair<std::string_view, std::string_view>>;

// After Apply: reads key_password_file, and with provider pkcs11 checks that a module, a token,
// a key and a PIN are named and reads the PIN file. With another provider, refuses any PKCS#11
// setting, which would be ignored.
Status CheckRsaKey(const RawSettings& settings, AliasNames aliases, custody::RsaKeySettings& rsa_key);

// The same rows and checks for a token-signing key, [signing_key] (signing_key.provider,
// signing_key.key_file, signing_key.pkcs11_*, ...): a separate key from the one that wraps data.
std::span<const SettingRow<custody::RsaKeySettings>> SigningKeyRows();
Status CheckSigningKey(const RawSettings& settings, custody::RsaKeySettings& signing_key);

}  // namespace keywarden::config

#endif  // KEYWARDEN_CONFIG_RSA_KEY_SECTION_H_
