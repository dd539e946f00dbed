#include "server/devices/device_requests.h"

#include <set>
#include <string_view>
#include <utility>

#include "http/json.h"
#include "server/accounts/account_fields.h"
#include "server/api/field_error.h"
#include "server/api/ids.h"

namespace keywarden::server::devices {
namespace {

using api::FieldErrorStatus;

std::string Path(std::string_view prefix, std::string_view name) {
  return prefix.empty() ? std::string(name) : std::string(prefix) + "." + std::string(name);
}

// The field's value, required: absent and null are the same to the reference's [Required].
Result<const nlohmann::json*> Required(const nlohmann::json& object, std::string_view name, std::string_view path) {
  const nlohmann::json* value = http::FindField(object, name);
  if (value == nullptr || value->is_null()) return FieldErrorStatus(path, "is required.");
  return value;
}

Result<std::string> SymmetricKey(const nlohmann::json& object, std::string_view name, std::string_view prefix) {
  const std::string path = Path(prefix, name);
  KW_ASSIGN_OR_RETURN(const nlohmann::json* value, Required(object, name, path));
  KW_RETURN_IF_ERROR(CheckEncString(*value, path));
  return value->get<std::string>();
}

Result<std::string> EncapsulatedKey(const nlohmann::json& object, std::string_view name, std::string_view prefix) {
  const std::string path = Path(prefix, name);
  KW_ASSIGN_OR_RETURN(const nlohmann::json* value, Required(object, name, path));
  KW_RETURN_IF_ERROR(CheckAsymmetricEncString(*value, path));
  return value->get<std::string>();
}

Result<std::string> Guid(const nlohmann::json& value, std::string_view path) {
  if (!value.is_string()) return FieldErrorStatus(path, "must be a GUID.");
  auto id = api::ParseGuid(value.get<std::string>());
  if (!id) return FieldErrorStatus(path, "must be a GUID.");
  return *std::move(id);
}

Result<RewrappedDeviceKeys> Rewrapped(const nlohmann::json& object, std::string_view prefix, bool with_id) {
  if (!object.is_object()) return FieldErrorStatus(prefix, "must be an object.");
  RewrappedDeviceKeys out;
  if (with_id) {
    const std::string path = Path(prefix, "DeviceId");
    KW_ASSIGN_OR_RETURN(const nlohmann::json* id, Required(object, "deviceId", path));
    KW_ASSIGN_OR_RETURN(out.device_id, Guid(*id, path));
  }
  KW_ASSIGN_OR_RETURN(out.encrypted_public_key, SymmetricKey(object, "EncryptedPublicKey", prefix));
  KW_ASSIGN_OR_RETURN(out.encrypted_user_key, EncapsulatedKey(object, "EncryptedUserKey", prefix));
  return out;
}

}  // namespace

Result<store::DeviceKeys> ParseDeviceKeysRequest(const nlohmann::json& body) {
  store::DeviceKeys keys;
  KW_ASSIGN_OR_RETURN(keys.encrypted_user_key, EncapsulatedKey(body, "EncryptedUserKey", ""));
  KW_ASSIGN_OR_RETURN(keys.encrypted_public_key, SymmetricKey(body, "EncryptedPublicKey", ""));
  KW_ASSIGN_OR_RETURN(keys.encrypted_private_key, SymmetricKey(body, "EncryptedPrivateKey", ""));
  return keys;
}

Result<UpdateTrustRequest> ParseUpdateTrustRequest(const nlohmann::json& body) {
  UpdateTrustRequest out;
  KW_ASSIGN_OR_RETURN(const nlohmann::json* current, Required(body, "currentDevice", "CurrentDevice"));
  KW_ASSIGN_OR_RETURN(out.current_device, Rewrapped(*current, "CurrentDevice", false));
  const nlohmann::json* others = http::FindField(body, "otherDevices");
  if (others == nullptr || others->is_null()) return out;
  if (!others->is_array()) return FieldErrorStatus("OtherDevices", "must be a list.");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < others->size(); ++i) {
    const std::string path = "OtherDevices[" + std::to_string(i) + "]";
    KW_ASSIGN_OR_RETURN(RewrappedDeviceKeys device, Rewrapped((*others)[i], path, true));
    if (!seen.insert(device.device_id).second) return FieldErrorStatus(path + ".DeviceId", "is listed twice.");
    out.other_devices.push_back(std::move(device));
  }
  return out;
}

Result<std::vector<std::string>> ParseUntrustRequest(const nlohmann::json& body) {
  KW_ASSIGN_OR_RETURN(const nlohmann::json* devices, Required(body, "devices", "Devices"));
  if (!devices->is_array()) return FieldErrorStatus("Devices", "must be a list.");
  std::vector<std::string> ids;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < devices->size(); ++i) {
    KW_ASSIGN_OR_RETURN(std::string id, Guid((*devices)[i], "Devices[" + std::to_string(i) + "]"));
    if (seen.insert(id).second) ids.push_back(std::move(id));
  }
  return ids;
}

}  // namespace keywarden::server::devices
