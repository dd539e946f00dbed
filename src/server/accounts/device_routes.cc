#include "server/accounts/device_routes.h"

#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "base/iso_date.h"
#include "base/time.h"
#include "jose/base64url.h"
#include "server/accounts/account_fields.h"
#include "server/api/error_response.h"
#include "server/store/devices.h"
#include "server/store/users.h"

namespace keywarden::server {
namespace {

nlohmann::json DeviceJson(const store::Device& device) {
  return {{"id", device.id},
          {"userId", device.user_id},
          {"name", device.name},
          {"type", device.type},
          {"identifier", device.identifier},
          {"creationDate", FormatIsoDate(device.creation_date)},
          {"revisionDate", FormatIsoDate(device.revision_date)},
          {"lastActivityDate", FormatIsoDate(device.revision_date)},
          {"isTrusted", false},
          {"encryptedUserKey", nullptr},
          {"encryptedPublicKey", nullptr},
          {"devicePendingAuthRequest", nullptr},
          {"object", "device"}};
}

Result<std::vector<store::Device>> Devices(api::ApiContext& context, const std::string& user_id) {
  std::vector<store::Device> devices;
  KW_RETURN_IF_ERROR(context.database.Read([&](sql::Session& session) -> Status {
    KW_ASSIGN_OR_RETURN(devices, store::ListDevices(session, user_id));
    return OkStatus();
  }));
  return devices;
}

}  // namespace

void AddDeviceRoutes(http::Router& router, api::ApiContext& context) {
  api::ApiContext* c = &context;
  router.Add("GET", "/api/devices",
             api::Authenticated(
                 context,
                 [c](const http::HttpRequest&, store::User& user) {
                   auto devices = Devices(*c, user.id);
                   if (!devices.ok()) return api::FromStatus(devices.status());
                   nlohmann::json list = nlohmann::json::array();
                   for (const auto& device : *devices) list.push_back(DeviceJson(device));
                   return http::JsonResponse(200, {{"data", list}, {"continuationToken", nullptr}, {"object", "list"}});
                 }),
             http::Execution::kBlocking);
  router.Add("GET", "/api/devices/identifier/{identifier}",
             api::Authenticated(context,
                                [c](const http::HttpRequest& request, store::User& user) {
                                  auto devices = Devices(*c, user.id);
                                  if (!devices.ok()) return api::FromStatus(devices.status());
                                  for (const auto& device : *devices) {
                                    if (device.identifier == request.path_param("identifier")) {
                                      return http::JsonResponse(200, DeviceJson(device));
                                    }
                                  }
                                  return api::NotFound();
                                }),
             http::Execution::kBlocking);
  router.Add(
      "GET", "/api/devices/knowndevice",
      [c](const http::HttpRequest& request) {
        auto email_bytes = jose::Base64UrlDecode(request.header("X-Request-Email"));
        const std::string_view identifier = request.header("X-Device-Identifier");
        if (!email_bytes.ok() || identifier.empty()) return http::JsonResponse(200, false);
        const std::string email = NormaliseEmail(std::string(email_bytes->begin(), email_bytes->end()));
        bool known = false;
        const Status read = c->database.Read([&](sql::Session& session) -> Status {
          known = false;
          KW_ASSIGN_OR_RETURN(auto user, store::FindUserByEmail(session, email));
          if (!user) return OkStatus();
          KW_ASSIGN_OR_RETURN(auto devices, store::ListDevices(session, user->id));
          for (const auto& device : devices) known = known || device.identifier == identifier;
          return OkStatus();
        });
        if (!read.ok()) return api::FromStatus(read);
        return http::JsonResponse(200, known);
      },
      http::Execution::kBlocking);
}

}  // namespace keywarden::server
