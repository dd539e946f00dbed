// admin rotate-user-key: a user-key rotation done here, for an account that unlocks with its
// master password (docs member-decryption.md 6), what the web vault's "rotate account
// encryption key" does:
//   1. the account's keys from its password (credentials.h) and its sync: personal ciphers and
//      folders; GET /api/accounts/key-management/key-rotation-data: the organisations it is
//      enrolled with for account recovery (their public keys) and its trusted devices;
//   2. a new user key; libkeywarden's RotateUserKey re-wraps the private key, each trusted
//      device (its public key opens under the old key first: keys/trusted_device.h), a fresh
//      enrolment for each organisation and the user key under the same master key;
//      vault_rewrap.h re-encrypts the personal ciphers and folders;
//   3. POST /api/accounts/key-management/rotate-user-account-keys with the password unchanged.
// The server applies it all or nothing and ends every session (keywarden admin login again; bw
// login). The report says what was re-wrapped, never a key.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "cli/admin/admin_verbs.h"
#include "cli/admin/credentials.h"
#include "cli/admin/vault_rewrap.h"
#include "http/json.h"
#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/kdf.h"
#include "keywarden/keys/rotation.h"

namespace keywarden::cli::admin {
namespace {

std::string Text(const nlohmann::json& object, std::string_view name) {
  const nlohmann::json* value = http::FindField(object, name);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

const nlohmann::json& List(const nlohmann::json& object, std::string_view name) {
  static const nlohmann::json kEmpty = nlohmann::json::array();
  const nlohmann::json* value = http::FindField(object, name);
  return value != nullptr && value->is_array() ? *value : kEmpty;
}

// What the rotation must re-wrap besides the vault, from key-rotation-data.
Result<RotationInput> ReadRotationInput(const nlohmann::json& data, const nlohmann::json& profile) {
  KW_ASSIGN_OR_RETURN(EncString private_key, EncString::Parse(Text(profile, "privateKey")));
  RotationInput input{.encrypted_private_key = std::move(private_key),
                      .devices = {},
                      .recovery_enrollments = {},
                      .master_key = nullptr};
  for (const nlohmann::json& device : List(data, "trustedDeviceKeyData")) {
    KW_ASSIGN_OR_RETURN(EncString public_key, EncString::Parse(Text(device, "encryptedPublicKey")));
    KW_ASSIGN_OR_RETURN(AsymmetricEncString user_key, AsymmetricEncString::Parse(Text(device, "encryptedUserKey")));
    // The device's private key stays where it is, under its device key: the server does not
    // list it and the rotation does not send it. The library passes this value through unread.
    EncString kept = public_key;
    input.devices.push_back({.device_id = Text(device, "id"),
                             .keys = {.encrypted_user_key = std::move(user_key),
                                      .encrypted_public_key = std::move(public_key),
                                      .encrypted_private_key = std::move(kept)}});
  }
  for (const nlohmann::json& organization : List(data, "organizationPasswordResetKeyData")) {
    KW_ASSIGN_OR_RETURN(RsaPublicKey key, RsaPublicKey::FromBase64(Text(organization, "organizationPublicKey")));
    input.recovery_enrollments.push_back(
        {.organization_id = Text(organization, "organizationId"), .org_public_key = std::move(key)});
  }
  return input;
}

Result<Report> RotateUserKeyVerb(const CommonOptions& common) {
  KW_ASSIGN_OR_RETURN(AdminClient client, AdminClient::Open(common.session_file, common.server));
  const Session& session = client.session();
  KW_ASSIGN_OR_RETURN(UnlockedAccount account, UnlockAccount(client, common.password_file));
  KW_ASSIGN_OR_RETURN(nlohmann::json data, client.Get("/api/accounts/key-management/key-rotation-data"));
  const nlohmann::json* profile = http::FindField(account.sync, "profile");
  if (profile == nullptr) return UnavailableError("the account's sync has no profile");

  KW_ASSIGN_OR_RETURN(RotationInput input, ReadRotationInput(data, *profile));
  input.master_key = &account.master_key;
  KW_ASSIGN_OR_RETURN(SymmetricKey new_user_key, SymmetricKey::Generate());
  KW_ASSIGN_OR_RETURN(RotationResult rotated, RotateUserKey(account.user_key, new_user_key, input));

  const RewrapKeys keys{account.user_key, new_user_key};
  std::size_t values = 0;
  nlohmann::json ciphers = nlohmann::json::array();
  for (const nlohmann::json& cipher : List(account.sync, "ciphers")) {
    const nlohmann::json* organization = http::FindField(cipher, "organizationId");
    if (organization != nullptr && !organization->is_null()) continue;  // the organisation's key, not ours
    KW_ASSIGN_OR_RETURN(nlohmann::json rewrapped, RewrapCipher(cipher, keys, &values));
    ciphers.push_back(std::move(rewrapped));
  }
  nlohmann::json folders = nlohmann::json::array();
  for (const nlohmann::json& folder : List(account.sync, "folders")) {
    KW_ASSIGN_OR_RETURN(nlohmann::json rewrapped, RewrapFolder(folder, keys, &values));
    folders.push_back(std::move(rewrapped));
  }
  nlohmann::json devices = nlohmann::json::array();
  for (const TrustedDeviceEntry& device : rotated.devices) {
    devices.push_back({{"deviceId", device.device_id},
                       {"encryptedPublicKey", device.keys.encrypted_public_key.ToString()},
                       {"encryptedUserKey", device.keys.encrypted_user_key.ToString()}});
  }
  nlohmann::json enrolments = nlohmann::json::array();
  for (const RecoveryKeyEntry& enrolment : rotated.reset_password_keys) {
    enrolments.push_back(
        {{"organizationId", enrolment.organization_id}, {"resetPasswordKey", enrolment.reset_password_key.ToString()}});
  }
  const KdfConfig& kdf = *session.kdf;
  const bool pbkdf2 = kdf.type() == KdfConfig::Type::kPbkdf2Sha256;
  const std::string salt = session.salt.empty() ? NormalizeEmail(session.email) : session.salt;
  const std::string hash(account.password_hash.view());
  nlohmann::json body = {
      {"oldMasterKeyAuthenticationHash", hash},
      {"accountUnlockData",
       {{"masterPasswordUnlockData",
         {{"kdfType", pbkdf2 ? 0 : 1},
          {"kdfIterations", kdf.iterations()},
          {"kdfMemory", pbkdf2 ? nlohmann::json() : nlohmann::json(kdf.memory_mib())},
          {"kdfParallelism", pbkdf2 ? nlohmann::json() : nlohmann::json(kdf.parallelism())},
          {"email", session.email},
          {"masterPasswordSalt", salt},
          {"masterKeyAuthenticationHash", hash},
          {"masterKeyEncryptedUserKey", rotated.encrypted_user_key->ToString()},
          {"masterPasswordHint", nullptr}}},
        {"emergencyAccessUnlockData", nlohmann::json::array()},
        {"organizationAccountRecoveryUnlockData", enrolments},
        {"passkeyUnlockData", nlohmann::json::array()},
        {"deviceKeyUnlockData", devices}}},
      {"accountKeys",
       {{"userKeyEncryptedAccountPrivateKey", rotated.encrypted_private_key.ToString()},
        {"accountPublicKey", account.private_key.PublicKey().ToBase64()}}},
      {"accountData", {{"ciphers", ciphers}, {"folders", folders}, {"sends", nlohmann::json::array()}}}};
  const Status sent = client.Post("/api/accounts/key-management/rotate-user-account-keys", body).status();
  WipeString(body["oldMasterKeyAuthenticationHash"].get_ref<std::string&>());
  WipeString(
      body["accountUnlockData"]["masterPasswordUnlockData"]["masterKeyAuthenticationHash"].get_ref<std::string&>());
  KW_RETURN_IF_ERROR(sent);

  Report report;
  report.json = {{"account", session.email},
                 {"user_key", "rotated"},
                 {"ciphers", ciphers.size()},
                 {"folders", folders.size()},
                 {"values_reencrypted", values},
                 {"trusted_devices", devices.size()},
                 {"account_recovery_enrolments", enrolments.size()},
                 {"rewrapped", rotated.rewrapped},
                 {"sessions", "ended: log in again (keywarden admin login, bw login)"}};
  return report;
}

}  // namespace

void AddRotateUserKeyVerb(CLI::App& admin, VerbAdder& verbs) {
  verbs.Add(
      admin, "rotate-user-key",
      "Replace your user key and re-encrypt your vault, devices and recovery enrolments (needs your master password)",
      [](const CommonOptions& common) { return RotateUserKeyVerb(common); }, NeedsPassword::kYes);
}

}  // namespace keywarden::cli::admin
