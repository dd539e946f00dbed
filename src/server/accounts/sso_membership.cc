#include "server/accounts/sso_membership.h"

#include <optional>
#include <string>

#include "server/organizations/internal/member_checks.h"

namespace keywarden::server {

using organizations::Member;
using organizations::MemberStatus;

Result<SsoMembership> FindSsoMembership(sql::Session& session, std::string_view identifier, std::string_view user_id,
                                        std::string_view unknown_organization) {
  if (identifier.empty()) return InvalidArgumentError(std::string(unknown_organization));
  KW_ASSIGN_OR_RETURN(std::optional<organizations::Organization> organization,
                      organizations::FindOrganizationByIdentifier(session, identifier));
  if (!organization) return InvalidArgumentError(std::string(unknown_organization));
  KW_ASSIGN_OR_RETURN(std::optional<Member> member,
                      organizations::FindMembershipOf(session, organization->id, user_id));
  if (!member) return InvalidArgumentError("User not found within organization.");
  return SsoMembership{*std::move(organization), *std::move(member)};
}

Status AcceptSsoMembership(sql::Session& session, SsoMembership& membership, const store::User& account,
                           bool only_invited, TimeMs now) {
  Member& member = membership.member;
  if (member.status != MemberStatus::kInvited) {
    if (!only_invited) return OkStatus();
    if (member.status == MemberStatus::kRevoked) {
      return InvalidArgumentError("Your access to the " + membership.organization.name + " vault has been revoked.");
    }
    return InvalidArgumentError("Already accepted.");
  }
  KW_RETURN_IF_ERROR(organizations::internal::CheckMayJoin(session, member, account.id, account.email,
                                                           organizations::internal::JoinStep::kAccept));
  member.status = MemberStatus::kAccepted;
  member.user_id = account.id;
  member.email.clear();
  member.invite_token_hash.clear();
  member.invite_expiration.reset();
  member.revision_date = now;
  KW_RETURN_IF_ERROR(organizations::UpdateMember(session, member));
  return store::TouchAccountRevision(session, account.id, now);
}

}  // namespace keywarden::server
