// A member's place in an organisation: type, status and, for custom members, permissions, with
// the reference's numbers (docs core.md 7.5), and what each lets the member do.
//
// Rights belong to confirmed members only, as the reference's current context counts them: an
// invited, accepted or revoked member has none, whatever their type. Owners and admins hold every
// permission; custom members hold the ones set; users none.
//
// Thread-safe; no state.
#ifndef KEYWARDEN_SERVER_ORGANIZATIONS_MEMBER_ROLE_H_
#define KEYWARDEN_SERVER_ORGANIZATIONS_MEMBER_ROLE_H_

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "keywarden/status.h"

namespace keywarden::server::organizations {

enum class MemberType { kOwner = 0, kAdmin = 1, kUser = 2, kCustom = 4 };
enum class MemberStatus { kRevoked = -1, kInvited = 0, kAccepted = 1, kConfirmed = 2 };

// nullopt for numbers the reference does not define (3, the removed Manager, included).
std::optional<MemberType> MemberTypeFromInt(long long value);
std::optional<MemberStatus> MemberStatusFromInt(long long value);

// A custom member's permissions (the reference's Permissions.cs); every one false by default.
struct MemberPermissions {
  bool access_event_logs = false;
  bool access_import_export = false;
  bool access_reports = false;
  bool create_new_collections = false;
  bool edit_any_collection = false;
  bool delete_any_collection = false;
  bool manage_groups = false;
  bool manage_policies = false;
  bool manage_sso = false;
  bool manage_users = false;
  bool manage_reset_password = false;
  bool manage_scim = false;

  bool operator==(const MemberPermissions&) const = default;
  // Every permission of this one is also in `other`.
  bool IsSubsetOf(const MemberPermissions& other) const;
};

// {"accessEventLogs": bool, ...}: members matched without regard to case; unknown ones ignored
// (clients add permissions over time); null is all false. A member that is not a boolean is a
// field error naming "Permissions.<Name>".
Result<MemberPermissions> ParsePermissions(const nlohmann::json& permissions);
// Every permission, camelCase, as the clients read them.
nlohmann::json PermissionsJson(const MemberPermissions& permissions);

// What the caller is in one organisation, for the authorization checks below.
struct MemberRole {
  MemberType type = MemberType::kUser;
  MemberStatus status = MemberStatus::kInvited;
  MemberPermissions permissions;  // meaningful for kCustom only

  bool confirmed() const { return status == MemberStatus::kConfirmed; }
  bool IsOwner() const { return confirmed() && type == MemberType::kOwner; }
  // Owner or admin.
  bool IsAdmin() const { return confirmed() && (type == MemberType::kOwner || type == MemberType::kAdmin); }
  // The permission, held as admin or owner or granted to a custom member.
  bool Has(bool MemberPermissions::*permission) const {
    return IsAdmin() || (confirmed() && type == MemberType::kCustom && permissions.*permission);
  }
  bool ManagesUsers() const { return Has(&MemberPermissions::manage_users); }
  bool ManagesGroups() const { return Has(&MemberPermissions::manage_groups); }
  bool ManagesPolicies() const { return Has(&MemberPermissions::manage_policies); }
  bool AccessesEventLogs() const { return Has(&MemberPermissions::access_event_logs); }
  bool ManagesResetPassword() const { return Has(&MemberPermissions::manage_reset_password); }
  bool CreatesCollections() const { return Has(&MemberPermissions::create_new_collections); }
  bool EditsAnyCollection() const { return Has(&MemberPermissions::edit_any_collection); }
  bool DeletesAnyCollection() const { return Has(&MemberPermissions::delete_any_collection); }
  // Sees every collection of the organisation (the clients' canViewAllCollections).
  bool ViewsAllCollections() const { return CreatesCollections() || EditsAnyCollection() || DeletesAnyCollection(); }
};

// Whether `actor` may give a member of type `old_type` the type `new_type` with `new_permissions`
// (invite, edit, confirm): OK, or kInvalidArgument with the reference's message. Only owners
// configure owners; custom members manage neither admins nor owners and grant only permissions
// they hold themselves, so that nobody raises anyone's rights above their own. `old_type` is
// `new_type` for an invitation.
Status CheckMayAssign(const MemberRole& actor, MemberType old_type, MemberType new_type,
                      const MemberPermissions& new_permissions);

}  // namespace keywarden::server::organizations

#endif  // KEYWARDEN_SERVER_ORGANIZATIONS_MEMBER_ROLE_H_
