// Trusted devices (member-decryption.md 1.3, 1.6): the keys that let a device unlock the vault
// without a master password, set by the device, read back at login, re-wrapped when the user key
// changes, and cleared when the user stops trusting a device. No event and no push, as in the
// reference. Bodies: devices/device_requests.h; answers: devices/device_json.h.
//
//   PUT  /api/devices/{identifier}/keys   {encryptedUserKey, encryptedPublicKey, encryptedPrivateKey}
//   POST /api/devices/{identifier}/keys   (the older path) sets the three keys of the caller's device
//        with that identifier: it is trusted. No user verification, as in the reference. Answers the
//        device (DeviceJson). 400 "The model state is invalid." naming the field when a key is
//        missing or not a well-formed EncString of its kind; 404 when the caller has no device
//        with that identifier (another user's device is not found either).
//   POST /api/devices/{identifier}/retrieve-keys  the device's encryptedUserKey and
//        encryptedPublicKey (ProtectedDeviceJson; null when it is not trusted); 404 as above.
//   POST /api/devices/update-trust  {masterPasswordHash | otp, currentDevice: {encryptedPublicKey,
//        encryptedUserKey}, otherDevices?: [{deviceId, encryptedPublicKey, encryptedUserKey}]}
//        after the user key changed (a password change): the current device (the access token's,
//        else the Device-Identifier header) gets the re-wrapped keys and keeps its private key;
//        every other trusted device listed gets its re-wrapped keys, and every trusted device not
//        listed is untrusted; untrusted devices are left alone (listed or not). All or nothing.
//        400 field errors as above; 400 "MasterPasswordHash, OTP, or AccessCode must be supplied."
//        without a secret; 400 "User verification failed." for a wrong one (the secret is checked
//        before anything is looked up); 404 when the current device is not the caller's; 400
//        "Current device can not be an optional rotation." when otherDevices lists it. 200 empty.
//   POST /api/devices/untrust  {devices: [id, ...]}: clears the three keys of each listed device.
//        All or nothing: 404 when any id is not one of the caller's devices (the reference answers
//        401, which logs the clients out), 400 when the body is malformed. 200 empty.
//   POST /api/devices/lost-trust  the client found its device key but got no keys at login
//        (member-decryption.md 1.5): logged, nothing changes. 400 "Please provide a device
//        identifier" without the token's device or a Device-Identifier header; 400 "Please
//        provide a device type" when neither the Device-Type header nor a stored device gives one.
//        200 empty.
#ifndef KEYWARDEN_SERVER_DEVICES_DEVICE_TRUST_ROUTES_H_
#define KEYWARDEN_SERVER_DEVICES_DEVICE_TRUST_ROUTES_H_

#include "http/router.h"
#include "server/accounts/account_routes.h"

namespace keywarden::server::devices {

void AddDeviceTrustRoutes(http::Router& router, AccountRoutesContext& context);

}  // namespace keywarden::server::devices

#endif  // KEYWARDEN_SERVER_DEVICES_DEVICE_TRUST_ROUTES_H_
