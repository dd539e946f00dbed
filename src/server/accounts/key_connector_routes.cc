#include "server/accounts/key_connector_routes.h"

#include <optional>
#include <string>

#include "http/json.h"
#include "server/accounts/account_fields.h"
#include "server/accounts/account_key_pair.h"
#include "server/accounts/key_connector_keys.h"
#include "server/accounts/key_connector_use.h"
#include "server/accounts/sso_membership.h"
#include "server/api/error_response.h"
#include "server/api/field_error.h"
#include "server/events/user_events.h"
#include "server/organizations/member_store.h"
#include "server/sso/sso_config_store.h"
#include "telemetry/log.h"

namespace keywarden::server {
namespace {

bool Present(const nlohmann::json* value) { return value != nullptr && !value->is_null(); }

http::HttpResponse Done(const Status& status) {
  if (!status.ok()) return api::FromStatus(status);
  http::HttpResponse response;
  response.status = 200;
  return response;
}

// Drops the account's master password for Key Connector: convert-to-key-connector (no body)
// and key-connector/enroll (`new_user_key`, the user key wrapped by the Key Connector key).
http::HttpResponse Convert(AccountRoutesContext& c, const http::HttpRequest& request, store::User& user,
                           const std::string& new_user_key) {
  const store::User before = user;
  user.password_hash.reset();
  user.password_hint.clear();
  user.uses_key_connector = true;
  if (!new_user_key.empty()) user.user_key = new_user_key;
  // The checks read the account as this request found it, inside the write: a refusal rolls
  // the change back.
  const Status saved = SaveAccount(c, user, /*end_sessions=*/false, [&](sql::Session& session) -> Status {
    KW_RETURN_IF_ERROR(CheckMayUseKeyConnector(session, before));
    KW_ASSIGN_OR_RETURN(bool managed, ManagedByKeyConnector(session, before.id));
    // Without a user key there would be nothing for the Key Connector key to open.
    if (!managed || user.user_key.empty()) return InvalidArgumentError(std::string(kCannotUseKeyConnector));
    return OkStatus();
  });
  if (!saved.ok()) return api::FromStatus(saved);
  events::LogUserEvent(c.api, request, user.id, events::EventType::kUserMigratedKeyToKeyConnector);
  telemetry::AuditEvent("convert_to_key_connector", user.id, request.client_address, "ok");
  return Done(OkStatus());
}

}  // namespace

void AddKeyConnectorRoutes(http::Router& router, AccountRoutesContext& context) {
  AccountRoutesContext* c = &context;
  const api::UserRoutes add(router, context.api);

  add("POST", "/api/accounts/set-key-connector-key", [c](const http::HttpRequest& request, store::User& user) {
    auto body = http::ParseJsonObject(request.body);
    if (!body.ok()) return api::BadRequest(body.status().message());
    auto keys = ParseKeyConnectorKeys(*body);
    if (!keys.ok()) return api::RequestErrorResponse(keys.status());

    // Who may, first (the reference's order); checked again inside the write below.
    const auto check_account = [](sql::Session& session, const store::User& account) -> Status {
      KW_RETURN_IF_ERROR(CheckMayUseKeyConnector(session, account));
      if (account.password_hash.has_value() || !account.user_key.empty()) {
        return InvalidArgumentError("User already has a password set.");
      }
      return OkStatus();
    };
    const Status allowed = c->api.database.Read([&](sql::Session& session) { return check_account(session, user); });
    if (!allowed.ok()) return api::FromStatus(allowed);

    const store::User before = user;
    user.user_key = keys->user_key;
    user.kdf = keys->kdf;
    user.uses_key_connector = true;
    if (keys->key_pair) {
      if (Status applied = ApplyAccountKeyPair(user, *keys->key_pair); !applied.ok()) return api::FromStatus(applied);
    }
    const TimeMs now = api::NowMs(c->api.clock);
    // A refusal inside the write rolls the change back.
    const Status saved = SaveAccount(*c, user, /*end_sessions=*/false, [&](sql::Session& session) -> Status {
      KW_RETURN_IF_ERROR(check_account(session, before));
      KW_ASSIGN_OR_RETURN(SsoMembership membership,
                          FindSsoMembership(session, keys->organization_identifier, user.id, "Organization invalid."));
      KW_ASSIGN_OR_RETURN(std::optional<sso::SsoConfig> config,
                          sso::FindSsoConfig(session, membership.organization.id));
      if (!config || !config->enabled || !config->data.KeyConnectorEnabled()) {
        return InvalidArgumentError(std::string(kCannotUseKeyConnector));
      }
      return AcceptSsoMembership(session, membership, user, /*only_invited=*/true, now);
    });
    if (!saved.ok()) return api::FromStatus(saved);
    events::LogUserEvent(c->api, request, user.id, events::EventType::kUserMigratedKeyToKeyConnector);
    telemetry::AuditEvent("set_key_connector_key", user.id, request.client_address, "ok");
    return Done(OkStatus());
  });

  add("POST", "/api/accounts/convert-to-key-connector",
      [c](const http::HttpRequest& request, store::User& user) { return Convert(*c, request, user, ""); });

  add("POST", "/api/accounts/key-connector/enroll", [c](const http::HttpRequest& request, store::User& user) {
    auto body = http::ParseJsonObject(request.body);
    if (!body.ok()) return api::BadRequest(body.status().message());
    const nlohmann::json* wrapped = http::FindField(*body, "keyConnectorKeyWrappedUserKey");
    if (!Present(wrapped) || (wrapped->is_string() && wrapped->get<std::string>().empty())) {
      return api::RequestErrorResponse(api::FieldErrorStatus("KeyConnectorKeyWrappedUserKey", "is required."));
    }
    if (Status checked = CheckEncString(*wrapped, "KeyConnectorKeyWrappedUserKey"); !checked.ok()) {
      return api::RequestErrorResponse(checked);
    }
    return Convert(*c, request, user, wrapped->get<std::string>());
  });

  add("GET", "/api/accounts/key-connector/confirmation-details/{orgSsoIdentifier}",
      [c](const http::HttpRequest& request, store::User& user) {
        std::string name;
        const Status read = c->api.database.Read([&](sql::Session& session) -> Status {
          KW_ASSIGN_OR_RETURN(std::optional<sso::OrganizationSso> found,
                              sso::FindSsoConfigByIdentifier(session, request.path_param("orgSsoIdentifier")));
          if (!found || !found->config.enabled || !found->config.data.KeyConnectorEnabled()) {
            return NotFoundError("organization");
          }
          KW_ASSIGN_OR_RETURN(std::optional<organizations::Member> member,
                              organizations::FindMembershipOf(session, found->organization.id, user.id));
          if (!member) return NotFoundError("organization");
          name = found->organization.name;
          return OkStatus();
        });
        if (!read.ok()) return api::FromStatus(read);
        return http::JsonResponse(200, {{"object", "keyConnectorConfirmationDetails"}, {"organizationName", name}});
      });
}

}  // namespace keywarden::server
