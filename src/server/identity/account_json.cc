#include "server/identity/account_json.h"

#include <chrono>

#include "base/iso_date.h"
#include "base/time.h"
#include "http/json.h"

namespace keywarden::server {
namespace {

std::string Salt(const store::User& user) { return user.salt.empty() ? user.email : user.salt; }

}  // namespace

nlohmann::json AccountKeysJson(const store::User& user) {
  if (user.public_key.empty() || user.private_key.empty()) return nullptr;
  return {
      {"signatureKeyPair", nullptr},
      {"publicKeyEncryptionKeyPair",
       {{"wrappedPrivateKey", user.private_key},
        {"publicKey", user.public_key},
        {"signedPublicKey", nullptr},
        {"object", "publicKeyEncryptionKeyPair"}}},
      {"securityState", nullptr},
      {"object", "privateKeys"},
  };
}

nlohmann::json KdfJson(const store::Kdf& kdf, bool pascal) {
  const auto opt = [](const std::optional<std::int64_t>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); };
  return {{pascal ? "KdfType" : "kdfType", kdf.type},
          {pascal ? "Iterations" : "iterations", kdf.iterations},
          {pascal ? "Memory" : "memory", opt(kdf.memory)},
          {pascal ? "Parallelism" : "parallelism", opt(kdf.parallelism)}};
}

nlohmann::json UserDecryptionOptionsJson(const store::User& user, const sso::SsoDecryptionOptions* sso) {
  nlohmann::json options = {{"HasMasterPassword", user.password_hash.has_value()}};
  if (user.password_hash.has_value()) {
    options["MasterPasswordUnlock"] = {
        {"Kdf", KdfJson(user.kdf, true)},
        {"MasterKeyEncryptedUserKey", user.user_key},
        {"Salt", Salt(user)},
    };
  }
  if (sso != nullptr && sso->trusted_device) {
    const sso::TrustedDeviceOption& device = *sso->trusted_device;
    nlohmann::json option = {{"HasAdminApproval", device.has_admin_approval},
                             {"HasLoginApprovingDevice", device.has_login_approving_device},
                             {"HasManageResetPasswordPermission", device.has_manage_reset_password_permission},
                             {"IsTdeOffboarding", device.is_tde_offboarding}};
    if (!device.encrypted_private_key.empty() && !device.encrypted_user_key.empty()) {
      option["EncryptedPrivateKey"] = device.encrypted_private_key;
      option["EncryptedUserKey"] = device.encrypted_user_key;
    }
    options["TrustedDeviceOption"] = std::move(option);
  }
  if (sso != nullptr && !sso->key_connector_url.empty()) {
    options["KeyConnectorOption"] = {{"KeyConnectorUrl", sso->key_connector_url}};
  }
  options["Object"] = "userDecryptionOptions";
  return options;
}

nlohmann::json SyncUserDecryptionJson(const store::User& user) {
  nlohmann::json out = nlohmann::json::object();
  if (user.password_hash.has_value()) {
    out["masterPasswordUnlock"] = {{"kdf", KdfJson(user.kdf, false)},
                                   {"masterKeyEncryptedUserKey", user.user_key},
                                   {"salt", Salt(user)},
                                   {"containedKeyId", http::NullIfEmpty(user.user_key_id)}};
  } else {
    out["masterPasswordUnlock"] = nullptr;
  }
  out["webAuthnPrfOptions"] = nullptr;
  out["v2UpgradeToken"] = nullptr;
  out["userKeyId"] = http::NullIfEmpty(user.user_key_id);
  return out;
}

nlohmann::json ProfileJson(const store::User& user, bool two_factor_enabled) {
  return {
      {"id", user.id},
      {"name", http::NullIfEmpty(user.name)},
      {"email", user.email},
      {"emailVerified", user.email_verified},
      {"premium", user.premium},
      {"premiumFromOrganization", false},
      {"masterPasswordHint", http::NullIfEmpty(user.password_hint)},
      {"culture", user.culture},
      {"twoFactorEnabled", two_factor_enabled},
      {"key", http::NullIfEmpty(user.user_key)},
      {"privateKey", http::NullIfEmpty(user.private_key)},
      {"accountKeys", AccountKeysJson(user)},
      {"securityStamp", user.security_stamp},
      {"forcePasswordReset", user.force_password_reset},
      {"usesKeyConnector", user.uses_key_connector},
      {"verifyDevices", true},
      {"avatarColor", http::NullIfEmpty(user.avatar_color)},
      {"creationDate", FormatIsoDate(user.creation_date)},
      {"organizations", nlohmann::json::array()},
      {"providers", nlohmann::json::array()},
      {"providerOrganizations", nlohmann::json::array()},
      {"object", "profile"},
  };
}

}  // namespace keywarden::server
