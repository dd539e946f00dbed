// Secret verification: how a caller proves it is the account holder before a sensitive change
// (the reference's SecretVerificationRequestModel and UserService.VerifySecretAsync).
//
// The body carries the secret as `masterPasswordHash` or, when that is empty, `otp`. It is
// accepted when it is the account's master password hash (accounts that have one), or the
// account's pending verification code: six digits mailed by POST /api/accounts/request-otp.
// As in the reference, a code is accepted from accounts with a master password too (a member on
// a trusted device may not know it), and it is:
//   - valid 5 minutes from when it was mailed; asking again replaces it;
//   - used once: the first check it passes consumes it;
//   - bound to the security stamp: a new password, "log out all sessions" or a new address voids it;
//   - compared in constant time (two_factor::SameHash over SHA-256 hashes; only the hash is stored,
//     in one_time_codes under purpose "otp");
//   - beyond the reference, void after 5 wrong attempts, as the two-step login code.
// Routes that accept either: API key (view, rotate), log out all sessions, delete the account,
// purge the vault, delete an organisation, account recovery enrolment, two-step login settings,
// trusted-device update. The master password alone (VerifyMasterPassword) still guards what needs
// it: changes of password, KDF and e-mail address.
#ifndef KEYWARDEN_SERVER_ACCOUNTS_SECRET_VERIFICATION_H_
#define KEYWARDEN_SERVER_ACCOUNTS_SECRET_VERIFICATION_H_

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "http/http_types.h"
#include "keywarden/status.h"
#include "server/accounts/account_routes.h"
#include "server/store/users.h"

namespace keywarden::server {

// How long a mailed verification code stays valid (the reference's EmailTokenProvider: 5 minutes).
inline constexpr int kVerificationCodeMinutes = 5;

// Whether `body`'s secret proves `user` (see above); consumes the code when it is one.
// Fails only when the database does.
Result<bool> VerifySecret(const AccountRoutesContext& context, const store::User& user, const nlohmann::json& body);

// nullopt when `body`'s secret proves `user`; otherwise the answer to give: 400 with `message`
// (the reference's "User verification failed." unless a route has its own), or the database
// failure's.
std::optional<http::HttpResponse> RefuseUnverified(const AccountRoutesContext& context, const store::User& user,
                                                   const nlohmann::json& body,
                                                   std::string_view message = "User verification failed.");

// Makes a new verification code for `user`, replacing any pending one, and mails it to the
// account's address with context.send_verification_code. kInvalidArgument (a 400 through
// api::FromStatus) when the server has no mail.
Status SendVerificationCode(const AccountRoutesContext& context, const store::User& user);

// Whether `code` is the user's pending verification code; consumes it when it is.
Result<bool> ConsumeVerificationCode(const AccountRoutesContext& context, const store::User& user,
                                     std::string_view code);

}  // namespace keywarden::server

#endif  // KEYWARDEN_SERVER_ACCOUNTS_SECRET_VERIFICATION_H_
