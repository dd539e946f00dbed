// The organization_users table: one row per member of an organisation, from invitation to
// confirmation (and revocation). Functions run inside a unit of work.
#ifndef KEYWARDEN_SERVER_ORGANIZATIONS_MEMBER_STORE_H_
#define KEYWARDEN_SERVER_ORGANIZATIONS_MEMBER_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"
#include "keywarden/status.h"
#include "server/organizations/member_role.h"
#include "server/organizations/organization_store.h"
#include "sql/database.h"

namespace keywarden::server::organizations {

struct Member {
  std::string id;  // the organisation user id the clients name members by
  std::string organization_id;
  std::string user_id;  // empty while only invited
  std::string email;    // the invited address (lower case); empty once linked to an account
  MemberType type = MemberType::kUser;
  MemberStatus status = MemberStatus::kInvited;
  MemberPermissions permissions;
  std::string member_key;          // the organisation key encapsulated to the member; once confirmed
  std::string reset_password_key;  // account recovery enrolment; empty when not enrolled
  bool access_secrets_manager = false;
  std::string external_id;
  std::vector<std::uint8_t> invite_token_hash;  // SHA-256 of the invitation token; empty when none
  std::optional<TimeMs> invite_expiration;
  TimeMs creation_date = 0;
  TimeMs revision_date = 0;

  MemberRole role() const { return {type, status, permissions}; }
  // The status a revoked member returns to on restore: what the row holds decides it.
  MemberStatus RestoredStatus() const;
};

// kAlreadyExists when the account or address is already a member of the organisation.
Status InsertMember(sql::Session& session, const Member& member);
// Writes every column but id, organization_id and creation_date. kNotFound when absent.
Status UpdateMember(sql::Session& session, const Member& member);
Result<bool> DeleteMember(sql::Session& session, std::string_view organization_id, std::string_view id);

// The member `id` of the organisation; nullopt when absent or another organisation's.
Result<std::optional<Member>> FindMember(sql::Session& session, std::string_view organization_id, std::string_view id);
// The account's membership of the organisation, whatever its status; nullopt when none.
Result<std::optional<Member>> FindMembershipOf(sql::Session& session, std::string_view organization_id,
                                               std::string_view user_id);
// The invitation of `email` (lower case) to the organisation not yet linked to an account.
Result<std::optional<Member>> FindInvitation(sql::Session& session, std::string_view organization_id,
                                             std::string_view email);
// Every member of the organisation, oldest first.
Result<std::vector<Member>> ListMembers(sql::Session& session, std::string_view organization_id);
// Every membership of the account, any status, oldest first.
Result<std::vector<Member>> ListMembershipsOf(sql::Session& session, std::string_view user_id);
struct Membership {
  Member member;
  Organization organization;
};
// Which of an account's memberships a list shows: the sync and the profile carry confirmed ones
// (the clients take the organisation keys from there); the account's own organisation list also
// shows those not yet confirmed, so an accepted member can find the organisation.
enum class MembershipScope { kConfirmed, kNotRevoked };
// The account's memberships in `scope` with their organisations, in one statement, oldest first.
Result<std::vector<Membership>> ListMembershipsWithOrganizationsOf(sql::Session& session, std::string_view user_id,
                                                                   MembershipScope scope);
// Whether the account is the only confirmed owner of some organisation (which would be left
// without one if the account went).
Result<bool> IsSoleOwnerSomewhere(sql::Session& session, std::string_view user_id);
// Confirmed owners of the organisation.
Result<std::int64_t> CountConfirmedOwners(sql::Session& session, std::string_view organization_id);

}  // namespace keywarden::server::organizations

#endif  // KEYWARDEN_SERVER_ORGANIZATIONS_MEMBER_STORE_H_
