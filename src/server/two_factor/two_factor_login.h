// TwoFactorLogin: the second step of a password login (core.md 3.6), and the providers' records.
//
// Providers: 0 authenticator app (TOTP; a code's time step is used once), 1 e-mail code, 5 a
// "remember me" token from an earlier login, 8 the recovery code (which turns two-step login off,
// as the reference does). Without a token, an account with a provider enabled gets the answer
// the clients prompt on: 400 {"error": "invalid_grant", "TwoFactorProviders2": {...}}.
//
// Records live in two_factor_providers (data: the provider's JSON; the authenticator's secret is
// kept as the reference keeps it, since the server must compute codes), two_factor_remembered and
// one_time_codes (hashes only).
#ifndef KEYWARDEN_SERVER_TWO_FACTOR_TWO_FACTOR_LOGIN_H_
#define KEYWARDEN_SERVER_TWO_FACTOR_TWO_FACTOR_LOGIN_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/time.h"
#include "http/http_types.h"
#include "keywarden/status.h"
#include "server/store/users.h"
#include "sql/database.h"

namespace keywarden::server {

class Form;

enum TwoFactorProvider { kAuthenticator = 0, kEmail = 1, kRemember = 5, kRecoveryCode = 8 };

// The enabled providers of an account, with their data.
Result<std::map<int, nlohmann::json>> EnabledProviders(sql::Session& session, std::string_view user_id);
// Whether the account has a login provider on (authenticator or e-mail).
Result<bool> TwoFactorEnabled(sql::Session& session, std::string_view user_id);
// Stores a provider's record (enabled or not).
Status SaveProvider(sql::Session& session, std::string_view user_id, int provider, bool enabled,
                    const nlohmann::json& data, TimeMs now);
// Turns every provider off and forgets remembered devices (the recovery code's effect).
Status DisableAllProviders(sql::Session& session, std::string_view user_id);

// Checks `code` against the account's pending e-mail code (used once, 5 attempts, 10 minutes);
// true and consumed when it matches.
Result<bool> ConsumeEmailCode(sql::Session& session, std::string_view user_id, std::string_view code, TimeMs now);

struct TwoFactorOutcome {
  std::optional<http::HttpResponse> response;  // set: answer this instead of the tokens
  bool failed = false;                         // a wrong code (counts as a failed login)
  std::string remember_token;                  // issued when the client asked to be remembered
  std::optional<int> provider;                 // the provider whose token the client sent, if any
};

class TwoFactorLogin {
 public:
  using SendCode = std::function<Status(const store::User& user, const std::string& code)>;
  TwoFactorLogin(sql::Database& database, SendCode send_email_code)
      : database_(database), send_email_code_(std::move(send_email_code)) {}

  // After the password matched: nothing to do, the answer to give instead, or a remember token.
  Result<TwoFactorOutcome> Check(const store::User& user, const Form& form, std::string_view client_address,
                                 TimePoint now) const;

  // Mails a login code to the account's two-step address (e-mail provider), valid 10 minutes.
  Status SendLoginCode(const store::User& user, TimePoint now) const;

  bool can_send_mail() const { return static_cast<bool>(send_email_code_); }

 private:
  Result<bool> Verify(const store::User& user, int provider, std::string_view token, TimePoint now) const;

  sql::Database& database_;
  SendCode send_email_code_;
};

// "j***@example.com": how the two-step answer shows the address a code goes to.
std::string MaskEmail(std::string_view email);

}  // namespace keywarden::server

#endif  // KEYWARDEN_SERVER_TWO_FACTOR_TWO_FACTOR_LOGIN_H_
