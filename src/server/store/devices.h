// The devices table: each client installation that has logged in, by the identifier it sends.
#ifndef KEYWARDEN_SERVER_STORE_DEVICES_H_
#define KEYWARDEN_SERVER_STORE_DEVICES_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"
#include "keywarden/status.h"
#include "sql/database.h"

namespace keywarden::server::store {

struct Device {
  std::string id;
  std::string user_id;
  std::string identifier;  // the client's own id for itself (the CLI's app id)
  int type = 0;            // Bitwarden's DeviceType (25 Linux CLI, ...)
  std::string name;
  TimeMs creation_date = 0;
  TimeMs revision_date = 0;
};

struct RegisteredDevice {
  Device device;
  bool is_new = false;  // first login from it: worth a notice to the account's owner
};

// Records a login from `device` (matched by user and identifier): adds it with a new id, or
// updates its type and name. `device.id` is used only when it is new.
Result<RegisteredDevice> RegisterDevice(sql::Session& session, const Device& device);

Result<std::vector<Device>> ListDevices(sql::Session& session, std::string_view user_id);

}  // namespace keywarden::server::store

#endif  // KEYWARDEN_SERVER_STORE_DEVICES_H_
