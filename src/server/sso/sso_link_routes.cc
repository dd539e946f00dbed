#include "server/sso/sso_link_routes.h"

#include <optional>
#include <string>
#include <utility>

#include "server/api/error_response.h"
#include "server/api/ids.h"
#include "server/organizations/internal/route_support.h"
#include "server/organizations/member_store.h"
#include "server/sso/sso_account.h"
#include "telemetry/log.h"

namespace keywarden::server::sso {

void AddSsoLinkRoutes(http::Router& router, SsoLinkContext& context) {
  SsoLinkContext* c = &context;
  const api::UserRoutes add(router, context.api);
  add("GET", "/api/accounts/sso/user-identifier", [c](const http::HttpRequest& request, store::User& user) {
    auto token = c->logins.IssueLinkToken(user.id, c->api.clock.Now());
    if (!token.ok()) return api::FromStatus(token.status());
    telemetry::AuditEvent("sso_link_token", user.id, request.client_address, "ok");
    return http::JsonResponse(200, user.id + "," + *token);
  });
  add("DELETE", "/api/accounts/sso/{organizationId}", [c](const http::HttpRequest& request, store::User& user) {
    const auto organization_id = api::ParseGuid(request.path_param("organizationId"));
    if (!organization_id) return api::NotFound();
    std::optional<organizations::Member> member;
    bool unlinked = false;
    const Status saved = c->api.database.Transact([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(unlinked, UnlinkSsoAccount(session, *organization_id, user.id));
      KW_ASSIGN_OR_RETURN(member, organizations::FindMembershipOf(session, *organization_id, user.id));
      return OkStatus();
    });
    if (!saved.ok()) return api::FromStatus(saved);
    if (member) {
      events::Event event = organizations::internal::OrganizationEvent(
          events::EventType::kMemberUnlinkedSso, *organization_id, user.id, request, api::NowMs(c->api.clock));
      event.organization_user_id = member->id;
      c->api.events.Record(std::move(event));
    }
    telemetry::AuditEvent("sso_unlink", user.id, request.client_address, unlinked ? "ok" : "no link");
    return http::HttpResponse{};
  });
}

}  // namespace keywarden::server::sso
