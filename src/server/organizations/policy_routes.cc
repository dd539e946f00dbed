// The policy routes (docs core.md 8.2), for members with the right to manage policies:
//   GET  /api/organizations/{orgId}/policies                 every saved policy
//   GET  /api/organizations/{orgId}/policies/{type}          one (disabled and empty when never saved)
//   PUT  /api/organizations/{orgId}/policies/{type}[/vnext]  {"policy": {"enabled", "data"}, "metadata"}
//                                                            (or the older {"enabled", "data"})
//   GET  /api/organizations/{orgId}/policies/master-password members: the enabled master password policy
// Turning a policy on enforces it on members where the server is the one that can, as the
// reference does: single organisation revokes members (not owners or admins) who belong to
// another organisation, two-step login revokes those without it. Policies that depend on single
// organisation (require single sign-on, account recovery, vault timeout) need it on, and it
// cannot be turned off under them.
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
#include "server/organizations/policy_store.h"
#include "server/store/users.h"
#include "server/two_factor/two_factor_login.h"

namespace keywarden::server {
namespace {

using organizations::Member;
using organizations::MemberStatus;
using organizations::MemberType;
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

const char* PolicyName(int type) {
  switch (static_cast<PolicyType>(type)) {
    case PolicyType::kTwoFactorAuthentication: return "Require two-step login";
    case PolicyType::kMasterPassword: return "Master password requirements";
    case PolicyType::kSingleOrg: return "Single organization";
    case PolicyType::kRequireSso: return "Require single sign-on authentication";
    case PolicyType::kResetPassword: return "Account recovery administration";
    case PolicyType::kMaximumVaultTimeout: return "Vault timeout";
    default: return "policy";
  }
}

// The policies that can be on only while single organisation is.
constexpr int kNeedSingleOrg[] = {static_cast<int>(PolicyType::kRequireSso),
                                  static_cast<int>(PolicyType::kResetPassword),
                                  static_cast<int>(PolicyType::kMaximumVaultTimeout)};

bool NeedsSingleOrg(int type) {
  for (int t : kNeedSingleOrg) {
    if (t == type) return true;
  }
  return false;
}

Status CheckDependencies(sql::Session& session, std::string_view organization_id, int type, bool enabled) {
  if (enabled && NeedsSingleOrg(type)) {
    KW_ASSIGN_OR_RETURN(std::optional<Policy> single,
                        organizations::FindPolicy(session, organization_id, static_cast<int>(PolicyType::kSingleOrg)));
    if (!single || !single->enabled) {
      return InvalidArgumentError(
          std::string("Turn on the Single organization policy because it is required for the ") + PolicyName(type) +
          " policy.");
    }
  }
  if (!enabled && type == static_cast<int>(PolicyType::kSingleOrg)) {
    std::vector<int> dependents;
    for (int t : kNeedSingleOrg) {
      KW_ASSIGN_OR_RETURN(std::optional<Policy> dependent, organizations::FindPolicy(session, organization_id, t));
      if (dependent && dependent->enabled) dependents.push_back(t);
    }
    if (dependents.size() == 1) {
      return InvalidArgumentError(std::string("Turn off the ") + PolicyName(dependents[0]) +
                                  " policy because it requires the Single organization policy.");
    }
    if (dependents.size() > 1) {
      return InvalidArgumentError("Turn off all of the policies that require the Single organization policy.");
    }
  }
  return OkStatus();
}

// Revokes the members (not owners or admins, accepted or confirmed) the newly enabled policy
// excludes; returns their ids, for the events.
Result<std::vector<std::string>> EnforceOnMembers(sql::Session& session, std::string_view organization_id, int type,
                                                  TimeMs now) {
  std::vector<std::string> revoked;
  if (type != static_cast<int>(PolicyType::kSingleOrg) &&
      type != static_cast<int>(PolicyType::kTwoFactorAuthentication)) {
    return revoked;
  }
  KW_ASSIGN_OR_RETURN(std::vector<Member> members, organizations::ListMembers(session, organization_id));
  for (Member& member : members) {
    if (member.type == MemberType::kOwner || member.type == MemberType::kAdmin) continue;
    if (member.status != MemberStatus::kAccepted && member.status != MemberStatus::kConfirmed) continue;
    bool breaches = false;
    if (type == static_cast<int>(PolicyType::kSingleOrg)) {
      KW_ASSIGN_OR_RETURN(std::vector<Member> memberships, organizations::ListMembershipsOf(session, member.user_id));
      for (const Member& other : memberships) {
        if (other.organization_id != organization_id) breaches = true;
      }
    } else {
      KW_ASSIGN_OR_RETURN(const bool enabled, TwoFactorEnabled(session, member.user_id));
      breaches = !enabled;
    }
    if (!breaches) continue;
    member.status = MemberStatus::kRevoked;
    member.revision_date = now;
    KW_RETURN_IF_ERROR(organizations::UpdateMember(session, member));
    revoked.push_back(member.id);
  }
  return revoked;
}

}  // namespace

void AddPolicyRoutes(http::Router& router, OrganizationRoutesContext& context) {
  OrganizationRoutesContext* c = &context;
  const auto add = [&](std::string method, std::string_view path, api::UserHandler handler) {
    router.Add(std::move(method), path, api::Authenticated(context.accounts.api, std::move(handler)),
               http::Execution::kBlocking);
  };
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
    Policy saved_policy;
    std::vector<std::string> revoked;
    const Status saved = c->accounts.api.database.Transact([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(Member caller, CallerMembership(session, *organization_id, user.id));
      KW_RETURN_IF_ERROR(Require(caller.role().ManagesPolicies()));
      KW_RETURN_IF_ERROR(CheckDependencies(session, *organization_id, *type, update->enabled));
      KW_ASSIGN_OR_RETURN(std::optional<Policy> existing, organizations::FindPolicy(session, *organization_id, *type));
      saved_policy = existing ? *existing : Policy{*new_id, *organization_id, *type, false, "", now, now};
      const bool turned_on = update->enabled && !saved_policy.enabled;
      saved_policy.enabled = update->enabled;
      saved_policy.data = update->data;
      saved_policy.revision_date = now;
      KW_RETURN_IF_ERROR(organizations::SavePolicy(session, saved_policy));
      revoked.clear();
      if (turned_on) {
        KW_ASSIGN_OR_RETURN(revoked, EnforceOnMembers(session, *organization_id, *type, now));
      }
      return organizations::TouchMembers(session, *organization_id, now);
    });
    if (saved.ok()) {
      events::Event event = organizations::internal::OrganizationEvent(events::EventType::kPolicyUpdated,
                                                                       *organization_id, user.id, request, now);
      event.policy_id = saved_policy.id;
      c->accounts.api.events.Record(std::move(event));
      const events::EventType reason = *type == static_cast<int>(PolicyType::kSingleOrg)
                                           ? events::EventType::kMemberRevokedForSingleOrgPolicy
                                           : events::EventType::kMemberRevokedForTwoStepLoginPolicy;
      for (const std::string& member_id : revoked) {
        events::Event revoke =
            organizations::internal::OrganizationEvent(reason, *organization_id, user.id, request, now);
        revoke.organization_user_id = member_id;
        c->accounts.api.events.Record(std::move(revoke));
      }
    }
    return Answer(saved, saved.ok() ? organizations::PolicyJson(saved_policy) : nlohmann::json());
  };
  add("PUT", "/api/organizations/{orgId}/policies/{type}", save);
  add("PUT", "/api/organizations/{orgId}/policies/{type}/vnext", save);
}

}  // namespace keywarden::server
