// The bodies of the trusted-device routes (member-decryption.md 1.3), parsed and checked before
// anything is looked up, as the reference's model binding does.
//
// Field names are matched in any case; errors are api::FieldErrorStatus sentences naming the
// field as the reference spells it ("CurrentDevice.EncryptedUserKey is required."), which
// api::RequestErrorResponse answers as 400 "The model state is invalid.". Beyond the reference,
// which accepts any well-formed EncString in each key field, each key must be of the kind the
// clients make (device-trust.service.implementation.ts):
//   encryptedUserKey     an asymmetric EncString (types 3 to 6: the user key encapsulated to the
//                        device's RSA public key; the clients make type 4)
//   encryptedPublicKey   a symmetric EncString (type 2, or legacy 0: wrapped by the user key)
//   encryptedPrivateKey  a symmetric EncString (wrapped by the device key)
// so that a key in the wrong field is refused when it is stored, not when a login fails to use it.
//
// Thread-safe; no state. Fuzzed by fuzz/device_body_fuzz.cc.
#ifndef KEYWARDEN_SERVER_DEVICES_DEVICE_REQUESTS_H_
#define KEYWARDEN_SERVER_DEVICES_DEVICE_REQUESTS_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "keywarden/status.h"
#include "server/store/devices.h"

namespace keywarden::server::devices {

// PUT /devices/{identifier}/keys: {encryptedUserKey, encryptedPublicKey, encryptedPrivateKey},
// all three required.
Result<store::DeviceKeys> ParseDeviceKeysRequest(const nlohmann::json& body);

// A device's keys re-wrapped by a new user key: its private key is unchanged.
struct RewrappedDeviceKeys {
  std::string device_id;  // canonical GUID; empty for the current device
  std::string encrypted_public_key;
  std::string encrypted_user_key;
};

// POST /devices/update-trust, less its secret (checked by the route):
//   {currentDevice: {encryptedPublicKey, encryptedUserKey}, otherDevices?: [{deviceId, encryptedPublicKey,
//    encryptedUserKey}]}
// currentDevice is required; otherDevices may be absent or null. A device listed twice in
// otherDevices is refused (the reference fails on it with a 500).
struct UpdateTrustRequest {
  RewrappedDeviceKeys current_device;
  std::vector<RewrappedDeviceKeys> other_devices;
};
Result<UpdateTrustRequest> ParseUpdateTrustRequest(const nlohmann::json& body);

// POST /devices/untrust: {devices: [GUID, ...]} (required; may be empty). Canonical ids, each once.
Result<std::vector<std::string>> ParseUntrustRequest(const nlohmann::json& body);

}  // namespace keywarden::server::devices

#endif  // KEYWARDEN_SERVER_DEVICES_DEVICE_REQUESTS_H_
