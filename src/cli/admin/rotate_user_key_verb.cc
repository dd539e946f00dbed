// admin rotate-user-key: a user-key rotation done here (member-decryption.md 6), what the web
// vault's "rotate account encryption key" does, for an account on any unlock method:
//   1. the current user key, as the account unlocks:
//      - master password: from the password (credentials.h);
//      - Key Connector (the sync's profile.usesKeyConnector): the master key from the managing
//        organisation's connector (key_connector_key.h; --key-connector-url when the server
//        lists no organisation naming it) opens profile.key;
//      - trusted devices (no master password, no Key Connector: profile.key is null): with
//        --with-device, an auth request that one of the member's trusted devices approves
//        (device_approval.h; the fingerprint phrase is printed on standard error to compare,
//        --approval-timeout bounds the wait). Such a member logs in with their personal API key
//        (keywarden admin login --api-key), which is also the only login the server lets a member
//        of an organisation that requires single sign-on use outside it; the login registers
//        this command line as a device of theirs, which the server requires of a requester. The
//        authRequest password grant is not used: it is a password grant, refused under that
//        policy, and the session needs only the key, not another login;
//      the key must open the account's private key, or nothing is sent;
//   2. the sync's personal ciphers and folders; GET /api/accounts/key-management/key-rotation-data:
//      the organisations it is enrolled with for account recovery (their public keys) and its
//      trusted devices;
//   3. a new user key; libkeywarden's RotateUserKey re-wraps the private key, each trusted device
//      (its public key opens under the old key first: keys/trusted_device.h), a fresh enrolment
//      for each organisation and, for a password or a Key Connector, the user key under the same
//      master key (the connector's key does not change, so nothing is written to it);
//      vault_rewrap.h re-encrypts the personal ciphers and folders;
//   4. master password: POST /api/accounts/key-management/rotate-user-account-keys with the
//      password unchanged; the others: POST .../rotate-user-keys with unlock method 2 (Key
//      Connector, with the re-wrapped user key) or 0 (trusted devices, no wrapped key at all).
// The server applies it all or nothing and ends every session (keywarden admin login again; bw
// login). The report says what was re-wrapped, never a key.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/admin/admin_verbs.h"
#include "cli/admin/credentials.h"
#include "cli/admin/device_approval.h"
#include "cli/admin/key_connector_key.h"
#include "cli/admin/server_api.h"
#include "cli/admin/vault_rewrap.h"
#include "http/json.h"
#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/kdf.h"
#include "keywarden/keys/account.h"
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

struct RotateOptions {
  std::string key_connector_url;  // when the server lists no organisation that names one
  bool with_device = false;
  int approval_timeout_seconds = 900;
};

enum class UnlockMethod { kMasterPassword, kKeyConnector, kTrustedDevices };

// How the account unlocks, from its sync's profile: the server's own rule for which rotation
// it accepts (rotation_apply.h).
UnlockMethod UnlockMethodOf(const nlohmann::json& profile) {
  const nlohmann::json* connector = http::FindField(profile, "usesKeyConnector");
  if (connector != nullptr && connector->is_boolean() && connector->get<bool>()) return UnlockMethod::kKeyConnector;
  if (Text(profile, "key").empty()) return UnlockMethod::kTrustedDevices;
  return UnlockMethod::kMasterPassword;
}

// The account's keys, opened without a master password.
struct OpenedAccount {
  SymmetricKey user_key;
  RsaPrivateKey private_key;
  std::optional<MasterKey> key_connector_key;  // Key Connector only
  std::string how;                             // for the report
};

Result<RsaPrivateKey> OpenPrivateKey(const SymmetricKey& user_key, const nlohmann::json& profile) {
  KW_ASSIGN_OR_RETURN(EncString encrypted, EncString::Parse(Text(profile, "privateKey")));
  auto opened = DecryptPrivateKey(user_key, encrypted);
  if (!opened.ok() &&
      (opened.status().code() == ErrorCode::kWrongKey || opened.status().code() == ErrorCode::kAuthenticationFailed)) {
    return AuthenticationError("the key received is not this account's user key; nothing changed");
  }
  return opened;
}

// The managing organisation's connector: from the sync (confirmed memberships), else from the
// caller's organisation list (accepted ones too), else --key-connector-url.
Result<std::string> KeyConnectorUrl(AdminClient& client, const nlohmann::json& profile, const RotateOptions& options) {
  if (!options.key_connector_url.empty()) return NormalizeServerUrl(options.key_connector_url);
  auto from_sync = KeyConnectorUrlOf(List(profile, "organizations"));
  if (from_sync.status().code() != ErrorCode::kNotFound) return from_sync;
  KW_ASSIGN_OR_RETURN(nlohmann::json mine, client.Get("/api/organizations"));
  auto listed = KeyConnectorUrlOf(List(mine, "data"));
  if (listed.status().code() == ErrorCode::kNotFound) {
    return NotFoundError(listed.status().message() + ": give --key-connector-url");
  }
  return listed;
}

Result<OpenedAccount> OpenWithKeyConnector(AdminClient& client, const nlohmann::json& profile,
                                           const RotateOptions& options) {
  KW_ASSIGN_OR_RETURN(std::string url, KeyConnectorUrl(client, profile, options));
  KW_ASSIGN_OR_RETURN(MasterKey master_key, FetchKeyConnectorKey(url, client.session()));
  KW_ASSIGN_OR_RETURN(EncString wrapped, EncString::Parse(Text(profile, "key")));
  auto user_key = UnlockWithKeyConnector(master_key, wrapped);
  if (!user_key.ok()) {
    return AuthenticationError("the Key Connector's key does not open this account's user key; nothing changed");
  }
  KW_ASSIGN_OR_RETURN(RsaPrivateKey private_key, OpenPrivateKey(*user_key, profile));
  return OpenedAccount{*std::move(user_key), std::move(private_key), std::move(master_key),
                       "Key Connector at " + url + " (its key unchanged)"};
}

void ShowFingerprint(const std::string& fingerprint, const std::string& request_id, int timeout_seconds) {
  const std::string text = "Fingerprint phrase: " + fingerprint + " (request " + request_id +
                           "): approve it on one of your trusted devices if it shows the same phrase; waiting up to " +
                           std::to_string(timeout_seconds) + " s\n";
  std::fputs(text.c_str(), stderr);
  std::fflush(stderr);
}

Result<OpenedAccount> OpenWithDevice(AdminClient& client, const nlohmann::json& profile, const RotateOptions& options) {
  DeviceApprovalOptions approval;
  approval.deadline = std::chrono::seconds(options.approval_timeout_seconds);
  std::string request;
  approval.show = [&](const std::string& fingerprint, const std::string& id) {
    request = id;
    ShowFingerprint(fingerprint, id, options.approval_timeout_seconds);
  };
  auto user_key = RequestDeviceApproval(client, approval);
  if (!user_key.ok()) {
    if (user_key.status().code() == ErrorCode::kWrongKey ||
        user_key.status().code() == ErrorCode::kAuthenticationFailed) {
      return AuthenticationError("the approval does not open with this request's key; nothing changed");
    }
    return user_key.status();
  }
  KW_ASSIGN_OR_RETURN(RsaPrivateKey private_key, OpenPrivateKey(*user_key, profile));
  return OpenedAccount{*std::move(user_key), std::move(private_key), std::nullopt,
                       "approved by a trusted device (auth request " + request + ")"};
}

// A Key Connector or trusted-devices account's keys, checked against the flag that asks for a
// device's approval (which waits for a person, so it is never started unasked).
Result<OpenedAccount> OpenWithoutPassword(AdminClient& client, const nlohmann::json& profile, UnlockMethod method,
                                          const RotateOptions& options) {
  if (method == UnlockMethod::kKeyConnector) {
    if (options.with_device) {
      return InvalidArgumentError("--with-device is for trusted-devices accounts; this one unlocks with Key Connector");
    }
    return OpenWithKeyConnector(client, profile, options);
  }
  if (!options.with_device) {
    return InvalidArgumentError(
        "this account has no master password and no Key Connector: give --with-device, then approve the request "
        "on one of your trusted devices");
  }
  return OpenWithDevice(client, profile, options);
}

// Everything the rotation re-encrypts, under the new key, as the request bodies list it.
struct RotatedData {
  RotationResult keys;
  nlohmann::json ciphers = nlohmann::json::array();
  nlohmann::json folders = nlohmann::json::array();
  nlohmann::json devices = nlohmann::json::array();
  nlohmann::json enrolments = nlohmann::json::array();
  std::size_t values = 0;
};

Result<RotatedData> RotateData(AdminClient& client, const nlohmann::json& sync, const nlohmann::json& profile,
                               const SymmetricKey& old_user_key, const SymmetricKey& new_user_key,
                               const MasterKey* master_key) {
  KW_ASSIGN_OR_RETURN(nlohmann::json data, client.Get("/api/accounts/key-management/key-rotation-data"));
  KW_ASSIGN_OR_RETURN(RotationInput input, ReadRotationInput(data, profile));
  input.master_key = master_key;
  KW_ASSIGN_OR_RETURN(RotationResult rotated_keys, RotateUserKey(old_user_key, new_user_key, input));
  RotatedData out{std::move(rotated_keys)};

  const RewrapKeys keys{old_user_key, new_user_key};
  for (const nlohmann::json& cipher : List(sync, "ciphers")) {
    const nlohmann::json* organization = http::FindField(cipher, "organizationId");
    if (organization != nullptr && !organization->is_null()) continue;  // the organisation's key, not ours
    KW_ASSIGN_OR_RETURN(nlohmann::json rewrapped, RewrapCipher(cipher, keys, &out.values));
    out.ciphers.push_back(std::move(rewrapped));
  }
  for (const nlohmann::json& folder : List(sync, "folders")) {
    KW_ASSIGN_OR_RETURN(nlohmann::json rewrapped, RewrapFolder(folder, keys, &out.values));
    out.folders.push_back(std::move(rewrapped));
  }
  for (const TrustedDeviceEntry& device : out.keys.devices) {
    out.devices.push_back({{"deviceId", device.device_id},
                           {"encryptedPublicKey", device.keys.encrypted_public_key.ToString()},
                           {"encryptedUserKey", device.keys.encrypted_user_key.ToString()}});
  }
  for (const RecoveryKeyEntry& enrolment : out.keys.reset_password_keys) {
    out.enrolments.push_back(
        {{"organizationId", enrolment.organization_id}, {"resetPasswordKey", enrolment.reset_password_key.ToString()}});
  }
  return out;
}

// rotate-user-account-keys, the password kept.
Status SendPasswordRotation(AdminClient& client, const UnlockedAccount& account, const RotatedData& rotated) {
  const Session& session = client.session();
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
          {"masterKeyEncryptedUserKey", rotated.keys.encrypted_user_key->ToString()},
          {"masterPasswordHint", nullptr}}},
        {"emergencyAccessUnlockData", nlohmann::json::array()},
        {"organizationAccountRecoveryUnlockData", rotated.enrolments},
        {"passkeyUnlockData", nlohmann::json::array()},
        {"deviceKeyUnlockData", rotated.devices}}},
      {"accountKeys",
       {{"userKeyEncryptedAccountPrivateKey", rotated.keys.encrypted_private_key.ToString()},
        {"accountPublicKey", account.private_key.PublicKey().ToBase64()}}},
      {"accountData",
       {{"ciphers", rotated.ciphers}, {"folders", rotated.folders}, {"sends", nlohmann::json::array()}}}};
  const Status sent = client.Post("/api/accounts/key-management/rotate-user-account-keys", body).status();
  WipeString(body["oldMasterKeyAuthenticationHash"].get_ref<std::string&>());
  WipeString(
      body["accountUnlockData"]["masterPasswordUnlockData"]["masterKeyAuthenticationHash"].get_ref<std::string&>());
  return sent;
}

// rotate-user-keys for a Key Connector (method 2, the user key under the connector's unchanged
// key) or a trusted-devices account (method 0, no wrapped user key: the devices and the recovery
// enrolments hold it).
Status SendUnlockMethodRotation(AdminClient& client, const OpenedAccount& account, const RotatedData& rotated) {
  const bool key_connector = account.key_connector_key.has_value();
  nlohmann::json method = {{"unlockMethod", key_connector ? 2 : 0},
                           {"masterPasswordUnlockData", nullptr},
                           {"keyConnectorKeyWrappedUserKey", nullptr}};
  if (key_connector) method["keyConnectorKeyWrappedUserKey"] = rotated.keys.encrypted_user_key->ToString();
  const nlohmann::json body = {
      {"wrappedAccountCryptographicState",
       {{"publicKeyEncryptionKeyPair",
         {{"wrappedPrivateKey", rotated.keys.encrypted_private_key.ToString()},
          {"publicKey", account.private_key.PublicKey().ToBase64()}}}}},
      {"unlockData",
       {{"emergencyAccessUnlockData", nlohmann::json::array()},
        {"organizationAccountRecoveryUnlockData", rotated.enrolments},
        {"passkeyUnlockData", nlohmann::json::array()},
        {"deviceKeyUnlockData", rotated.devices}}},
      {"accountData", {{"ciphers", rotated.ciphers}, {"folders", rotated.folders}, {"sends", nlohmann::json::array()}}},
      {"unlockMethodData", method}};
  return client.Post("/api/accounts/key-management/rotate-user-keys", body).status();
}

Report RotationReport(const std::string& email, const std::string& how, const RotatedData& rotated) {
  Report report;
  report.json = {{"account", email},
                 {"user_key", "rotated"},
                 {"unlock", how},
                 {"ciphers", rotated.ciphers.size()},
                 {"folders", rotated.folders.size()},
                 {"values_reencrypted", rotated.values},
                 {"trusted_devices", rotated.devices.size()},
                 {"account_recovery_enrolments", rotated.enrolments.size()},
                 {"rewrapped", rotated.keys.rewrapped},
                 {"sessions", "ended: log in again (keywarden admin login, bw login)"}};
  return report;
}

Result<Report> RotateUserKeyVerb(const CommonOptions& common, const RotateOptions& options) {
  if (options.approval_timeout_seconds < 1 || options.approval_timeout_seconds > 3600) {
    return InvalidArgumentError("--approval-timeout: 1 to 3600 seconds");
  }
  KW_ASSIGN_OR_RETURN(AdminClient client, AdminClient::Open(common.session_file, common.server));
  KW_ASSIGN_OR_RETURN(nlohmann::json sync, client.Get("/api/sync?excludeDomains=true"));
  const nlohmann::json* profile = http::FindField(sync, "profile");
  if (profile == nullptr || !profile->is_object()) return UnavailableError("the account's sync has no profile");
  const UnlockMethod method = UnlockMethodOf(*profile);
  const std::string email = client.session().email;

  if (method == UnlockMethod::kMasterPassword) {
    if (options.with_device) {
      return InvalidArgumentError(
          "--with-device is for accounts without a master password; this one unlocks with its password");
    }
    KW_ASSIGN_OR_RETURN(UnlockedAccount account, UnlockAccount(client, common.password_file));
    const nlohmann::json* own_profile = http::FindField(account.sync, "profile");
    if (own_profile == nullptr) return UnavailableError("the account's sync has no profile");
    KW_ASSIGN_OR_RETURN(SymmetricKey new_user_key, SymmetricKey::Generate());
    KW_ASSIGN_OR_RETURN(RotatedData rotated, RotateData(client, account.sync, *own_profile, account.user_key,
                                                        new_user_key, &account.master_key));
    KW_RETURN_IF_ERROR(SendPasswordRotation(client, account, rotated));
    return RotationReport(email, "master password (unchanged)", rotated);
  }

  KW_ASSIGN_OR_RETURN(OpenedAccount account, OpenWithoutPassword(client, *profile, method, options));
  KW_ASSIGN_OR_RETURN(SymmetricKey new_user_key, SymmetricKey::Generate());
  const MasterKey* wrapping = account.key_connector_key ? &*account.key_connector_key : nullptr;
  KW_ASSIGN_OR_RETURN(RotatedData rotated,
                      RotateData(client, sync, *profile, account.user_key, new_user_key, wrapping));
  KW_RETURN_IF_ERROR(SendUnlockMethodRotation(client, account, rotated));
  return RotationReport(email, account.how, rotated);
}

}  // namespace

void AddRotateUserKeyVerb(CLI::App& admin, VerbAdder& verbs) {
  auto options = std::make_shared<RotateOptions>();
  CLI::App* verb = verbs.Add(
      admin, "rotate-user-key",
      "Replace your user key and re-encrypt your vault, devices and recovery enrolments (master password, Key "
      "Connector, or --with-device for trusted devices)",
      [options](const CommonOptions& common) { return RotateUserKeyVerb(common, *options); }, NeedsPassword::kYes);
  verb->add_flag("--with-device", options->with_device,
                 "no master password or Key Connector: get the user key from one of your trusted devices' approval");
  verb->add_option("--key-connector-url", options->key_connector_url,
                   "Key Connector accounts: the connector's URL, when the server lists no organisation naming it")
      ->type_name("URL");
  verb->add_option("--approval-timeout", options->approval_timeout_seconds,
                   "with --with-device: seconds to wait for the approval (default 900, the request's lifetime)")
      ->type_name("SECONDS");
}

}  // namespace keywarden::cli::admin
