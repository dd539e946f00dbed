#include "server/sso/sso_config_routes.h"

#include <array>
#include <optional>
#include <string>
#include <utility>

#include "auth/user_id.h"
#include "http/json.h"
#include "server/api/error_response.h"
#include "server/api/field_error.h"
#include "server/api/ids.h"
#include "server/organizations/internal/route_support.h"
#include "server/organizations/member_role.h"
#include "server/organizations/organization_store.h"
#include "server/sso/sso_config_json.h"
#include "server/sso/sso_config_request.h"
#include "server/sso/sso_config_save.h"
#include "server/sso/sso_config_store.h"

namespace keywarden::server::sso {
namespace {

using organizations::Member;
using organizations::MemberPermissions;
using organizations::Organization;
using organizations::internal::Answer;
using organizations::internal::CallerMembership;
using organizations::internal::Require;

// Owners, admins and custom members with manageSso (the reference's ManageSso).
Status RequireManagesSso(sql::Session& session, std::string_view organization_id, std::string_view user_id) {
  KW_ASSIGN_OR_RETURN(Member caller, CallerMembership(session, organization_id, user_id));
  return Require(caller.role().Has(&MemberPermissions::manage_sso));
}

}  // namespace

void AddSsoConfigRoutes(http::Router& router, OrganizationRoutesContext& context) {
  OrganizationRoutesContext* c = &context;
  const api::UserRoutes add(router, context.accounts.api);

  add("GET", "/api/organizations/{id}/sso", [c](const http::HttpRequest& request, store::User& user) {
    const auto id = api::ParseGuid(request.path_param("id"));
    if (!id) return api::NotFound();
    nlohmann::json body;
    const Status read = c->accounts.api.database.Read([&](sql::Session& session) -> Status {
      KW_RETURN_IF_ERROR(RequireManagesSso(session, *id, user.id));
      KW_ASSIGN_OR_RETURN(std::optional<Organization> organization, organizations::FindOrganization(session, *id));
      if (!organization) return NotFoundError("organization");
      KW_ASSIGN_OR_RETURN(std::optional<SsoConfig> config, FindSsoConfig(session, *id));
      body = OrganizationSsoJson(*organization, config, c->accounts.public_url);
      return OkStatus();
    });
    return Answer(read, body);
  });

  add("POST", "/api/organizations/{id}/sso", [c](const http::HttpRequest& request, store::User& user) {
    const auto id = api::ParseGuid(request.path_param("id"));
    if (!id) return api::NotFound();
    sql::Database& database = c->accounts.api.database;
    // Who may, before the body is read: anyone else learns nothing from the answer.
    const Status allowed =
        database.Read([&](sql::Session& session) { return RequireManagesSso(session, *id, user.id); });
    if (!allowed.ok()) return api::FromStatus(allowed);
    auto body = http::ParseJsonObject(request.body);
    if (!body.ok()) return api::BadRequest(body.status().message());
    auto parsed = ParseSsoConfigRequest(*body);
    if (!parsed.ok()) return api::RequestErrorResponse(parsed.status());
    std::array<std::string, 3> policy_ids;
    for (std::string& policy_id : policy_ids) {
      auto guid = auth::NewGuid();
      if (!guid.ok()) return api::FromStatus(guid.status());
      policy_id = *std::move(guid);
    }
    const TimeMs now = api::NowMs(c->accounts.api.clock);
    SsoSaveOutcome outcome;
    const Status saved = database.Transact([&](sql::Session& session) -> Status {
      KW_RETURN_IF_ERROR(RequireManagesSso(session, *id, user.id));
      KW_ASSIGN_OR_RETURN(outcome, SaveOrganizationSso(session, *id, *parsed, now, policy_ids));
      return OkStatus();
    });
    if (!saved.ok()) return api::FromStatus(saved);
    RecordSsoSaved(c->accounts.api.events, outcome, user.id, request, now);
    return http::JsonResponse(200, OrganizationSsoJson(outcome.organization, outcome.config, c->accounts.public_url));
  });
}

}  // namespace keywarden::server::sso
