#include "server/key_management/key_rotation_routes.h"

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/json.h"
#include "server/api/error_response.h"
#include "server/api/field_error.h"
#include "server/key_management/rotation_apply.h"
#include "server/key_management/rotation_request.h"
#include "server/notifications/push_outbox.h"
#include "server/organizations/member_store.h"
#include "server/organizations/organization_store.h"
#include "server/store/devices.h"
#include "telemetry/log.h"

namespace keywarden::server::key_management {
namespace {

Result<nlohmann::json> KeyRotationData(sql::Session& session, const store::User& user) {
  nlohmann::json organizations = nlohmann::json::array();
  KW_ASSIGN_OR_RETURN(std::vector<organizations::Member> memberships,
                      organizations::ListMembershipsOf(session, user.id));
  for (const organizations::Member& member : memberships) {
    if (member.reset_password_key.empty()) continue;
    KW_ASSIGN_OR_RETURN(std::optional<organizations::Organization> organization,
                        organizations::FindOrganization(session, member.organization_id));
    if (!organization) continue;
    organizations.push_back({{"object", "organizationPasswordResetKeyData"},
                             {"organizationId", organization->id},
                             {"organizationName", organization->name},
                             {"organizationPublicKey", organization->public_key}});
  }
  nlohmann::json devices = nlohmann::json::array();
  KW_ASSIGN_OR_RETURN(std::vector<store::Device> stored, store::ListDevices(session, user.id));
  for (const store::Device& device : stored) {
    if (!device.keys.trusted()) continue;
    devices.push_back({{"object", "trustedDeviceKeyData"},
                       {"id", device.id},
                       {"encryptedPublicKey", device.keys.encrypted_public_key},
                       {"encryptedUserKey", device.keys.encrypted_user_key}});
  }
  return nlohmann::json{{"object", "keyRotationData"},
                        {"organizationPasswordResetKeyData", std::move(organizations)},
                        {"emergencyAccessKeyData", nlohmann::json::array()},
                        {"trustedDeviceKeyData", std::move(devices)},
                        {"passkeyKeyData", nlohmann::json::array()}};
}

http::HttpResponse GetKeyRotationData(AccountRoutesContext& c, store::User& user) {
  nlohmann::json data;
  const Status read = c.api.database.Read([&](sql::Session& session) -> Status {
    KW_ASSIGN_OR_RETURN(data, KeyRotationData(session, user));
    return OkStatus();
  });
  if (!read.ok()) return api::FromStatus(read);
  return http::JsonResponse(200, data);
}

// Checks and applies a parsed rotation; `body` holds the current password's hash for the
// password change.
http::HttpResponse Rotate(AccountRoutesContext& c, const http::HttpRequest& request, store::User& user,
                          const nlohmann::json& body, const UserKeyRotation& rotation) {
  if (rotation.old_password_hash.has_value()) {
    const nlohmann::json old_hash = {{"masterPasswordHash", *http::FindField(body, "oldMasterKeyAuthenticationHash")}};
    if (!VerifyMasterPassword(c, user, old_hash)) {
      telemetry::AuditEvent("rotate_user_key", user.id, request.client_address, "wrong password");
      return api::InvalidField("", "Incorrect password.");
    }
  }
  if (Status fits = CheckRotationFitsAccount(user, rotation); !fits.ok()) return api::FromStatus(fits);

  std::string new_password_hash;
  if (rotation.master_password && rotation.master_password->new_password_hash) {
    auto hashed = HashMasterPassword(c, *rotation.master_password->new_password_hash);
    if (!hashed.ok()) return api::FromStatus(hashed.status());
    new_password_hash = *std::move(hashed);
  }
  ApplyRotationToAccount(rotation, new_password_hash, user);
  const TimeMs now = api::NowMs(c.api.clock);
  const Status saved = SaveAccount(c, user, /*end_sessions=*/true, [&](sql::Session& session) -> Status {
    KW_RETURN_IF_ERROR(RewrapStoredData(session, user.id, rotation, now));
    return notifications::QueueLogOut(session, user.id, now);
  });
  if (!saved.ok()) {
    telemetry::AuditEvent("rotate_user_key", user.id, request.client_address, "refused");
    return api::FromStatus(saved);
  }
  telemetry::AuditEvent("rotate_user_key", user.id, request.client_address, "ok");
  http::HttpResponse response;
  response.status = 200;
  return response;
}

template <typename Parse>
http::HttpResponse ParseAndRotate(AccountRoutesContext& c, const http::HttpRequest& request, store::User& user,
                                  Parse parse) {
  auto body = http::ParseJsonObject(request.body);
  if (!body.ok()) return api::BadRequest(body.status().message());
  auto rotation = parse(*body);
  if (!rotation.ok()) return api::RequestErrorResponse(rotation.status());
  return Rotate(c, request, user, *body, *rotation);
}

}  // namespace

void AddKeyRotationRoutes(http::Router& router, AccountRoutesContext& context) {
  AccountRoutesContext* c = &context;
  const api::UserRoutes add(router, context.api);
  add("GET", "/api/accounts/key-management/key-rotation-data",
      [c](const http::HttpRequest&, store::User& user) { return GetKeyRotationData(*c, user); });
  add("POST", "/api/accounts/key-management/rotate-user-account-keys",
      [c](const http::HttpRequest& request, store::User& user) {
        return ParseAndRotate(*c, request, user, ParsePasswordChangeRotation);
      });
  add("POST", "/api/accounts/key-management/rotate-user-keys",
      [c](const http::HttpRequest& request, store::User& user) {
        return ParseAndRotate(*c, request, user, ParseUserKeyRotation);
      });
}

}  // namespace keywarden::server::key_management
