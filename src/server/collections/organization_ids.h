// Whether ids a request names belong to one organisation. A request that names anything of
// another organisation (or nothing that exists) is refused whole, before any write, so these run
// first; they read one row per id.
#ifndef KEYWARDEN_SERVER_COLLECTIONS_ORGANIZATION_IDS_H_
#define KEYWARDEN_SERVER_COLLECTIONS_ORGANIZATION_IDS_H_

#include <string>
#include <string_view>
#include <vector>

#include "keywarden/status.h"
#include "sql/database.h"

namespace keywarden::server::collections {

Result<bool> AreMembersOf(sql::Session& session, std::string_view organization_id,
                          const std::vector<std::string>& member_ids);
Result<bool> AreGroupsOf(sql::Session& session, std::string_view organization_id,
                         const std::vector<std::string>& group_ids);
Result<bool> AreCollectionsOf(sql::Session& session, std::string_view organization_id,
                              const std::vector<std::string>& collection_ids);

}  // namespace keywarden::server::collections

#endif  // KEYWARDEN_SERVER_COLLECTIONS_ORGANIZATION_IDS_H_
