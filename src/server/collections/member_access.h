// A member's collections and groups, as the member invite and edit routes set them
// (POST .../users/invite and PUT .../users/{id} carry "collections" and "groups").
#ifndef KEYWARDEN_SERVER_COLLECTIONS_MEMBER_ACCESS_H_
#define KEYWARDEN_SERVER_COLLECTIONS_MEMBER_ACCESS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keywarden/status.h"
#include "server/collections/collection_store.h"
#include "sql/database.h"

namespace keywarden::server::collections {

// Replaces the member's direct collection grants with `collections` (each AccessGrant's id names
// a collection) and, when `groups` is set, its groups with `groups`. Every id must be the
// organisation's, or nothing is written and the result is kInvalidArgument with the message to
// answer 400 with. Run inside the transaction that writes the member.
Status SetMemberAccess(sql::Session& session, std::string_view organization_id, std::string_view member_id,
                       const std::vector<AccessGrant>& collections,
                       const std::optional<std::vector<std::string>>& groups);

}  // namespace keywarden::server::collections

#endif  // KEYWARDEN_SERVER_COLLECTIONS_MEMBER_ACCESS_H_
