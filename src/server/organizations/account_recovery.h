// Account recovery (docs member-decryption.md 4): the organisation's policy and who may recover
// whom. The routes are in recovery_routes.cc; these are the rules they apply, kept apart so that
// the hierarchy can be tested as the table it is.
//
// A member enrols by giving the organisation their user key encapsulated to its public key (the
// member's reset_password_key). An administrator who may recover them opens it with the
// organisation's private key, in their own client, and sets a new master password; the server
// only checks who asks and stores what the client sent.
#ifndef KEYWARDEN_SERVER_ORGANIZATIONS_ACCOUNT_RECOVERY_H_
#define KEYWARDEN_SERVER_ORGANIZATIONS_ACCOUNT_RECOVERY_H_

#include <string_view>

#include "keywarden/status.h"
#include "server/organizations/member_role.h"
#include "server/organizations/member_store.h"
#include "sql/database.h"

namespace keywarden::server::organizations {

// The account recovery administration policy (type 8) of an organisation.
struct RecoveryPolicy {
  bool enabled = false;
  bool auto_enroll = false;  // "autoEnrollEnabled": members enrol on joining and cannot withdraw
};
Result<RecoveryPolicy> ReadRecoveryPolicy(sql::Session& session, std::string_view organization_id);

// Whether `caller` may see members' recovery details at all: owners, admins, and custom members
// with manageResetPassword, confirmed.
bool ManagesAccountRecovery(const MemberRole& caller);

// The reference's hierarchy: only an owner recovers an owner; owners and admins recover admins;
// whoever manages account recovery recovers users and custom members. Nobody recovers themselves
// here (a member who forgot their password cannot be logged in to ask).
bool MayRecover(const MemberRole& caller, MemberType target);

// Whether `target` is a member whose account can be recovered: linked to an account, accepted,
// confirmed or revoked, and enrolled. The reference's "Organization User not valid." otherwise.
bool IsRecoverable(const Member& target);

}  // namespace keywarden::server::organizations

#endif  // KEYWARDEN_SERVER_ORGANIZATIONS_ACCOUNT_RECOVERY_H_
