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
constexpr sql::Statement kList = {"server_list_devices",
                                  "SELECT id, identifier, type, name, creation_date, revision_date FROM devices "
                                  "WHERE user_id = $1 ORDER BY creation_date",
                                  nullptr, nullptr, "to list devices"};

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
    Device d;
    d.id = rows.Text(i, 0);
    d.user_id = std::string(user_id);
    d.identifier = rows.Text(i, 1);
    KW_ASSIGN_OR_RETURN(std::int64_t type, rows.Int(i, 2));
    d.type = static_cast<int>(type);
    d.name = rows.Text(i, 3);
    KW_ASSIGN_OR_RETURN(d.creation_date, rows.Int(i, 4));
    KW_ASSIGN_OR_RETURN(d.revision_date, rows.Int(i, 5));
    devices.push_back(std::move(d));
  }
  return devices;
}

}  // namespace keywarden::server::store
