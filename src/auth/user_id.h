// User ids: the token's `sub`, a GUID. Stored and compared in one canonical form.
#ifndef KEYWARDEN_AUTH_USER_ID_H_
#define KEYWARDEN_AUTH_USER_ID_H_

#include <string>
#include <string_view>

#include "keywarden/status.h"

namespace keywarden::auth {

// "8-4-4-4-12" hexadecimal digits, either case -> lower case. Anything else (braces, no
// dashes, other lengths) is kInvalidArgument: identity servers issue the plain form.
Result<std::string> CanonicalUserId(std::string_view sub);

// A new random (version 4) GUID in canonical form: the id of a new user or any other object.
// kInternal only if the system's random source fails.
Result<std::string> NewGuid();

}  // namespace keywarden::auth

#endif  // KEYWARDEN_AUTH_USER_ID_H_
