#include "server/key_management/rotation_apply.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "server/organizations/member_store.h"
#include "server/store/devices.h"
#include "server/vault/vault_store.h"

namespace keywarden::server::key_management {
namespace {

bool SameKdf(const store::Kdf& sent, const store::Kdf& stored) {
  if (sent.type != stored.type || sent.iterations != stored.iterations) return false;
  // PBKDF2 has neither memory nor parallelism; the request parser made sure of that.
  return stored.type == 0 || (sent.memory == stored.memory && sent.parallelism == stored.parallelism);
}

// What the clients derived the master key with: the stored salt, or for accounts that never had
// one, the address.
std::string SaltOf(const store::User& user) { return user.salt.empty() ? user.email : user.salt; }

// Each stored id must be among `listed`, and each listed id among `stored`: both sets of ids.
template <typename Listed>
std::map<std::string, const Listed*> ById(const std::vector<Listed>& listed, std::string Listed::*id) {
  std::map<std::string, const Listed*> out;
  for (const Listed& item : listed) out.emplace(item.*id, &item);
  return out;
}

Status RewrapFolders(sql::Session& session, std::string_view user_id, const UserKeyRotation& rotation,
                     std::set<std::string>& folder_ids, TimeMs now) {
  KW_ASSIGN_OR_RETURN(std::vector<vault::StoredFolder> stored, vault::ListFolders(session, user_id));
  std::map<std::string, const RotatedFolder*> listed = ById(rotation.folders, &RotatedFolder::id);
  for (vault::StoredFolder& folder : stored) {
    const auto found = listed.find(folder.id);
    if (found == listed.end()) return InvalidArgumentError("All existing folders must be included in the rotation.");
    folder.name = found->second->write.name;
    folder.revision_date = now;
    KW_RETURN_IF_ERROR(vault::UpdateFolder(session, user_id, folder).status());
    folder_ids.insert(folder.id);
    listed.erase(found);
  }
  if (!listed.empty()) return InvalidArgumentError("A folder in the rotation is not one of your folders.");
  return OkStatus();
}

Status RewrapCiphers(sql::Session& session, std::string_view user_id, const UserKeyRotation& rotation,
                     const std::set<std::string>& folder_ids, TimeMs now) {
  KW_ASSIGN_OR_RETURN(std::vector<vault::StoredCipher> stored, vault::ListCiphers(session, user_id));
  std::map<std::string, const RotatedCipher*> listed = ById(rotation.ciphers, &RotatedCipher::id);
  for (vault::StoredCipher& cipher : stored) {
    const auto found = listed.find(cipher.id);
    if (found == listed.end()) return InvalidArgumentError("All existing ciphers must be included in the rotation.");
    const vault::CipherWrite& write = found->second->write;
    // The same rules as an edit of the item (vault_routes.cc): still personal, encrypted for this
    // account, in one of its folders.
    if (write.organization_id.has_value()) {
      return InvalidArgumentError("Organization mismatch. Re-sync if you recently moved this item, then try again.");
    }
    if (write.encrypted_for.has_value() && *write.encrypted_for != user_id) {
      return InvalidArgumentError("Cipher was not encrypted for the current user. Please try again.");
    }
    if (write.folder_id.has_value() && folder_ids.count(*write.folder_id) == 0) {
      return InvalidArgumentError("FolderId is not one of your folders.");
    }
    cipher.type = write.type;
    cipher.data = write.data;
    cipher.folder_id = write.folder_id;
    cipher.favorite = write.favorite;
    cipher.reprompt = write.reprompt;
    cipher.revision_date = now;
    KW_RETURN_IF_ERROR(vault::UpdateCipher(session, user_id, cipher).status());
    listed.erase(found);
  }
  if (!listed.empty()) return InvalidArgumentError("A cipher in the rotation is not one of your personal items.");
  return OkStatus();
}

Status RewrapDevices(sql::Session& session, std::string_view user_id, const UserKeyRotation& rotation, TimeMs now) {
  KW_ASSIGN_OR_RETURN(std::vector<store::Device> stored, store::ListDevices(session, user_id));
  std::map<std::string, const RotatedDeviceKeys*> listed = ById(rotation.devices, &RotatedDeviceKeys::device_id);
  for (const store::Device& device : stored) {
    const auto found = listed.find(device.id);
    if (!device.keys.trusted()) {
      // Listing an untrusted device of the account is harmless (the reference skips it); it
      // stays untrusted, since its private key is not in the body.
      if (found != listed.end()) listed.erase(found);
      continue;
    }
    if (found == listed.end()) {
      return InvalidArgumentError("All existing trusted devices must be included in the rotation.");
    }
    store::DeviceKeys keys = device.keys;
    keys.encrypted_public_key = found->second->encrypted_public_key;
    keys.encrypted_user_key = found->second->encrypted_user_key;
    KW_RETURN_IF_ERROR(store::SetDeviceKeys(session, user_id, device.id, keys, now));
    listed.erase(found);
  }
  if (!listed.empty()) return InvalidArgumentError("A device in the rotation is not one of your devices.");
  return OkStatus();
}

Status RewrapRecoveryKeys(sql::Session& session, std::string_view user_id, const UserKeyRotation& rotation,
                          TimeMs now) {
  KW_ASSIGN_OR_RETURN(std::vector<organizations::Member> memberships,
                      organizations::ListMembershipsOf(session, user_id));
  std::map<std::string, const RotatedRecoveryKey*> listed =
      ById(rotation.recovery_keys, &RotatedRecoveryKey::organization_id);
  for (organizations::Member& member : memberships) {
    const auto found = listed.find(member.organization_id);
    if (member.reset_password_key.empty()) {
      // Not enrolled: nothing to re-encapsulate, and an enrolment is made by its own route.
      if (found != listed.end()) listed.erase(found);
      continue;
    }
    if (found == listed.end()) {
      return InvalidArgumentError("All existing account recovery keys must be included in the rotation.");
    }
    if (found->second->reset_password_key.empty()) {
      return InvalidArgumentError("Account recovery keys cannot be null or empty during rotation.");
    }
    member.reset_password_key = found->second->reset_password_key;
    member.revision_date = now;
    KW_RETURN_IF_ERROR(organizations::UpdateMember(session, member));
    listed.erase(found);
  }
  if (!listed.empty()) {
    return InvalidArgumentError("An organization in the rotation is not one you are a member of.");
  }
  return OkStatus();
}

}  // namespace

Status CheckRotationFitsAccount(const store::User& user, const UserKeyRotation& rotation) {
  const bool has_password = user.password_hash.has_value();
  const bool has_key = !user.user_key.empty();
  switch (rotation.unlock_method) {
    case UnlockMethod::kMasterPassword:
      if (!has_password || !has_key) {
        return InvalidArgumentError("User is in an invalid state for master password key rotation.");
      }
      break;
    case UnlockMethod::kTrustedDevices:
      if (has_password || has_key || user.uses_key_connector) {
        return InvalidArgumentError("User is in an invalid state for TDE key rotation.");
      }
      break;
    case UnlockMethod::kKeyConnector:
      if (has_password || !has_key || !user.uses_key_connector) {
        return InvalidArgumentError("User is in an invalid state for key connector key rotation.");
      }
      break;
  }
  if (rotation.master_password.has_value()) {
    const MasterPasswordUnlock& password = *rotation.master_password;
    const bool fits = SameKdf(password.kdf, user.kdf) && password.salt == SaltOf(user);
    // The reference's messages: one for the password change body (where it answers 500), the
    // KDF's or the salt's for rotate-user-keys.
    if (password.new_password_hash.has_value() && !fits) {
      return InvalidArgumentError("The provided master password unlock data is not valid for this user.");
    }
    if (password.salt != SaltOf(user)) return InvalidArgumentError("Invalid master password salt.");
    if (!SameKdf(password.kdf, user.kdf)) return InvalidArgumentError("Invalid KDF settings.");
  }
  if (user.public_key.empty() || rotation.public_key != user.public_key) {
    return InvalidArgumentError(
        "The provided account public key does not match the user's current public key, and changing the account "
        "asymmetric key pair is currently not supported during key rotation.");
  }
  return OkStatus();
}

void ApplyRotationToAccount(const UserKeyRotation& rotation, const std::string& new_password_hash, store::User& user) {
  user.private_key = rotation.wrapped_private_key;
  user.user_key_id.clear();
  switch (rotation.unlock_method) {
    case UnlockMethod::kMasterPassword:
      user.user_key = rotation.master_password->wrapped_user_key;
      if (rotation.master_password->new_password_hash.has_value()) {
        user.password_hash = new_password_hash;
        // The hint goes with the password it recalls: none sent, none kept (as the reference).
        user.password_hint = rotation.master_password->hint.value_or("");
      }
      break;
    case UnlockMethod::kKeyConnector: user.user_key = rotation.key_connector_wrapped_user_key; break;
    case UnlockMethod::kTrustedDevices: break;  // no wrapped user key: the devices hold it
  }
  if (user.salt.empty()) user.salt = user.email;
}

Status RewrapStoredData(sql::Session& session, std::string_view user_id, const UserKeyRotation& rotation, TimeMs now) {
  std::set<std::string> folder_ids;
  KW_RETURN_IF_ERROR(RewrapFolders(session, user_id, rotation, folder_ids, now));
  KW_RETURN_IF_ERROR(RewrapCiphers(session, user_id, rotation, folder_ids, now));
  KW_RETURN_IF_ERROR(RewrapDevices(session, user_id, rotation, now));
  return RewrapRecoveryKeys(session, user_id, rotation, now);
}

}  // namespace keywarden::server::key_management
