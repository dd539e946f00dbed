// How the API shows a device (member-decryption.md 1.3):
//   DeviceJson           the reference's DeviceResponseModel (object "device"): id, name, type,
//                        identifier, creationDate, lastActivityDate, isTrusted, encryptedUserKey,
//                        encryptedPublicKey, plus userId, revisionDate and
//                        devicePendingAuthRequest, which the clients' DeviceResponse also
//                        reads: null here; the list of devices fills it in
//                        (server/accounts/device_routes.h), as the reference does only there.
//   ProtectedDeviceJson  the /retrieve-keys answer (object "protectedDevice"): id, name, type,
//                        identifier, creationDate, encryptedUserKey, encryptedPublicKey. The
//                        clients read these names in exactly this case.
// The device's private key (wrapped by its device key) is never shown: only a login from the
// device itself gets it back.
#ifndef KEYWARDEN_SERVER_DEVICES_DEVICE_JSON_H_
#define KEYWARDEN_SERVER_DEVICES_DEVICE_JSON_H_

#include <nlohmann/json.hpp>

#include "server/store/devices.h"

namespace keywarden::server::devices {

nlohmann::json DeviceJson(const store::Device& device);
nlohmann::json ProtectedDeviceJson(const store::Device& device);

}  // namespace keywarden::server::devices

#endif  // KEYWARDEN_SERVER_DEVICES_DEVICE_JSON_H_
