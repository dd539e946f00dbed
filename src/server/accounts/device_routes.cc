#include "server/accounts/device_routes.h"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/iso_date.h"
#include "base/time.h"
#include "jose/base64url.h"
#include "server/accounts/account_fields.h"
#include "server/api/error_response.h"
#include "server/api/ids.h"
#include "server/auth_requests/auth_request_rules.h"
#include "server/auth_requests/auth_request_store.h"
#include "server/devices/device_json.h"
#include "server/store/devices.h"
#include "server/store/refresh_tokens.h"
#include "server/store/users.h"
#include "telemetry/log.h"

namespace keywarden::server {
namespace {

// The caller's device found by `find`, as JSON, or 404.
template <typename Find>
http::HttpResponse OneDevice(api::ApiContext& context, Find find) {
  std::optional<store::Device> device;
  const Status read = context.database.Read([&](sql::Session& session) -> Status {
    KW_ASSIGN_OR_RETURN(device, find(session));
    return OkStatus();
  });
  if (!read.ok()) return api::FromStatus(read);
  if (!device) return api::NotFound();
  return http::JsonResponse(200, devices::DeviceJson(*device));
}

// The user's pending login-with-device requests by requesting device identifier: each device's
// newest type 0 or 1 request, unanswered and younger than 15 minutes (the reference's
// Device_ReadActiveWithPendingAuthRequestsByUserId). Admin approval requests are not shown.
Result<std::map<std::string, auth_requests::AuthRequest>> PendingByDevice(sql::Session& session,
                                                                          std::string_view user_id, TimeMs now) {
  KW_ASSIGN_OR_RETURN(std::vector<auth_requests::AuthRequest> requests,
                      auth_requests::ListAuthRequestsOf(session, user_id));
  std::map<std::string, auth_requests::AuthRequest> pending;
  for (auth_requests::AuthRequest& request : auth_requests::PendingDeviceRequests(requests, now)) {
    std::string identifier = request.request_device_identifier;
    pending.emplace(std::move(identifier), std::move(request));
  }
  return pending;
}

}  // namespace

void AddDeviceRoutes(http::Router& router, api::ApiContext& context) {
  api::ApiContext* c = &context;
  const api::UserRoutes add(router, context);
  add("GET", "/api/devices", [c](const http::HttpRequest&, store::User& user) {
    const TimeMs now = api::NowMs(c->clock);
    nlohmann::json list = nlohmann::json::array();
    const Status read = c->database.Read([&](sql::Session& session) -> Status {
      list = nlohmann::json::array();
      KW_ASSIGN_OR_RETURN(auto devices, store::ListDevices(session, user.id));
      KW_ASSIGN_OR_RETURN(auto pending, PendingByDevice(session, user.id, now));
      for (const auto& device : devices) {
        if (!device.active) continue;
        nlohmann::json json = devices::DeviceJson(device);
        if (const auto found = pending.find(device.identifier); found != pending.end()) {
          json["devicePendingAuthRequest"] = {{"id", found->second.id},
                                              {"creationDate", FormatIsoDate(found->second.creation_date)}};
        }
        list.push_back(std::move(json));
      }
      return OkStatus();
    });
    if (!read.ok()) return api::FromStatus(read);
    return http::JsonResponse(200, {{"data", list}, {"continuationToken", nullptr}, {"object", "list"}});
  });
  add("GET", "/api/devices/{id}", [c](const http::HttpRequest& request, store::User& user) {
    const auto id = api::ParseGuid(request.path_param("id"));
    if (!id) return api::NotFound();
    return OneDevice(*c, [&](sql::Session& session) { return store::FindDeviceById(session, user.id, *id); });
  });
  add("GET", "/api/devices/identifier/{identifier}", [c](const http::HttpRequest& request, store::User& user) {
    return OneDevice(*c, [&](sql::Session& session) {
      return store::FindDeviceByIdentifier(session, user.id, request.path_param("identifier"));
    });
  });
  const auto deactivate = [c](const http::HttpRequest& request, store::User& user) {
    const auto id = api::ParseGuid(request.path_param("id"));
    if (!id) return api::NotFound();
    const TimeMs now = api::NowMs(c->clock);
    bool was_active = false;
    const Status done = c->database.Transact([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(was_active, store::DeactivateDevice(session, user.id, *id, now));
      return store::RevokeDeviceRefreshTokens(session, user.id, *id);
    });
    if (!done.ok()) return api::FromStatus(done);
    if (was_active) telemetry::AuditEvent("remove_device", user.id, request.client_address, *id);
    return http::HttpResponse{};
  };
  add("DELETE", "/api/devices/{id}", deactivate);
  add("POST", "/api/devices/{id}/deactivate", deactivate);
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
          KW_ASSIGN_OR_RETURN(auto device, store::FindDeviceByIdentifier(session, user->id, identifier));
          known = device.has_value();
          return OkStatus();
        });
        if (!read.ok()) return api::FromStatus(read);
        return http::JsonResponse(200, known);
      },
      http::Execution::kBlocking);
}

}  // namespace keywarden::server
