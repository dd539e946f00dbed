// The devices table: each client installation that has logged in, by the identifier it sends,
// with the keys it keeps on the server once its user trusts it (member-decryption.md 1.2).
//
// A device is trusted when its three keys are set (the reference's IsTrusted); untrusting clears
// them. Removing a device (deactivating it) clears them too and marks it inactive: it leaves the
// device list, but stays a known device, as in the reference.
#ifndef KEYWARDEN_SERVER_STORE_DEVICES_H_
#define KEYWARDEN_SERVER_STORE_DEVICES_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"
#include "keywarden/status.h"
#include "sql/database.h"

namespace keywarden::server::store {

// A trusted device's keys, as the client sent them (EncStrings; empty: none).
struct DeviceKeys {
  std::string encrypted_user_key;     // the user key encapsulated to the device's public key
  std::string encrypted_public_key;   // the device's public key wrapped by the user key
  std::string encrypted_private_key;  // the device's private key wrapped by its device key

  bool trusted() const {
    return !encrypted_user_key.empty() && !encrypted_public_key.empty() && !encrypted_private_key.empty();
  }
};

struct Device {
  std::string id;
  std::string user_id;
  std::string identifier;  // the client's own id for itself (the CLI's app id)
  int type = 0;            // Bitwarden's DeviceType (25 Linux CLI, ...)
  std::string name;
  TimeMs creation_date = 0;
  TimeMs revision_date = 0;
  DeviceKeys keys{};  // none until the device is trusted
  bool active = true;
};

struct RegisteredDevice {
  Device device;
  bool is_new = false;  // first login from it: worth a notice to the account's owner
};

// Records a login from `device` (matched by user and identifier): adds it with a new id, or
// updates its type and name. `device.id` is used only when it is new.
Result<RegisteredDevice> RegisterDevice(sql::Session& session, const Device& device);

// Every device of the user, active or not, oldest first.
Result<std::vector<Device>> ListDevices(sql::Session& session, std::string_view user_id);

// The user's device with this identifier, or with this id; nullopt when the user has none
// (another user's device is not found either). Inactive devices are found.
Result<std::optional<Device>> FindDeviceByIdentifier(sql::Session& session, std::string_view user_id,
                                                     std::string_view identifier);
Result<std::optional<Device>> FindDeviceById(sql::Session& session, std::string_view user_id, std::string_view id);

// The keys of the user's device `identifier` when it is trusted (all three set), else nullopt:
// what a login from that device hands back so that it unlocks without a password
// (UserDecryptionOptions.TrustedDeviceOption).
Result<std::optional<DeviceKeys>> TrustedDeviceKeys(sql::Session& session, std::string_view user_id,
                                                    std::string_view identifier);

// Whether the user has a device other than `current_identifier` that can approve a login with
// device (UserDecryptionOptions.TrustedDeviceOption.HasLoginApprovingDevice): a mobile, desktop,
// browser extension or web vault client (not a CLI, the SDK or a server), trusted or not, removed
// or not, as the reference counts them (UserDecryptionOptionsBuilder, LoginApprovingClientTypes).
Result<bool> HasLoginApprovingDevice(sql::Session& session, std::string_view user_id,
                                     std::string_view current_identifier);

// Replaces the keys of the user's device `device_id` (empty fields are stored as none).
// kNotFound when the user has no such device.
Status SetDeviceKeys(sql::Session& session, std::string_view user_id, std::string_view device_id,
                     const DeviceKeys& keys, TimeMs now);

// Marks the user's device inactive and clears its keys; an inactive device is left as it is.
// Returns whether it was active. kNotFound when the user has no such device.
Result<bool> DeactivateDevice(sql::Session& session, std::string_view user_id, std::string_view device_id, TimeMs now);

}  // namespace keywarden::server::store

#endif  // KEYWARDEN_SERVER_STORE_DEVICES_H_
