// Object ids: GUIDs, as the reference uses for users, devices, ciphers, folders and
// organisations. Stored and compared in one form: lower case, 8-4-4-4-12.
#ifndef KEYWARDEN_SERVER_API_IDS_H_
#define KEYWARDEN_SERVER_API_IDS_H_

#include <optional>
#include <string>
#include <string_view>

#include "keywarden/status.h"

namespace keywarden::server::api {

// New ids: auth::NewGuid() (auth/user_id.h).

// `text` in canonical form when it is a GUID (either case), else nullopt: a path segment or a
// field that is not one answers 404 or 400, never a lookup.
std::optional<std::string> ParseGuid(std::string_view text);

}  // namespace keywarden::server::api

#endif  // KEYWARDEN_SERVER_API_IDS_H_
