#include "server/store/devices.h"

#include <utility>

namespace keywarden::server::store {
namespace {

constexpr sql::Statement kFind = {"server_find_device",
                                  "SELECT id, type, name, creation_date, revision_date FROM devices "
                                  "WHERE user_id = $1 AND identifier = $2",
                                  nullptr, nullptr, "to find a device"};
// A first login from the device may run at the same moment elsewhere (a client retrying, another
// instance): the one whose insert lands registers it, and the other finds it, rather than failing
// on the unique (user, identifier).
constexpr sql::Statement kInsert = {"server_insert_device",
                                    "INSERT INTO devices(id, user_id, identifier, type, name, creation_date, "
                                    "revision_date) VALUES ($1, $2, $3, $4, $5, $6, $6) "
                                    "ON CONFLICT (user_id, identifier) DO NOTHING",
                                    nullptr, nullptr, "to add a device"};
constexpr sql::Statement kUpdate = {"server_update_device",
                                    "UPDATE devices SET type = $3, name = $4, revision_date = $5 "
                                    "WHERE user_id = $1 AND identifier = $2",
                                    nullptr, nullptr, "to update a device"};
constexpr sql::Statement kList = {
    "server_list_devices",
    "SELECT id, user_id, identifier, type, name, creation_date, revision_date, encrypted_user_key, "
    "encrypted_public_key, encrypted_private_key, active FROM devices WHERE user_id = $1 ORDER BY creation_date",
    nullptr, nullptr, "to list devices"};
constexpr sql::Statement kByIdentifier = {
    "server_device_by_identifier",
    "SELECT id, user_id, identifier, type, name, creation_date, revision_date, encrypted_user_key, "
    "encrypted_public_key, encrypted_private_key, active FROM devices WHERE user_id = $1 AND identifier = $2",
    nullptr, nullptr, "to read a device"};
constexpr sql::Statement kById = {
    "server_device_by_id",
    "SELECT id, user_id, identifier, type, name, creation_date, revision_date, encrypted_user_key, "
    "encrypted_public_key, encrypted_private_key, active FROM devices WHERE user_id = $1 AND id = $2",
    nullptr, nullptr, "to read a device"};
constexpr sql::Statement kSetKeys = {"server_set_device_keys",
                                     "UPDATE devices SET encrypted_user_key = NULLIF($3, ''), encrypted_public_key = "
                                     "NULLIF($4, ''), encrypted_private_key = NULLIF($5, ''), revision_date = $6 "
                                     "WHERE user_id = $1 AND id = $2",
                                     nullptr, nullptr, "to store a device's keys"};
constexpr sql::Statement kDeactivate = {
    "server_deactivate_device",
    "UPDATE devices SET active = 0, encrypted_user_key = NULL, encrypted_public_key "
    "= NULL, encrypted_private_key = NULL, revision_date = $3 "
    "WHERE user_id = $1 AND id = $2 AND active = 1",
    nullptr, nullptr, "to remove a device"};

Result<Device> DeviceAt(const sql::Rows& rows, std::size_t i) {
  Device d;
  d.id = rows.Text(i, 0);
  d.user_id = rows.Text(i, 1);
  d.identifier = rows.Text(i, 2);
  KW_ASSIGN_OR_RETURN(std::int64_t type, rows.Int(i, 3));
  d.type = static_cast<int>(type);
  d.name = rows.Text(i, 4);
  KW_ASSIGN_OR_RETURN(d.creation_date, rows.Int(i, 5));
  KW_ASSIGN_OR_RETURN(d.revision_date, rows.Int(i, 6));
  d.keys.encrypted_user_key = rows.Text(i, 7);
  d.keys.encrypted_public_key = rows.Text(i, 8);
  d.keys.encrypted_private_key = rows.Text(i, 9);
  KW_ASSIGN_OR_RETURN(std::int64_t active, rows.Int(i, 10));
  d.active = active != 0;
  return d;
}

Result<std::optional<Device>> FirstDevice(const sql::Rows& rows) {
  if (rows.empty()) return std::optional<Device>();
  KW_ASSIGN_OR_RETURN(Device device, DeviceAt(rows, 0));
  return std::optional<Device>(std::move(device));
}

}  // namespace

Result<RegisteredDevice> RegisterDevice(sql::Session& session, const Device& device) {
  const sql::Params key = sql::Params().Text(device.user_id).Text(device.identifier);
  KW_ASSIGN_OR_RETURN(sql::Rows found, session.Execute(kFind, key));
  RegisteredDevice out;
  out.device = device;
  if (found.empty()) {
    KW_ASSIGN_OR_RETURN(sql::Rows inserted, session.Execute(kInsert, sql::Params()
                                                                         .Text(device.id)
                                                                         .Text(device.user_id)
                                                                         .Text(device.identifier)
                                                                         .Int(device.type)
                                                                         .Text(device.name)
                                                                         .Int(device.revision_date)));
    if (inserted.affected() == 1) {
      out.device.creation_date = device.revision_date;
      out.is_new = true;
      return out;
    }
    // Registered by a login that committed first (PostgreSQL's read committed sees it now).
    KW_ASSIGN_OR_RETURN(found, session.Execute(kFind, key));
    if (found.empty()) return UnavailableError("a device being registered at the same time vanished; try again");
  }
  out.device.id = found.Text(0, 0);
  KW_ASSIGN_OR_RETURN(out.device.creation_date, found.Int(0, 3));
  KW_RETURN_IF_ERROR(session
                         .Execute(kUpdate, sql::Params()
                                               .Text(device.user_id)
                                               .Text(device.identifier)
                                               .Int(device.type)
                                               .Text(device.name)
                                               .Int(device.revision_date))
                         .status());
  return out;
}

Result<std::vector<Device>> ListDevices(sql::Session& session, std::string_view user_id) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kList, sql::Params().Text(user_id)));
  std::vector<Device> devices;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    KW_ASSIGN_OR_RETURN(Device device, DeviceAt(rows, i));
    devices.push_back(std::move(device));
  }
  return devices;
}

Result<std::optional<Device>> FindDeviceByIdentifier(sql::Session& session, std::string_view user_id,
                                                     std::string_view identifier) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kByIdentifier, sql::Params().Text(user_id).Text(identifier)));
  return FirstDevice(rows);
}

Result<std::optional<Device>> FindDeviceById(sql::Session& session, std::string_view user_id, std::string_view id) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kById, sql::Params().Text(user_id).Text(id)));
  return FirstDevice(rows);
}

Result<std::optional<DeviceKeys>> TrustedDeviceKeys(sql::Session& session, std::string_view user_id,
                                                    std::string_view identifier) {
  KW_ASSIGN_OR_RETURN(std::optional<Device> device, FindDeviceByIdentifier(session, user_id, identifier));
  if (!device || !device->keys.trusted()) return std::optional<DeviceKeys>();
  return std::optional<DeviceKeys>(std::move(device->keys));
}

Result<bool> HasLoginApprovingDevice(sql::Session& session, std::string_view user_id,
                                     std::string_view current_identifier) {
  // DeviceType 0-20 (mobile, desktop, browser extensions, web browsers) and 26 (DuckDuckGo);
  // not 21 SDK, 22 Server, 23-25 CLI, nor numbers the reference does not know.
  const auto approves = [](int type) { return (type >= 0 && type <= 20) || type == 26; };
  KW_ASSIGN_OR_RETURN(std::vector<Device> devices, ListDevices(session, user_id));
  for (const Device& device : devices) {
    if (device.identifier != current_identifier && approves(device.type)) return true;
  }
  return false;
}

Status SetDeviceKeys(sql::Session& session, std::string_view user_id, std::string_view device_id,
                     const DeviceKeys& keys, TimeMs now) {
  KW_ASSIGN_OR_RETURN(sql::Rows updated, session.Execute(kSetKeys, sql::Params()
                                                                       .Text(user_id)
                                                                       .Text(device_id)
                                                                       .Text(keys.encrypted_user_key)
                                                                       .Text(keys.encrypted_public_key)
                                                                       .Text(keys.encrypted_private_key)
                                                                       .Int(now)));
  if (updated.affected() != 1) return NotFoundError("no such device");
  return OkStatus();
}

Result<bool> DeactivateDevice(sql::Session& session, std::string_view user_id, std::string_view device_id, TimeMs now) {
  KW_ASSIGN_OR_RETURN(sql::Rows updated,
                      session.Execute(kDeactivate, sql::Params().Text(user_id).Text(device_id).Int(now)));
  if (updated.affected() == 1) return true;
  KW_ASSIGN_OR_RETURN(std::optional<Device> device, FindDeviceById(session, user_id, device_id));
  if (!device) return NotFoundError("no such device");
  return false;
}

}  // namespace keywarden::server::store
