#include "server/organizations/policy_rules.h"

#include <optional>
#include <utility>

#include "server/organizations/internal/route_support.h"
#include "server/organizations/member_store.h"
#include "server/two_factor/two_factor_login.h"

namespace keywarden::server::organizations {
namespace {

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
                        FindPolicy(session, organization_id, static_cast<int>(PolicyType::kSingleOrg)));
    if (!single || !single->enabled) {
      return InvalidArgumentError(
          std::string("Turn on the Single organization policy because it is required for the ") + PolicyName(type) +
          " policy.");
    }
  }
  if (!enabled && type == static_cast<int>(PolicyType::kSingleOrg)) {
    std::vector<int> dependents;
    for (int t : kNeedSingleOrg) {
      KW_ASSIGN_OR_RETURN(std::optional<Policy> dependent, FindPolicy(session, organization_id, t));
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
  KW_ASSIGN_OR_RETURN(std::vector<Member> members, ListMembers(session, organization_id));
  for (Member& member : members) {
    if (member.type == MemberType::kOwner || member.type == MemberType::kAdmin) continue;
    if (member.status != MemberStatus::kAccepted && member.status != MemberStatus::kConfirmed) continue;
    bool breaches = false;
    if (type == static_cast<int>(PolicyType::kSingleOrg)) {
      KW_ASSIGN_OR_RETURN(std::vector<Member> memberships, ListMembershipsOf(session, member.user_id));
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
    KW_RETURN_IF_ERROR(UpdateMember(session, member));
    revoked.push_back(member.id);
  }
  return revoked;
}

}  // namespace

Result<SavedPolicy> SavePolicyWithRules(sql::Session& session, std::string_view organization_id, int type, bool enabled,
                                        const std::string& data, const std::string& new_id, TimeMs now) {
  KW_RETURN_IF_ERROR(CheckDependencies(session, organization_id, type, enabled));
  KW_ASSIGN_OR_RETURN(std::optional<Policy> existing, FindPolicy(session, organization_id, type));
  SavedPolicy out;
  out.policy = existing ? *existing : Policy{new_id, std::string(organization_id), type, false, "", now, now};
  const bool turned_on = enabled && !out.policy.enabled;
  out.policy.enabled = enabled;
  out.policy.data = data;
  out.policy.revision_date = now;
  KW_RETURN_IF_ERROR(SavePolicy(session, out.policy));
  if (turned_on) {
    KW_ASSIGN_OR_RETURN(out.revoked, EnforceOnMembers(session, organization_id, type, now));
  }
  return out;
}

void RecordPolicySaved(events::EventLog& log, const SavedPolicy& saved, std::string_view actor,
                       const http::HttpRequest& request, TimeMs now) {
  const std::string& organization_id = saved.policy.organization_id;
  events::Event event =
      internal::OrganizationEvent(events::EventType::kPolicyUpdated, organization_id, actor, request, now);
  event.policy_id = saved.policy.id;
  log.Record(std::move(event));
  const events::EventType reason = saved.policy.type == static_cast<int>(PolicyType::kSingleOrg)
                                       ? events::EventType::kMemberRevokedForSingleOrgPolicy
                                       : events::EventType::kMemberRevokedForTwoStepLoginPolicy;
  for (const std::string& member_id : saved.revoked) {
    events::Event revoke = internal::OrganizationEvent(reason, organization_id, actor, request, now);
    revoke.organization_user_id = member_id;
    log.Record(std::move(revoke));
  }
}

}  // namespace keywarden::server::organizations
