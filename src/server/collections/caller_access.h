// What the caller of a request is in one organisation: their role (organizations/member_role.h)
// and the collections of that organisation they are assigned to, with their combined rights.
// Read at the start of each organisation route's unit of work, so that every check of the
// request sees one state.
#ifndef KEYWARDEN_SERVER_COLLECTIONS_CALLER_ACCESS_H_
#define KEYWARDEN_SERVER_COLLECTIONS_CALLER_ACCESS_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keywarden/status.h"
#include "server/collections/collection_store.h"
#include "server/organizations/member_role.h"
#include "sql/database.h"

namespace keywarden::server::collections {

struct CallerAccess {
  std::string member_id;                             // empty when not a member at all
  organizations::MemberRole role;                    // no rights unless confirmed
  std::map<std::string, CollectionRights> assigned;  // by collection id; confirmed members only

  bool confirmed() const { return role.confirmed(); }
  std::optional<CollectionRights> RightsIn(std::string_view collection_id) const;
  // Holds Manage on every one of `collection_ids` (false for none).
  bool Manages(const std::vector<std::string>& collection_ids) const;
  // May add items to, or change the items of, every one of `collection_ids`: the reference's
  // canEditItems (collection.view.ts): administers items, or manages it, or is assigned to it
  // without read-only.
  bool MayEditItemsIn(const std::vector<std::string>& collection_ids) const;
};

Result<CallerAccess> LoadCallerAccess(sql::Session& session, std::string_view organization_id,
                                      std::string_view user_id);

}  // namespace keywarden::server::collections

#endif  // KEYWARDEN_SERVER_COLLECTIONS_CALLER_ACCESS_H_
