// The policy routes (docs core.md 8.2), for members with the right to manage policies:
//   GET  /api/organizations/{orgId}/policies                 every saved policy
//   GET  /api/organizations/{orgId}/policies/{type}          one (disabled and empty when never saved)
//   PUT  /api/organizations/{orgId}/policies/{type}[/vnext]  {"policy": {"enabled", "data"}, "metadata"}
//                                                            (or the older {"enabled", "data"})
//   GET  /api/organizations/{orgId}/policies/master-password members: the enabled master password policy
// Saving goes through policy_rules.h (dependencies on single organisation, enforcement on
// members) after the single sign-on configuration's own refusals (sso/sso_policy_guard.h: the
// policies that trusted devices or Key Connector need stay on while they are configured).
#include <string>
#include <utility>
#include <vector>

#include "auth/user_id.h"
#include "http/json.h"
#include "server/api/error_response.h"
#include "server/api/field_error.h"
#include "server/api/ids.h"
#include "server/organizations/internal/route_support.h"
#include "server/organizations/organization_json.h"
#include "server/organizations/organization_routes.h"
#include "server/organizations/organization_store.h"
#include "server/organizations/policy_json.h"
#include "server/organizations/policy_rules.h"
#include "server/organizations/policy_store.h"
#include "server/sso/sso_policy_guard.h"
#include "server/store/users.h"

namespace keywarden::server {
namespace {

using organizations::Member;
using organizations::Policy;
using organizations::PolicyType;
using organizations::internal::Answer;
using organizations::internal::CallerMembership;
using organizations::internal::Require;

constexpr std::size_t kMaxDataChars = 10000;

// Types the reference defines (0 to 22): others are 404, as an unknown enum value in its route.
std::optional<int> ParsePolicyType(std::string_view text) {
  if (text.empty() || text.size() > 2) return std::nullopt;
  int value = 0;
  for (char ch : text) {
    if (ch < '0' || ch > '9') return std::nullopt;
    value = value * 10 + (ch - '0');
  }
  if (value > 22) return std::nullopt;
  return value;
}

}  // namespace

void AddPolicyRoutes(http::Router& router, OrganizationRoutesContext& context) {
  OrganizationRoutesContext* c = &context;
  const api::UserRoutes add(router, context.accounts.api);
  sql::Database& database = context.accounts.api.database;

  add("GET", "/api/organizations/{orgId}/policies", [&database](const http::HttpRequest& request, store::User& user) {
    const auto organization_id = api::ParseGuid(request.path_param("orgId"));
    if (!organization_id) return api::NotFound();
    nlohmann::json data = nlohmann::json::array();
    const Status read = database.Read([&](sql::Session& session) -> Status {
      data = nlohmann::json::array();
      KW_ASSIGN_OR_RETURN(Member caller, CallerMembership(session, *organization_id, user.id));
      KW_RETURN_IF_ERROR(Require(caller.role().ManagesPolicies()));
      KW_ASSIGN_OR_RETURN(std::vector<Policy> policies, organizations::ListPolicies(session, *organization_id));
      for (const Policy& policy : policies) data.push_back(organizations::PolicyStatusJson(policy));
      return OkStatus();
    });
    return Answer(read, organizations::ListJson(std::move(data)));
  });

  add("GET", "/api/organizations/{orgId}/policies/master-password",
      [&database](const http::HttpRequest& request, store::User& user) {
        const auto organization_id = api::ParseGuid(request.path_param("orgId"));
        if (!organization_id) return api::NotFound();
        nlohmann::json body;
        const Status read = database.Read([&](sql::Session& session) -> Status {
          KW_ASSIGN_OR_RETURN(Member caller, CallerMembership(session, *organization_id, user.id));
          (void)caller;  // any member linked to the account
          KW_ASSIGN_OR_RETURN(
              std::optional<Policy> policy,
              organizations::FindPolicy(session, *organization_id, static_cast<int>(PolicyType::kMasterPassword)));
          if (!policy || !policy->enabled) return NotFoundError("policy");
          body = organizations::PolicyJson(*policy);
          return OkStatus();
        });
        return Answer(read, body);
      });

  add("GET", "/api/organizations/{orgId}/policies/{type}",
      [&database](const http::HttpRequest& request, store::User& user) {
        const auto organization_id = api::ParseGuid(request.path_param("orgId"));
        const auto type = ParsePolicyType(request.path_param("type"));
        if (!organization_id || !type) return api::NotFound();
        nlohmann::json body;
        const Status read = database.Read([&](sql::Session& session) -> Status {
          KW_ASSIGN_OR_RETURN(Member caller, CallerMembership(session, *organization_id, user.id));
          KW_RETURN_IF_ERROR(Require(caller.role().ManagesPolicies()));
          KW_ASSIGN_OR_RETURN(std::optional<Policy> policy,
                              organizations::FindPolicy(session, *organization_id, *type));
          Policy shown;
          shown.organization_id = *organization_id;
          shown.type = *type;
          body = organizations::PolicyStatusJson(policy ? *policy : shown);
          return OkStatus();
        });
        return Answer(read, body);
      });

  const auto save = [c](const http::HttpRequest& request, store::User& user) {
    const auto organization_id = api::ParseGuid(request.path_param("orgId"));
    const auto type = ParsePolicyType(request.path_param("type"));
    if (!organization_id || !type) return api::NotFound();
    auto body = http::ParseJsonObject(request.body);
    if (!body.ok()) return api::BadRequest(body.status().message());
    auto update = organizations::ParsePolicyUpdate(*body, *type, kMaxDataChars);
    if (!update.ok()) return api::RequestErrorResponse(update.status());
    const TimeMs now = api::NowMs(c->accounts.api.clock);
    auto new_id = auth::NewGuid();
    if (!new_id.ok()) return api::FromStatus(new_id.status());
    organizations::SavedPolicy saved_policy;
    const Status saved = c->accounts.api.database.Transact([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(Member caller, CallerMembership(session, *organization_id, user.id));
      KW_RETURN_IF_ERROR(Require(caller.role().ManagesPolicies()));
      KW_RETURN_IF_ERROR(sso::CheckPolicyChange(session, *organization_id, *type, *update));
      KW_ASSIGN_OR_RETURN(saved_policy,
                          organizations::SavePolicyWithRules(session, *organization_id, *type, update->enabled,
                                                             update->data, *new_id, now));
      return organizations::TouchMembers(session, *organization_id, now);
    });
    if (saved.ok()) organizations::RecordPolicySaved(c->accounts.api.events, saved_policy, user.id, request, now);
    return Answer(saved, saved.ok() ? organizations::PolicyJson(saved_policy.policy) : nlohmann::json());
  };
  add("PUT", "/api/organizations/{orgId}/policies/{type}", save);
  add("PUT", "/api/organizations/{orgId}/policies/{type}/vnext", save);
}

}  // namespace keywarden::server
