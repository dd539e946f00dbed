#include "server/auth_requests/organization_auth_request_routes.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "http/json.h"
#include "server/api/error_response.h"
#include "server/api/field_error.h"
#include "server/api/ids.h"
#include "server/auth_requests/auth_request_answer.h"
#include "server/auth_requests/auth_request_bodies.h"
#include "server/auth_requests/auth_request_json.h"
#include "server/auth_requests/auth_request_rules.h"
#include "server/auth_requests/auth_request_store.h"
#include "server/mail/templates.h"
#include "server/organizations/internal/route_support.h"
#include "server/organizations/member_store.h"
#include "server/organizations/organization_store.h"
#include "server/store/users.h"
#include "telemetry/log.h"

namespace keywarden::server::auth_requests {
namespace {

using organizations::internal::AnswerEmpty;
using organizations::internal::CallerMembership;
using organizations::internal::Require;

// An answered organisation request, with what its events and mail need.
struct Answered {
  AuthRequest request;
  std::string organization_user_id;
  std::string email;
};

// kNotFound unless the caller approves device requests in the organisation.
Status RequireApprover(sql::Session& session, std::string_view organization_id, const store::User& caller) {
  KW_ASSIGN_OR_RETURN(organizations::Member membership, CallerMembership(session, organization_id, caller.id));
  return Require(membership.role().ManagesResetPassword());
}

// The organisation's admin request `id` with its member, or nullopt (also once the member is gone).
Result<std::optional<Answered>> FindOrganizationRequest(sql::Session& session, std::string_view organization_id,
                                                        std::string_view id) {
  KW_ASSIGN_OR_RETURN(std::optional<AuthRequest> found, FindAuthRequest(session, id));
  if (!found || found->type != AuthRequestType::kAdminApproval || found->organization_id != organization_id) {
    return std::optional<Answered>();
  }
  Answered out{*std::move(found), {}, {}};
  KW_ASSIGN_OR_RETURN(std::optional<organizations::Member> member,
                      organizations::FindMembershipOf(session, organization_id, out.request.user_id));
  // A member who left or was removed is no one the organisation approves devices for.
  if (!member) return std::optional<Answered>();
  out.organization_user_id = member->id;
  KW_ASSIGN_OR_RETURN(std::optional<store::User> account, store::FindUserById(session, out.request.user_id));
  if (account) out.email = account->email;
  return std::optional<Answered>(std::move(out));
}

}  // namespace

void AddOrganizationAuthRequestRoutes(http::Router& router, OrganizationRoutesContext& context) {
  OrganizationRoutesContext* c = &context;
  api::ApiContext* api = &context.accounts.api;
  const api::UserRoutes add(router, *api);

  // After the answers committed: events for each, and a mail to each approved member.
  const auto after = [c, api](const http::HttpRequest& request, const std::vector<Answered>& answered,
                              const store::User& actor, const std::string& organization_name, TimeMs now) {
    for (const Answered& a : answered) {
      LogAnswerEvent(*api, request, a.request, a.organization_user_id, actor.id, now);
      telemetry::AuditEvent(a.request.approved == true ? "approve_admin_auth_request" : "deny_admin_auth_request",
                            actor.id, request.client_address, a.request.id);
      if (a.request.approved != true || !c->send_mail || a.email.empty()) continue;
      const Status queued = c->send_mail(mail::DeviceApprovedMessage(a.email, organization_name));
      if (!queued.ok()) telemetry::LogWarning("device approval mail not queued: " + queued.message());
    }
  };
  const auto organization_name = [](sql::Session& session, std::string_view id) -> Result<std::string> {
    KW_ASSIGN_OR_RETURN(std::optional<organizations::Organization> organization,
                        organizations::FindOrganization(session, id));
    return organization ? organization->name : std::string();
  };

  add("GET", "/api/organizations/{orgId}/auth-requests", [api](const http::HttpRequest& request, store::User& user) {
    const auto organization_id = api::ParseGuid(request.path_param("orgId"));
    if (!organization_id) return api::NotFound();
    std::vector<OrganizationAuthRequest> pending;
    const Status read = api->database.Read([&](sql::Session& session) -> Status {
      KW_RETURN_IF_ERROR(RequireApprover(session, *organization_id, user));
      KW_ASSIGN_OR_RETURN(pending, ListPendingOfOrganization(session, *organization_id));
      return OkStatus();
    });
    if (!read.ok()) return api::FromStatus(read);
    nlohmann::json items = nlohmann::json::array();
    for (const OrganizationAuthRequest& p : pending) items.push_back(OrganizationAuthRequestJson(p));
    return http::JsonResponse(200, ListJson(std::move(items)));
  });

  add("POST", "/api/organizations/{orgId}/auth-requests/{requestId}",
      [api, after, organization_name](const http::HttpRequest& request, store::User& user) {
        const auto organization_id = api::ParseGuid(request.path_param("orgId"));
        const auto id = api::ParseGuid(request.path_param("requestId"));
        if (!organization_id || !id) return api::NotFound();
        auto body = http::ParseJsonObject(request.body);
        if (!body.ok()) return api::BadRequest(body.status().message());
        auto parsed = ParseAdminAnswer(*body);
        if (!parsed.ok()) return api::RequestErrorResponse(parsed.status());
        const TimeMs now = api::NowMs(api->clock);
        std::vector<Answered> answered;
        std::string name;
        const Status saved = api->database.Transact([&](sql::Session& session) -> Status {
          answered.clear();
          KW_RETURN_IF_ERROR(RequireApprover(session, *organization_id, user));
          KW_ASSIGN_OR_RETURN(std::optional<Answered> found, FindOrganizationRequest(session, *organization_id, *id));
          if (!found) return NotFoundError("auth request");
          KW_RETURN_IF_ERROR(
              RecordAnswer(session, found->request, Answer{parsed->approved, parsed->encrypted_user_key, {}, {}}, now));
          answered.push_back(*std::move(found));
          KW_ASSIGN_OR_RETURN(name, organization_name(session, *organization_id));
          return OkStatus();
        });
        if (!saved.ok()) return AnswerEmpty(saved);
        after(request, answered, user, name, now);
        return AnswerEmpty(OkStatus());
      });

  add("POST", "/api/organizations/{orgId}/auth-requests",
      [api, after, organization_name](const http::HttpRequest& request, store::User& user) {
        const auto organization_id = api::ParseGuid(request.path_param("orgId"));
        if (!organization_id) return api::NotFound();
        auto parsed = ParseBulkAnswers(request.body);
        if (!parsed.ok()) return api::RequestErrorResponse(parsed.status());
        const TimeMs now = api::NowMs(api->clock);
        std::vector<Answered> answered;
        std::string name;
        const Status saved = api->database.Transact([&](sql::Session& session) -> Status {
          answered.clear();
          KW_RETURN_IF_ERROR(RequireApprover(session, *organization_id, user));
          for (const BulkAnswer& item : *parsed) {
            // The reference's batch processor skips an approval without a key.
            if (item.approved && item.key.empty()) continue;
            KW_ASSIGN_OR_RETURN(std::optional<Answered> found,
                                FindOrganizationRequest(session, *organization_id, item.id));
            if (!found || found->request.answered() || !IsAnswerable(found->request, now)) continue;
            KW_RETURN_IF_ERROR(RecordAnswer(session, found->request, Answer{item.approved, item.key, {}, {}}, now));
            answered.push_back(*std::move(found));
          }
          KW_ASSIGN_OR_RETURN(name, organization_name(session, *organization_id));
          return OkStatus();
        });
        if (!saved.ok()) return AnswerEmpty(saved);
        after(request, answered, user, name, now);
        return AnswerEmpty(OkStatus());
      });

  add("POST", "/api/organizations/{orgId}/auth-requests/deny",
      [api, after](const http::HttpRequest& request, store::User& user) {
        const auto organization_id = api::ParseGuid(request.path_param("orgId"));
        if (!organization_id) return api::NotFound();
        auto body = http::ParseJsonObject(request.body);
        if (!body.ok()) return api::BadRequest(body.status().message());
        auto ids = organizations::internal::ParseIds(*body);
        if (!ids.ok()) return api::RequestErrorResponse(ids.status());
        const TimeMs now = api::NowMs(api->clock);
        std::vector<Answered> answered;
        const Status saved = api->database.Transact([&](sql::Session& session) -> Status {
          answered.clear();
          KW_RETURN_IF_ERROR(RequireApprover(session, *organization_id, user));
          for (const std::string& id : *ids) {
            KW_ASSIGN_OR_RETURN(std::optional<Answered> found, FindOrganizationRequest(session, *organization_id, id));
            if (!found) continue;
            KW_RETURN_IF_ERROR(RecordAnswer(session, found->request, Answer{false, {}, {}, {}}, now));
            answered.push_back(*std::move(found));
          }
          return OkStatus();
        });
        if (!saved.ok()) return AnswerEmpty(saved);
        after(request, answered, user, std::string(), now);
        return AnswerEmpty(OkStatus());
      });
}

}  // namespace keywarden::server::auth_requests
