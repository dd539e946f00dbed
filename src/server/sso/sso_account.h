// Which account a single sign-on login signs in (docs member-decryption.md 7.6; the
// reference's SSO AccountController): only what the organisation's identity provider vouches
// for decides it.
//
//  1. An account already linked to the provider's subject (the sso_users table) is that account.
//  2. Otherwise an existing account is linked if it is an Accepted or Confirmed member of the
//     organisation and either it claimed this login itself (manual linking: a signed-in account
//     asked for a link token, GET /api/accounts/sso/user-identifier, and the login carried it)
//     or the e-mail claim names it and the provider says the address is verified. A member still
//     Invited accepts the invitation with a password first; an account outside the organisation
//     is never taken over (the reference's refusals). That the address be verified is
//     Keywarden's own rule: an e-mail claim alone links nothing.
//  3. Otherwise a new account is provisioned just in time, without keys or a master password,
//     with an Invited membership (the invitation of that address if there is one): it stays
//     Invited until the client sets its keys (set-password, set-key-connector-key or the
//     account recovery enrolment of trusted devices accept it).
// A revoked member never signs in. Linking (2, 3) is a first SSO login, event 1510, or, when it
// replaces the account's link to another subject, event 1509.
//
// Thread-safe; no state.
#ifndef KEYWARDEN_SERVER_SSO_SSO_ACCOUNT_H_
#define KEYWARDEN_SERVER_SSO_SSO_ACCOUNT_H_

#include <string>

#include <nlohmann/json.hpp>

#include "base/time.h"
#include "keywarden/status.h"
#include "server/organizations/member_store.h"
#include "server/organizations/organization_store.h"
#include "server/sso/sso_config.h"
#include "server/store/users.h"
#include "sql/database.h"

namespace keywarden::server::sso {

// The person the provider's claims describe.
struct SsoIdentity {
  std::string external_id;  // the subject, or the configuration's additional user id claim
  std::string email;        // lower case; empty when no claim holds one
  bool email_verified = false;
  std::string name;
};

// From the ID token's (and UserInfo's) claims: the configuration's additional claim types are
// tried before the standard ones, as the reference does. An `external_id` is always set (the
// token was checked to have a subject).
SsoIdentity IdentityFromClaims(const nlohmann::json& claims, const SsoConfigData& config);

struct SsoSignIn {
  store::User user;
  organizations::Member member;
  bool first_login = false;  // linked now: event 1510
  bool relinked = false;     // linked now in place of another subject: event 1509
};

// The account `identity` signs in to `organization`, linking or provisioning it as above;
// `claimed_user_id` is the account that claimed the login with a link token, or empty.
// kAuthenticationFailed with a message for the person signing in when it is refused.
Result<SsoSignIn> ResolveSsoAccount(sql::Session& session, const organizations::Organization& organization,
                                    const SsoIdentity& identity, std::string_view claimed_user_id, TimeMs now);

// Removes `user_id`'s link to `organization_id`'s identity provider; whether there was one.
Result<bool> UnlinkSsoAccount(sql::Session& session, std::string_view organization_id, std::string_view user_id);

}  // namespace keywarden::server::sso

#endif  // KEYWARDEN_SERVER_SSO_SSO_ACCOUNT_H_
