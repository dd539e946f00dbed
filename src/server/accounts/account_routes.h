// The account's own API routes (core.md 5), each for the caller only:
//   GET  /api/accounts/profile, PUT /api/accounts/profile      name, culture, hint
//   GET  /api/accounts/revision-date                           ms since the epoch: sync when it moves
//   POST /api/accounts/key-management/user-key-id              stored once; the same id again is OK
//   GET/POST /api/accounts/keys                                the key pair (set once)
//   POST /api/accounts/api-key, /api/accounts/rotate-api-key   the personal API key's secret
//   POST /api/accounts/security-stamp                          ends every session
//   POST /api/accounts/password, /api/accounts/kdf             new hash and re-wrapped user key
//   POST /api/accounts/email-token, /api/accounts/email        change of address, proven by a code;
//                                                              refused for Key Connector accounts
//                                                              (400 "You cannot change your email
//                                                              when using Key Connector.")
//   POST /api/accounts/request-otp                             mails a verification code (6 digits,
//                                                              5 minutes; accounts/secret_verification.h)
//   POST /api/accounts/verify-otp                              {otp}: uses the code; 400 with
//                                                              validationErrors {Token: ["Invalid token"]}
//                                                              when it is not the pending one
//   DELETE /api/accounts, POST /api/accounts/delete            deletes the account and its vault
//   GET  /api/config                                           server settings, no feature flags
// Every change that proves the caller checks it first (400 "User verification failed." when
// wrong, as the reference): the API key, "log out all sessions" and deleting the account take the
// master password hash or a verification code (VerifySecret); password, KDF and address changes
// the master password only. Changes of password, KDF, keys or address rotate the security
// stamp, which ends every session of the account.
#ifndef KEYWARDEN_SERVER_ACCOUNTS_ACCOUNT_ROUTES_H_
#define KEYWARDEN_SERVER_ACCOUNTS_ACCOUNT_ROUTES_H_

#include <functional>
#include <string>
#include <string_view>

#include "http/router.h"
#include "keywarden/crypto/secure_buffer.h"
#include "server/api/api_context.h"
#include "server/identity/hashing_gate.h"
#include "server/identity/password_hasher.h"
#include "server/store/users.h"
#include "sql/database.h"

namespace keywarden::server {

struct AccountRoutesContext {
  api::ApiContext& api;
  const identity::PasswordHasher& hasher;
  identity::HashingGate& gate;
  std::string public_url;
  bool signups_disabled = false;
  // Mails an e-mail change code to the new address; empty without mail.
  std::function<Status(const std::string& new_email, const std::string& code)> send_email_change_code;
  // Mails a verification code (POST /api/accounts/request-otp) to the account's address; empty
  // without mail.
  std::function<Status(const std::string& email, const std::string& code)> send_verification_code;
};

void AddAccountRoutes(http::Router& router, AccountRoutesContext& context);

// Saves `user`, read before the change (store::UpdateUser: kConflict if another request changed
// the account since), with `also` in the same transaction. With `end_sessions`, a new security
// stamp: every refresh token of the account is revoked and access tokens fail their next check.
Status SaveAccount(AccountRoutesContext& context, store::User& user, bool end_sessions,
                   const std::function<Status(sql::Session&)>& also = {});

// The stored form of a new master password: Argon2id over the client's hash, paced by the
// hashing gate. HashNewPassword parses the client's field first (field errors name `field`).
Result<std::string> HashMasterPassword(AccountRoutesContext& context, const SecureBuffer& client_hash);
Result<std::string> HashNewPassword(AccountRoutesContext& context, const nlohmann::json& value, std::string_view field);

// Whether `hash_field` (the client's master password hash, base64) matches the account: the
// check before any change. False also for a malformed value or an account without a password.
bool VerifyMasterPassword(const AccountRoutesContext& context, const store::User& user, const nlohmann::json& body);

}  // namespace keywarden::server

#endif  // KEYWARDEN_SERVER_ACCOUNTS_ACCOUNT_ROUTES_H_
