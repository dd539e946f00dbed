#include "server/devices/device_trust_routes.h"

#include <charconv>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "http/json.h"
#include "server/accounts/secret_verification.h"
#include "server/api/error_response.h"
#include "server/api/field_error.h"
#include "server/devices/device_json.h"
#include "server/devices/device_requests.h"
#include "server/store/devices.h"
#include "telemetry/log.h"

namespace keywarden::server::devices {
namespace {

constexpr std::string_view kNoSecret = "MasterPasswordHash, OTP, or AccessCode must be supplied.";
constexpr std::string_view kCurrentListed = "Current device can not be an optional rotation.";

bool HasText(const nlohmann::json& body, std::string_view name) {
  const nlohmann::json* value = http::FindField(body, name);
  return value != nullptr && value->is_string() && !value->get_ref<const std::string&>().empty();
}

std::optional<int> DeviceTypeHeader(const http::HttpRequest& request) {
  const std::string_view text = request.header("Device-Type");
  int type = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), type);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || type < 0) return std::nullopt;
  return type;
}

// The trust change of update-trust, inside its transaction. kNotFound: no current device;
// kInvalidArgument: the current device is listed among the others.
Status UpdateTrust(sql::Session& session, const store::User& user, const std::string& identifier,
                   const UpdateTrustRequest& update, TimeMs now) {
  KW_ASSIGN_OR_RETURN(std::vector<store::Device> devices, store::ListDevices(session, user.id));
  const store::Device* current = nullptr;
  for (const store::Device& device : devices) {
    if (!identifier.empty() && device.identifier == identifier) current = &device;
  }
  if (current == nullptr) return NotFoundError("no such device");
  std::map<std::string, const RewrappedDeviceKeys*> others;
  for (const RewrappedDeviceKeys& other : update.other_devices) others[other.device_id] = &other;
  if (others.count(current->id) != 0) return InvalidArgumentError(std::string(kCurrentListed));

  store::DeviceKeys current_keys = current->keys;
  current_keys.encrypted_public_key = update.current_device.encrypted_public_key;
  current_keys.encrypted_user_key = update.current_device.encrypted_user_key;
  KW_RETURN_IF_ERROR(store::SetDeviceKeys(session, user.id, current->id, current_keys, now));
  for (const store::Device& device : devices) {
    if (&device == current || !device.keys.trusted()) continue;
    store::DeviceKeys keys;  // not listed: untrusted
    if (const auto listed = others.find(device.id); listed != others.end()) {
      keys = device.keys;
      keys.encrypted_public_key = listed->second->encrypted_public_key;
      keys.encrypted_user_key = listed->second->encrypted_user_key;
    }
    KW_RETURN_IF_ERROR(store::SetDeviceKeys(session, user.id, device.id, keys, now));
  }
  return OkStatus();
}

}  // namespace

void AddDeviceTrustRoutes(http::Router& router, AccountRoutesContext& context) {
  AccountRoutesContext* c = &context;
  const api::UserRoutes add(router, context.api);
  const auto add_for_device = [&](std::string method, std::string_view path, api::DeviceUserHandler handler) {
    router.Add(std::move(method), path, api::AuthenticatedDevice(context.api, std::move(handler)),
               http::Execution::kBlocking);
  };

  const auto put_keys = [c](const http::HttpRequest& request, store::User& user) {
    auto body = http::ParseJsonObject(request.body);
    if (!body.ok()) return api::BadRequest(body.status().message());
    auto keys = ParseDeviceKeysRequest(*body);
    if (!keys.ok()) return api::RequestErrorResponse(keys.status());
    const TimeMs now = api::NowMs(c->api.clock);
    std::optional<store::Device> device;
    const Status saved = c->api.database.Transact([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(device, store::FindDeviceByIdentifier(session, user.id, request.path_param("identifier")));
      if (!device) return NotFoundError("no such device");
      KW_RETURN_IF_ERROR(store::SetDeviceKeys(session, user.id, device->id, *keys, now));
      device->keys = *keys;
      device->revision_date = now;
      return OkStatus();
    });
    if (!saved.ok()) return api::FromStatus(saved);
    telemetry::AuditEvent("trust_device", user.id, request.client_address, device->id);
    return http::JsonResponse(200, DeviceJson(*device));
  };
  add("PUT", "/api/devices/{identifier}/keys", put_keys);
  add("POST", "/api/devices/{identifier}/keys", put_keys);

  add("POST", "/api/devices/{identifier}/retrieve-keys", [c](const http::HttpRequest& request, store::User& user) {
    std::optional<store::Device> device;
    const Status read = c->api.database.Read([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(device, store::FindDeviceByIdentifier(session, user.id, request.path_param("identifier")));
      return OkStatus();
    });
    if (!read.ok()) return api::FromStatus(read);
    if (!device) return api::NotFound();
    return http::JsonResponse(200, ProtectedDeviceJson(*device));
  });

  add_for_device("POST", "/api/devices/update-trust",
                 [c](const http::HttpRequest& request, store::User& user, const std::string& identifier) {
                   auto body = http::ParseJsonObject(request.body);
                   if (!body.ok()) return api::BadRequest(body.status().message());
                   auto update = ParseUpdateTrustRequest(*body);
                   if (!update.ok()) return api::RequestErrorResponse(update.status());
                   if (!HasText(*body, "masterPasswordHash") && !HasText(*body, "otp"))
                     return api::BadRequest(kNoSecret);
                   if (auto refused = RefuseUnverified(*c, user, *body)) return *refused;
                   const TimeMs now = api::NowMs(c->api.clock);
                   const Status saved = c->api.database.Transact(
                       [&](sql::Session& session) { return UpdateTrust(session, user, identifier, *update, now); });
                   if (!saved.ok()) return api::FromStatus(saved);
                   telemetry::AuditEvent("update_device_trust", user.id, request.client_address, "ok");
                   return http::HttpResponse{};
                 });

  add("POST", "/api/devices/untrust", [c](const http::HttpRequest& request, store::User& user) {
    auto body = http::ParseJsonObject(request.body);
    if (!body.ok()) return api::BadRequest(body.status().message());
    auto ids = ParseUntrustRequest(*body);
    if (!ids.ok()) return api::RequestErrorResponse(ids.status());
    const TimeMs now = api::NowMs(c->api.clock);
    const Status saved = c->api.database.Transact([&](sql::Session& session) -> Status {
      for (const std::string& id : *ids) {
        KW_RETURN_IF_ERROR(store::SetDeviceKeys(session, user.id, id, store::DeviceKeys{}, now));
      }
      return OkStatus();
    });
    if (!saved.ok()) return api::FromStatus(saved);
    telemetry::AuditEvent("untrust_devices", user.id, request.client_address, std::to_string(ids->size()));
    return http::HttpResponse{};
  });

  add_for_device("POST", "/api/devices/lost-trust",
                 [c](const http::HttpRequest& request, store::User& user, const std::string& identifier) {
                   if (identifier.empty()) return api::BadRequest("Please provide a device identifier");
                   std::optional<int> type = DeviceTypeHeader(request);
                   if (!type) {
                     std::optional<store::Device> device;
                     const Status read = c->api.database.Read([&](sql::Session& session) -> Status {
                       KW_ASSIGN_OR_RETURN(device, store::FindDeviceByIdentifier(session, user.id, identifier));
                       return OkStatus();
                     });
                     if (!read.ok()) return api::FromStatus(read);
                     if (device) type = device->type;
                   }
                   if (!type) return api::BadRequest("Please provide a device type");
                   // The client had a device key but no keys came with its login: worth an operator's look.
                   telemetry::AuditEvent("device_lost_trust", user.id, request.client_address,
                                         "device " + identifier.substr(0, 50) + " of type " + std::to_string(*type) +
                                             " has a device key but received no decryption keys");
                   return http::HttpResponse{};
                 });
}

}  // namespace keywarden::server::devices
