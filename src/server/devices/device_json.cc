#include "server/devices/device_json.h"

#include <string>

#include "base/iso_date.h"

namespace keywarden::server::devices {
namespace {

nlohmann::json OrNull(const std::string& text) { return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text); }

}  // namespace

nlohmann::json DeviceJson(const store::Device& device) {
  return {{"id", device.id},
          {"userId", device.user_id},
          {"name", device.name},
          {"type", device.type},
          {"identifier", device.identifier},
          {"creationDate", FormatIsoDate(device.creation_date)},
          {"revisionDate", FormatIsoDate(device.revision_date)},
          {"lastActivityDate", FormatIsoDate(device.revision_date)},
          {"isTrusted", device.keys.trusted()},
          {"encryptedUserKey", OrNull(device.keys.encrypted_user_key)},
          {"encryptedPublicKey", OrNull(device.keys.encrypted_public_key)},
          {"devicePendingAuthRequest", nullptr},
          {"object", "device"}};
}

nlohmann::json ProtectedDeviceJson(const store::Device& device) {
  return {{"id", device.id},
          {"name", device.name},
          {"type", device.type},
          {"identifier", device.identifier},
          {"creationDate", FormatIsoDate(device.creation_date)},
          {"encryptedUserKey", OrNull(device.keys.encrypted_user_key)},
          {"encryptedPublicKey", OrNull(device.keys.encrypted_public_key)},
          {"object", "protectedDevice"}};
}

}  // namespace keywarden::server::devices
