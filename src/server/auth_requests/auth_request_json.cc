#include "server/auth_requests/auth_request_json.h"

#include <utility>

#include "base/iso_date.h"
#include "http/json.h"
#include "net/url.h"
#include "server/identity/device_types.h"

namespace keywarden::server::auth_requests {

nlohmann::json AuthRequestJson(const AuthRequest& request, std::string_view origin) {
  return {{"object", "auth-request"},
          {"id", request.id},
          {"publicKey", request.public_key},
          {"requestDeviceIdentifier", request.request_device_identifier},
          {"requestDeviceTypeValue", request.request_device_type},
          {"requestDeviceType", std::string(DeviceTypeName(request.request_device_type))},
          {"requestIpAddress", http::NullIfEmpty(request.request_ip_address)},
          {"requestCountryName", http::NullIfEmpty(request.request_country_name)},
          {"key", http::NullIfEmpty(request.key)},
          {"masterPasswordHash", http::NullIfEmpty(request.master_password_hash)},
          {"creationDate", FormatIsoDate(request.creation_date)},
          {"responseDate",
           request.response_date ? nlohmann::json(FormatIsoDate(*request.response_date)) : nlohmann::json()},
          {"requestApproved", request.approved.value_or(false)},
          {"origin", origin}};
}

nlohmann::json PendingAuthRequestJson(const AuthRequest& request, std::string_view origin,
                                      const std::string& request_device_id) {
  nlohmann::json json = AuthRequestJson(request, origin);
  json["requestDeviceId"] = http::NullIfEmpty(request_device_id);
  return json;
}

nlohmann::json OrganizationAuthRequestJson(const OrganizationAuthRequest& pending) {
  const AuthRequest& request = pending.request;
  return {{"object", "pending-org-auth-request"},
          {"id", request.id},
          {"userId", request.user_id},
          {"organizationUserId", pending.organization_user_id},
          {"email", pending.email},
          {"publicKey", request.public_key},
          {"requestDeviceIdentifier", request.request_device_identifier},
          {"requestDeviceType", std::string(DeviceTypeName(request.request_device_type))},
          {"requestIpAddress", http::NullIfEmpty(request.request_ip_address)},
          {"requestCountryName", http::NullIfEmpty(request.request_country_name)},
          {"creationDate", FormatIsoDate(request.creation_date)}};
}

nlohmann::json ListJson(nlohmann::json items) {
  return {{"object", "list"}, {"data", std::move(items)}, {"continuationToken", nullptr}};
}

std::string OriginOf(std::string_view public_url) {
  auto url = net::ParseHttpUrl(public_url);
  return url.ok() ? url->host : std::string();
}

}  // namespace keywarden::server::auth_requests
