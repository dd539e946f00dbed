#include "server/organizations/internal/member_checks.h"

#include <vector>

#include "server/organizations/policy_store.h"
#include "server/two_factor/two_factor_login.h"

namespace keywarden::server::organizations::internal {
namespace {

enum class SingleOrgBreach { kNone, kMemberOfAnother, kForbiddenByAnother };

bool IsExemptType(MemberType type) { return type == MemberType::kOwner || type == MemberType::kAdmin; }
bool IsExemptType(int type) {
  return type == static_cast<int>(MemberType::kOwner) || type == static_cast<int>(MemberType::kAdmin);
}
bool IsActive(int status) {
  return status == static_cast<int>(MemberStatus::kAccepted) || status == static_cast<int>(MemberStatus::kConfirmed);
}

Result<bool> PolicyEnabled(sql::Session& session, std::string_view organization_id, PolicyType type) {
  KW_ASSIGN_OR_RETURN(std::optional<Policy> policy, FindPolicy(session, organization_id, static_cast<int>(type)));
  return policy.has_value() && policy->enabled;
}

Result<SingleOrgBreach> CheckSingleOrg(sql::Session& session, const Member& member, std::string_view user_id) {
  if (!IsExemptType(member.type)) {
    KW_ASSIGN_OR_RETURN(const bool target, PolicyEnabled(session, member.organization_id, PolicyType::kSingleOrg));
    if (target && !user_id.empty()) {
      KW_ASSIGN_OR_RETURN(std::vector<Member> memberships, ListMembershipsOf(session, user_id));
      for (const Member& other : memberships) {
        if (other.organization_id != member.organization_id) return SingleOrgBreach::kMemberOfAnother;
      }
    }
  }
  if (user_id.empty()) return SingleOrgBreach::kNone;
  KW_ASSIGN_OR_RETURN(std::vector<MemberPolicy> others,
                      ListEnabledPoliciesOf(session, user_id, static_cast<int>(PolicyType::kSingleOrg)));
  for (const MemberPolicy& other : others) {
    if (other.policy.organization_id == member.organization_id) continue;
    if (!IsExemptType(other.member_type) && IsActive(other.member_status)) return SingleOrgBreach::kForbiddenByAnother;
  }
  return SingleOrgBreach::kNone;
}

Result<bool> BreachesTwoFactor(sql::Session& session, const Member& member, std::string_view user_id) {
  if (IsExemptType(member.type) || user_id.empty()) return false;
  KW_ASSIGN_OR_RETURN(const bool required,
                      PolicyEnabled(session, member.organization_id, PolicyType::kTwoFactorAuthentication));
  if (!required) return false;
  KW_ASSIGN_OR_RETURN(const bool enabled, TwoFactorEnabled(session, user_id));
  return !enabled;
}

}  // namespace

Status CheckMayJoin(sql::Session& session, const Member& member, std::string_view user_id, std::string_view email,
                    JoinStep step) {
  KW_ASSIGN_OR_RETURN(const SingleOrgBreach single_org, CheckSingleOrg(session, member, user_id));
  KW_ASSIGN_OR_RETURN(const bool two_factor, BreachesTwoFactor(session, member, user_id));
  const std::string who(email);
  switch (step) {
    case JoinStep::kAccept:
      if (single_org == SingleOrgBreach::kMemberOfAnother) {
        return InvalidArgumentError(
            "Member cannot join this organization vault until they leave all other organization vaults.");
      }
      if (single_org == SingleOrgBreach::kForbiddenByAnother) {
        return InvalidArgumentError(
            "Member cannot join this organization's vault because they are a member of another organization which "
            "forbids it.");
      }
      if (two_factor) {
        return InvalidArgumentError(
            "You cannot join this organization vault until you enable two-step login on your user account.");
      }
      return OkStatus();
    case JoinStep::kConfirm:
      if (single_org == SingleOrgBreach::kMemberOfAnother) {
        return InvalidArgumentError(who + " cannot be confirmed until they leave all other organization vaults.");
      }
      if (single_org == SingleOrgBreach::kForbiddenByAnother) {
        return InvalidArgumentError(
            who + " cannot be confirmed because they are a member of another organization which forbids it.");
      }
      if (two_factor) return InvalidArgumentError("User does not have two-step login enabled.");
      return OkStatus();
    case JoinStep::kRestore:
      if (single_org != SingleOrgBreach::kNone && two_factor) {
        return InvalidArgumentError(
            who + " is not compliant with the single organization membership and two-step login policy.");
      }
      if (single_org == SingleOrgBreach::kMemberOfAnother) {
        return InvalidArgumentError(who + " cannot be restored until they leave all other organization vaults.");
      }
      if (single_org == SingleOrgBreach::kForbiddenByAnother) {
        return InvalidArgumentError(
            who + " cannot be restored because they are a member of another organization which forbids it.");
      }
      if (two_factor) return InvalidArgumentError(who + " is not compliant with the two-step login policy.");
      return OkStatus();
  }
  return OkStatus();
}

}  // namespace keywarden::server::organizations::internal
