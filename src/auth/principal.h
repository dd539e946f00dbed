// Principal: the caller a verified bearer token speaks for.
//
// Made only by TokenVerifier, after the signature and every claim of the ClaimPolicy passed: a
// handler that holds a Principal never needs to look at the token again.
#ifndef KEYWARDEN_AUTH_PRINCIPAL_H_
#define KEYWARDEN_AUTH_PRINCIPAL_H_

#include <string>

#include "base/time.h"

namespace keywarden::auth {

struct Principal {
  std::string user_id;  // `sub`: canonical lower-case GUID (auth/user_id.h)
  std::string kid;      // the key that signed the token, for audit logs
  TimePoint expires_at;
  // Bitwarden's `sstamp` and `device` claims when they are strings, else empty: a server that
  // issued the token compares them with the account's current stamp.
  std::string security_stamp;
  std::string device;
};

}  // namespace keywarden::auth

#endif  // KEYWARDEN_AUTH_PRINCIPAL_H_
