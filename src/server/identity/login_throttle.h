// LoginThrottle: pauses logins to an account, or from a client address, after too many
// failures, so that passwords and codes cannot be guessed at speed. Counts live in the database
// (login_failures), so every instance behind a load balancer sees the same counts.
//
// A subject ("account:<email>", "address:<ip>") fails up to its limit within `window`; the
// failure that reaches the limit blocks it for `block`. A success clears the account's count (not
// the address's: one right password must not wash out a spray across accounts).
#ifndef KEYWARDEN_SERVER_IDENTITY_LOGIN_THROTTLE_H_
#define KEYWARDEN_SERVER_IDENTITY_LOGIN_THROTTLE_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/time.h"
#include "keywarden/status.h"
#include "sql/database.h"

namespace keywarden::server {

struct LoginThrottlePolicy {
  std::uint32_t max_failures_per_account = 10;
  std::uint32_t max_failures_per_address = 100;
  std::chrono::seconds window{900};
  std::chrono::seconds block{900};
};

class LoginThrottle {
 public:
  LoginThrottle(sql::Database& database, LoginThrottlePolicy policy) : database_(database), policy_(policy) {}

  // Seconds until a login for `email` from `address` may be tried, or nullopt when it may now.
  Result<std::optional<std::chrono::seconds>> Check(std::string_view email, std::string_view address,
                                                    TimePoint now) const;
  // Counts a failure for both subjects.
  Status RecordFailure(std::string_view email, std::string_view address, TimePoint now) const;
  // Clears the account's count after a successful login.
  Status RecordSuccess(std::string_view email) const;

 private:
  sql::Database& database_;
  const LoginThrottlePolicy policy_;
};

}  // namespace keywarden::server

#endif  // KEYWARDEN_SERVER_IDENTITY_LOGIN_THROTTLE_H_
