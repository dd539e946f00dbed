#include "server/key_management/rotation_request.h"

#include <cstdint>
#include <set>
#include <string_view>
#include <utility>

#include "http/json.h"
#include "server/accounts/account_fields.h"
#include "server/api/field_error.h"
#include "server/api/ids.h"

namespace keywarden::server::key_management {
namespace {

using api::FieldErrorStatus;

constexpr std::size_t kMaxSaltChars = 256;
constexpr std::size_t kMaxHintChars = 50;

// The member `name`, or nullptr when absent or null.
const nlohmann::json* Field(const nlohmann::json& object, std::string_view name) {
  const nlohmann::json* value = http::FindField(object, name);
  return value == nullptr || value->is_null() ? nullptr : value;
}

Result<const nlohmann::json*> RequiredObject(const nlohmann::json& object, std::string_view name,
                                             const std::string& path) {
  const nlohmann::json* value = Field(object, name);
  if (value == nullptr) return FieldErrorStatus(path, "is required.");
  if (!value->is_object()) return FieldErrorStatus(path, "must be an object.");
  return value;
}

Result<const nlohmann::json*> RequiredList(const nlohmann::json& object, std::string_view name,
                                           const std::string& path) {
  const nlohmann::json* value = Field(object, name);
  if (value == nullptr) return FieldErrorStatus(path, "is required.");
  if (!value->is_array()) return FieldErrorStatus(path, "must be a list.");
  return value;
}

Result<std::string> RequiredGuid(const nlohmann::json& object, std::string_view name, const std::string& path) {
  const nlohmann::json* value = Field(object, name);
  if (value == nullptr) return FieldErrorStatus(path, "is required.");
  std::optional<std::string> guid;
  if (value->is_string()) guid = api::ParseGuid(value->get<std::string>());
  if (!guid) return FieldErrorStatus(path, "must be an id.");
  return *guid;
}

Result<std::string> RequiredText(const nlohmann::json& object, std::string_view name, const std::string& path) {
  const nlohmann::json* value = Field(object, name);
  if (value == nullptr) return FieldErrorStatus(path, "is required.");
  if (!value->is_string()) return FieldErrorStatus(path, "must be a string.");
  return value->get<std::string>();
}

Result<std::string> EncStringField(const nlohmann::json& object, std::string_view name, const std::string& path) {
  const nlohmann::json* value = Field(object, name);
  if (value == nullptr) return FieldErrorStatus(path, "is required.");
  KW_RETURN_IF_ERROR(CheckEncString(*value, path));
  return value->get<std::string>();
}

Result<std::string> EncapsulatedKeyField(const nlohmann::json& object, std::string_view name, const std::string& path) {
  const nlohmann::json* value = Field(object, name);
  if (value == nullptr) return FieldErrorStatus(path, "is required.");
  KW_RETURN_IF_ERROR(CheckAsymmetricEncString(*value, path));
  return value->get<std::string>();
}

// A field error from a nested parser, renamed from the top of the body ("Name" under
// "AccountData.Ciphers[0]"); any other status as it is.
Status Under(const std::string& path, const Status& status) {
  const std::optional<api::FieldError> field = api::AsFieldError(status);
  if (!field) return status;
  const std::string_view predicate = std::string_view(field->message).substr(field->field.size() + 1);
  return FieldErrorStatus(path + "." + field->field, predicate);
}

std::string Indexed(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

// Whole numbers only: the KDF settings are compared with the stored ones, not range-checked, since
// an older account keeps settings below today's minimum.
Result<std::optional<std::int64_t>> OptionalCount(const nlohmann::json& object, std::string_view name,
                                                  const std::string& path) {
  const nlohmann::json* value = Field(object, name);
  if (value == nullptr) return std::optional<std::int64_t>();
  if (!value->is_number_integer()) return FieldErrorStatus(path, "must be a whole number.");
  return std::optional<std::int64_t>(value->get<std::int64_t>());
}

// The reference's rule for the KDF fields' shape: Argon2id needs memory and parallelism, PBKDF2
// must have neither. Names are `prefix` + Iterations/Memory/Parallelism.
Result<store::Kdf> ParseKdfFields(const nlohmann::json& object, std::string_view type_name,
                                  std::string_view iterations_name, std::string_view memory_name,
                                  std::string_view parallelism_name, const std::string& path) {
  store::Kdf kdf;
  KW_ASSIGN_OR_RETURN(std::optional<std::int64_t> type, OptionalCount(object, type_name, path + "KdfType"));
  if (!type || (*type != 0 && *type != 1)) return FieldErrorStatus(path + "KdfType", "must be 0 or 1.");
  kdf.type = static_cast<int>(*type);
  KW_ASSIGN_OR_RETURN(std::optional<std::int64_t> iterations,
                      OptionalCount(object, iterations_name, path + "KdfIterations"));
  if (!iterations) return FieldErrorStatus(path + "KdfIterations", "is required.");
  kdf.iterations = *iterations;
  KW_ASSIGN_OR_RETURN(kdf.memory, OptionalCount(object, memory_name, path + "KdfMemory"));
  KW_ASSIGN_OR_RETURN(kdf.parallelism, OptionalCount(object, parallelism_name, path + "KdfParallelism"));
  if (kdf.type == 0 && (kdf.memory || kdf.parallelism)) {
    return FieldErrorStatus(path + "KdfMemory", "and KdfParallelism must be null for PBKDF2_SHA256");
  }
  if (kdf.type == 1 && (!kdf.memory || !kdf.parallelism)) {
    return FieldErrorStatus(path + "KdfMemory", "and KdfParallelism must have values for Argon2id");
  }
  return kdf;
}

Result<std::vector<RotatedCipher>> ParseCiphers(const nlohmann::json& list, const std::string& path) {
  std::vector<RotatedCipher> out;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string item = Indexed(path, i);
    if (!list[i].is_object()) return FieldErrorStatus(item, "must be an object.");
    RotatedCipher cipher;
    KW_ASSIGN_OR_RETURN(cipher.id, RequiredGuid(list[i], "id", item + ".Id"));
    if (!seen.insert(cipher.id).second) return FieldErrorStatus(item + ".Id", "is listed twice.");
    auto write = vault::ParseCipherRequest(list[i]);
    if (!write.ok()) return Under(item, write.status());
    cipher.write = *std::move(write);
    out.push_back(std::move(cipher));
  }
  return out;
}

Result<std::vector<RotatedFolder>> ParseFolders(const nlohmann::json& list, const std::string& path) {
  std::vector<RotatedFolder> out;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string item = Indexed(path, i);
    if (!list[i].is_object()) return FieldErrorStatus(item, "must be an object.");
    RotatedFolder folder;
    KW_ASSIGN_OR_RETURN(folder.id, RequiredGuid(list[i], "id", item + ".Id"));
    if (!seen.insert(folder.id).second) return FieldErrorStatus(item + ".Id", "is listed twice.");
    auto write = vault::ParseFolderRequest(list[i]);
    if (!write.ok()) return Under(item, write.status());
    folder.write = *std::move(write);
    out.push_back(std::move(folder));
  }
  return out;
}

// accountData{ciphers, folders, sends}. Sends are not stored by this server: the list must be
// there, its entries are ignored.
Status ParseAccountData(const nlohmann::json& body, UserKeyRotation& out) {
  KW_ASSIGN_OR_RETURN(const nlohmann::json* data, RequiredObject(body, "accountData", "AccountData"));
  KW_ASSIGN_OR_RETURN(const nlohmann::json* ciphers, RequiredList(*data, "ciphers", "AccountData.Ciphers"));
  KW_ASSIGN_OR_RETURN(out.ciphers, ParseCiphers(*ciphers, "AccountData.Ciphers"));
  KW_ASSIGN_OR_RETURN(const nlohmann::json* folders, RequiredList(*data, "folders", "AccountData.Folders"));
  KW_ASSIGN_OR_RETURN(out.folders, ParseFolders(*folders, "AccountData.Folders"));
  return RequiredList(*data, "sends", "AccountData.Sends").status();
}

// The unlock lists shared by both bodies, under `path` (AccountUnlockData or UnlockData).
Status ParseUnlockLists(const nlohmann::json& unlock, const std::string& path, UserKeyRotation& out) {
  KW_RETURN_IF_ERROR(RequiredList(unlock, "emergencyAccessUnlockData", path + ".EmergencyAccessUnlockData").status());
  KW_RETURN_IF_ERROR(RequiredList(unlock, "passkeyUnlockData", path + ".PasskeyUnlockData").status());

  const std::string recovery_path = path + ".OrganizationAccountRecoveryUnlockData";
  KW_ASSIGN_OR_RETURN(const nlohmann::json* recovery,
                      RequiredList(unlock, "organizationAccountRecoveryUnlockData", recovery_path));
  std::set<std::string> seen;
  for (std::size_t i = 0; i < recovery->size(); ++i) {
    const std::string item = Indexed(recovery_path, i);
    const nlohmann::json& entry = (*recovery)[i];
    if (!entry.is_object()) return FieldErrorStatus(item, "must be an object.");
    RotatedRecoveryKey key;
    KW_ASSIGN_OR_RETURN(key.organization_id, RequiredGuid(entry, "organizationId", item + ".OrganizationId"));
    if (!seen.insert(key.organization_id).second) {
      return FieldErrorStatus(item + ".OrganizationId", "is listed twice.");
    }
    // Null is the reference's V1 to V2 upgrade form; the apply step refuses it for an enrolment.
    if (Field(entry, "resetPasswordKey") != nullptr) {
      KW_ASSIGN_OR_RETURN(key.reset_password_key,
                          EncapsulatedKeyField(entry, "resetPasswordKey", item + ".ResetPasswordKey"));
    }
    out.recovery_keys.push_back(std::move(key));
  }

  const std::string devices_path = path + ".DeviceKeyUnlockData";
  KW_ASSIGN_OR_RETURN(const nlohmann::json* devices, RequiredList(unlock, "deviceKeyUnlockData", devices_path));
  seen.clear();
  for (std::size_t i = 0; i < devices->size(); ++i) {
    const std::string item = Indexed(devices_path, i);
    const nlohmann::json& entry = (*devices)[i];
    if (!entry.is_object()) return FieldErrorStatus(item, "must be an object.");
    RotatedDeviceKeys keys;
    KW_ASSIGN_OR_RETURN(keys.device_id, RequiredGuid(entry, "deviceId", item + ".DeviceId"));
    if (!seen.insert(keys.device_id).second) return FieldErrorStatus(item + ".DeviceId", "is listed twice.");
    KW_ASSIGN_OR_RETURN(keys.encrypted_public_key,
                        EncStringField(entry, "encryptedPublicKey", item + ".EncryptedPublicKey"));
    KW_ASSIGN_OR_RETURN(keys.encrypted_user_key,
                        EncapsulatedKeyField(entry, "encryptedUserKey", item + ".EncryptedUserKey"));
    out.devices.push_back(std::move(keys));
  }
  return OkStatus();
}

// V2 accounts' parts: this server stores none, so a body that carries one is refused rather
// than having them dropped.
Status RefuseSignatureKeys(const nlohmann::json& keys, const std::string& path) {
  for (const auto& [name, field] :
       {std::pair{"signatureKeyPair", "SignatureKeyPair"}, std::pair{"securityState", "SecurityState"},
        std::pair{"signedPublicKey", "SignedPublicKey"}}) {
    if (Field(keys, name) != nullptr) {
      return FieldErrorStatus(path + "." + field, "is not supported: this server has no signature key pairs.");
    }
  }
  return OkStatus();
}

Result<std::string> PublicKeyField(const nlohmann::json& object, std::string_view name, const std::string& path) {
  const nlohmann::json* value = Field(object, name);
  if (value == nullptr) return FieldErrorStatus(path, "is required.");
  KW_RETURN_IF_ERROR(CheckPublicKey(*value, path));
  return value->get<std::string>();
}

// {wrappedPrivateKey, publicKey, signedPublicKey?} under `path`.
Status ParseKeyPair(const nlohmann::json& pair, const std::string& path, UserKeyRotation& out) {
  KW_RETURN_IF_ERROR(RefuseSignatureKeys(pair, path));
  KW_ASSIGN_OR_RETURN(out.wrapped_private_key, EncStringField(pair, "wrappedPrivateKey", path + ".WrappedPrivateKey"));
  KW_ASSIGN_OR_RETURN(out.public_key, PublicKeyField(pair, "publicKey", path + ".PublicKey"));
  return OkStatus();
}

// accountKeys{userKeyEncryptedAccountPrivateKey, accountPublicKey, publicKeyEncryptionKeyPair?}: the
// pair, when sent, is what the reference stores, and must agree with the older fields.
Status ParseAccountKeys(const nlohmann::json& body, UserKeyRotation& out) {
  KW_ASSIGN_OR_RETURN(const nlohmann::json* keys, RequiredObject(body, "accountKeys", "AccountKeys"));
  KW_RETURN_IF_ERROR(RefuseSignatureKeys(*keys, "AccountKeys"));
  KW_ASSIGN_OR_RETURN(out.wrapped_private_key, EncStringField(*keys, "userKeyEncryptedAccountPrivateKey",
                                                              "AccountKeys.UserKeyEncryptedAccountPrivateKey"));
  KW_ASSIGN_OR_RETURN(out.public_key, PublicKeyField(*keys, "accountPublicKey", "AccountKeys.AccountPublicKey"));
  const nlohmann::json* pair = Field(*keys, "publicKeyEncryptionKeyPair");
  if (pair == nullptr) return OkStatus();
  const std::string path = "AccountKeys.PublicKeyEncryptionKeyPair";
  if (!pair->is_object()) return FieldErrorStatus(path, "must be an object.");
  UserKeyRotation from_pair;
  KW_RETURN_IF_ERROR(ParseKeyPair(*pair, path, from_pair));
  if (from_pair.public_key != out.public_key) return FieldErrorStatus(path + ".PublicKey", "must be AccountPublicKey.");
  out.wrapped_private_key = std::move(from_pair.wrapped_private_key);
  return OkStatus();
}

Result<std::optional<std::string>> OptionalHint(const nlohmann::json& object, const std::string& path) {
  const nlohmann::json* value = Field(object, "masterPasswordHint");
  if (value == nullptr) return std::optional<std::string>();
  if (!value->is_string() || value->get<std::string>().size() > kMaxHintChars) {
    return FieldErrorStatus(path, "must be a string of at most 50 characters.");
  }
  return std::optional<std::string>(value->get<std::string>());
}

Result<std::string> SaltField(const nlohmann::json& object, std::string_view name, const std::string& path) {
  KW_ASSIGN_OR_RETURN(std::string salt, RequiredText(object, name, path));
  if (salt.empty() || salt.size() > kMaxSaltChars) return FieldErrorStatus(path, "must have 1 to 256 characters.");
  return salt;
}

// accountUnlockData.masterPasswordUnlockData of rotate-user-account-keys: the new password.
Result<MasterPasswordUnlock> ParseNewPassword(const nlohmann::json& unlock) {
  const std::string path = "AccountUnlockData.MasterPasswordUnlockData";
  KW_ASSIGN_OR_RETURN(const nlohmann::json* data, RequiredObject(unlock, "masterPasswordUnlockData", path));
  MasterPasswordUnlock out;
  KW_ASSIGN_OR_RETURN(out.kdf,
                      ParseKdfFields(*data, "kdfType", "kdfIterations", "kdfMemory", "kdfParallelism", path + "."));
  KW_ASSIGN_OR_RETURN(std::string email, RequiredText(*data, "email", path + ".Email"));
  if (email.size() > kMaxSaltChars) return FieldErrorStatus(path + ".Email", "must have at most 256 characters.");
  // The reference's salt: masterPasswordSalt when sent, else the address.
  if (Field(*data, "masterPasswordSalt") != nullptr) {
    KW_ASSIGN_OR_RETURN(out.salt, SaltField(*data, "masterPasswordSalt", path + ".MasterPasswordSalt"));
  } else {
    out.salt = std::move(email);
  }
  const nlohmann::json* hash = Field(*data, "masterKeyAuthenticationHash");
  if (hash == nullptr) return FieldErrorStatus(path + ".MasterKeyAuthenticationHash", "is required.");
  KW_ASSIGN_OR_RETURN(out.new_password_hash, ParseMasterPasswordHash(*hash, path + ".MasterKeyAuthenticationHash"));
  KW_ASSIGN_OR_RETURN(out.wrapped_user_key,
                      EncStringField(*data, "masterKeyEncryptedUserKey", path + ".MasterKeyEncryptedUserKey"));
  KW_ASSIGN_OR_RETURN(out.hint, OptionalHint(*data, path + ".MasterPasswordHint"));
  return out;
}

// unlockMethodData.masterPasswordUnlockData of rotate-user-keys: {kdf{kdfType, iterations, memory?,
// parallelism?}, masterKeyWrappedUserKey, salt}.
Result<MasterPasswordUnlock> ParseMasterPasswordUnlock(const nlohmann::json& data, const std::string& path) {
  if (!data.is_object()) return FieldErrorStatus(path, "must be an object.");
  MasterPasswordUnlock out;
  KW_ASSIGN_OR_RETURN(const nlohmann::json* kdf, RequiredObject(data, "kdf", path + ".Kdf"));
  KW_ASSIGN_OR_RETURN(out.kdf, ParseKdfFields(*kdf, "kdfType", "iterations", "memory", "parallelism", path + ".Kdf."));
  KW_ASSIGN_OR_RETURN(out.wrapped_user_key,
                      EncStringField(data, "masterKeyWrappedUserKey", path + ".MasterKeyWrappedUserKey"));
  KW_ASSIGN_OR_RETURN(out.salt, SaltField(data, "salt", path + ".Salt"));
  return out;
}

// unlockMethodData, with the reference's messages for a body that does not fit its method.
Status ParseUnlockMethod(const nlohmann::json& body, UserKeyRotation& out) {
  const std::string path = "UnlockMethodData";
  KW_ASSIGN_OR_RETURN(const nlohmann::json* data, RequiredObject(body, "unlockMethodData", path));
  KW_ASSIGN_OR_RETURN(std::optional<std::int64_t> method, OptionalCount(*data, "unlockMethod", path + ".UnlockMethod"));
  if (!method) return FieldErrorStatus(path + ".UnlockMethod", "is required.");
  const nlohmann::json* password = Field(*data, "masterPasswordUnlockData");
  const nlohmann::json* key_connector = Field(*data, "keyConnectorKeyWrappedUserKey");
  switch (*method) {
    case 1: {
      if (password == nullptr || key_connector != nullptr) {
        return InvalidArgumentError(
            "Invalid MasterPassword unlock method request, MasterPasswordUnlockData must be provided and "
            "KeyConnectorKeyWrappedUserKey must be null");
      }
      out.unlock_method = UnlockMethod::kMasterPassword;
      KW_ASSIGN_OR_RETURN(out.master_password,
                          ParseMasterPasswordUnlock(*password, path + ".MasterPasswordUnlockData"));
      return OkStatus();
    }
    case 0:
      if (password != nullptr || key_connector != nullptr) {
        return InvalidArgumentError(
            "Invalid Tde unlock method request, MasterPasswordUnlockData must be null and "
            "KeyConnectorKeyWrappedUserKey must be null");
      }
      out.unlock_method = UnlockMethod::kTrustedDevices;
      return OkStatus();
    case 2: {
      if (key_connector == nullptr || password != nullptr) {
        return InvalidArgumentError(
            "Invalid KeyConnector unlock method request, KeyConnectorKeyWrappedUserKey must be provided and "
            "MasterPasswordUnlockData must be null");
      }
      out.unlock_method = UnlockMethod::kKeyConnector;
      KW_ASSIGN_OR_RETURN(out.key_connector_wrapped_user_key, EncStringField(*data, "keyConnectorKeyWrappedUserKey",
                                                                             path + ".KeyConnectorKeyWrappedUserKey"));
      return OkStatus();
    }
    default: return InvalidArgumentError("Unrecognized unlock method");
  }
}

}  // namespace

Result<UserKeyRotation> ParsePasswordChangeRotation(const nlohmann::json& body) {
  if (!body.is_object()) return InvalidArgumentError("The request body must be a JSON object.");
  UserKeyRotation out;
  out.unlock_method = UnlockMethod::kMasterPassword;
  const nlohmann::json* old_hash = Field(body, "oldMasterKeyAuthenticationHash");
  if (old_hash == nullptr) return FieldErrorStatus("OldMasterKeyAuthenticationHash", "is required.");
  KW_ASSIGN_OR_RETURN(out.old_password_hash, ParseMasterPasswordHash(*old_hash, "OldMasterKeyAuthenticationHash"));
  KW_ASSIGN_OR_RETURN(const nlohmann::json* unlock, RequiredObject(body, "accountUnlockData", "AccountUnlockData"));
  KW_ASSIGN_OR_RETURN(out.master_password, ParseNewPassword(*unlock));
  KW_RETURN_IF_ERROR(ParseUnlockLists(*unlock, "AccountUnlockData", out));
  KW_RETURN_IF_ERROR(ParseAccountKeys(body, out));
  KW_RETURN_IF_ERROR(ParseAccountData(body, out));
  return out;
}

Result<UserKeyRotation> ParseUserKeyRotation(const nlohmann::json& body) {
  if (!body.is_object()) return InvalidArgumentError("The request body must be a JSON object.");
  UserKeyRotation out;
  const std::string state_path = "WrappedAccountCryptographicState";
  KW_ASSIGN_OR_RETURN(const nlohmann::json* state,
                      RequiredObject(body, "wrappedAccountCryptographicState", state_path));
  KW_RETURN_IF_ERROR(RefuseSignatureKeys(*state, state_path));
  KW_ASSIGN_OR_RETURN(const nlohmann::json* pair,
                      RequiredObject(*state, "publicKeyEncryptionKeyPair", state_path + ".PublicKeyEncryptionKeyPair"));
  KW_RETURN_IF_ERROR(ParseKeyPair(*pair, state_path + ".PublicKeyEncryptionKeyPair", out));
  KW_ASSIGN_OR_RETURN(const nlohmann::json* unlock, RequiredObject(body, "unlockData", "UnlockData"));
  KW_RETURN_IF_ERROR(ParseUnlockLists(*unlock, "UnlockData", out));
  KW_RETURN_IF_ERROR(ParseAccountData(body, out));
  KW_RETURN_IF_ERROR(ParseUnlockMethod(body, out));
  return out;
}

}  // namespace keywarden::server::key_management
