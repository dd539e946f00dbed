// The first master password of an account that has none (docs member-decryption.md 4.4, 7.6),
// for the caller only:
//   POST /api/accounts/set-password   a member provisioned by single sign-on into a master
//        password organisation, or a trusted-devices member who must set one. The older body
//        {masterPasswordHash, key, keys?, kdf, kdfIterations, kdfMemory?, kdfParallelism?,
//        masterPasswordHint?, orgIdentifier} or the 2026 one {masterPasswordAuthentication,
//        masterPasswordUnlock, accountKeys?, masterPasswordHint?, orgIdentifier}; the 2026 body
//        without accountKeys is the trusted-devices one (the account must have its key pair).
//        Stores the password (hashed as at registration), user key, KDF and hint, and the key
//        pair if the account has none; accepts the Invited membership of the organisation
//        named by orgIdentifier (not for the trusted-devices body, as the reference: that member
//        was accepted at enrolment); event 1001. The sessions stay (the reference does not
//        rotate the stamp here).
//   PUT  /api/accounts/update-tde-offboarding-password   {newMasterPasswordHash, key,
//        masterPasswordHint} or {authenticationData, unlockData, masterPasswordHint}: a
//        trusted-devices member whose organisation went back to master passwords. The account
//        must have no password and exactly one organisation with single sign-on on, whose
//        member decryption is now master password (0). New security stamp, LogOut push,
//        event 1011.
// Refusals are the reference's 400s (an account that has a password, a user key, or uses Key
// Connector; an unknown organisation identifier; not a member).
#ifndef KEYWARDEN_SERVER_ACCOUNTS_SET_PASSWORD_ROUTES_H_
#define KEYWARDEN_SERVER_ACCOUNTS_SET_PASSWORD_ROUTES_H_

#include "http/router.h"
#include "server/accounts/account_routes.h"

namespace keywarden::server {

void AddSetPasswordRoutes(http::Router& router, AccountRoutesContext& context);

}  // namespace keywarden::server

#endif  // KEYWARDEN_SERVER_ACCOUNTS_SET_PASSWORD_ROUTES_H_
