// The membership a member provisioned by single sign-on (docs member-decryption.md 7.6) names
// by its organisation's SSO identifier when it sets its keys (set-key-connector-key,
// set-password): found with the reference's refusals, and accepted there, since a provisioned
// member stays Invited until its account can decrypt.
#ifndef KEYWARDEN_SERVER_ACCOUNTS_SSO_MEMBERSHIP_H_
#define KEYWARDEN_SERVER_ACCOUNTS_SSO_MEMBERSHIP_H_

#include <string_view>

#include "base/time.h"
#include "keywarden/status.h"
#include "server/organizations/member_store.h"
#include "server/organizations/organization_store.h"
#include "server/store/users.h"
#include "sql/database.h"

namespace keywarden::server {

struct SsoMembership {
  organizations::Organization organization;
  organizations::Member member;
};

// The account's membership of the organisation whose SSO identifier is `identifier`:
// kInvalidArgument `unknown_organization` when no organisation has it, "User not found within
// organization." when the account is not a member (any status).
Result<SsoMembership> FindSsoMembership(sql::Session& session, std::string_view identifier, std::string_view user_id,
                                        std::string_view unknown_organization);

// Invited -> Accepted, with every check acceptance makes (single organisation, two-step login;
// organizations::internal::CheckMayJoin). Another status is left as it is, unless
// `only_invited`: then a revoked membership is refused as the reference refuses it ("Your access
// to the <name> vault has been revoked.") and an accepted or confirmed one with "Already
// accepted.". Moves the account revision date when it accepts.
Status AcceptSsoMembership(sql::Session& session, SsoMembership& membership, const store::User& account,
                           bool only_invited, TimeMs now);

}  // namespace keywarden::server

#endif  // KEYWARDEN_SERVER_ACCOUNTS_SSO_MEMBERSHIP_H_
