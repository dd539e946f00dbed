#include "server/collections/organization_ids.h"

#include "server/collections/collection_store.h"
#include "server/collections/group_store.h"
#include "server/organizations/member_store.h"

namespace keywarden::server::collections {

Result<bool> AreMembersOf(sql::Session& session, std::string_view organization_id,
                          const std::vector<std::string>& member_ids) {
  for (const std::string& id : member_ids) {
    KW_ASSIGN_OR_RETURN(auto member, organizations::FindMember(session, organization_id, id));
    if (!member) return false;
  }
  return true;
}

Result<bool> AreGroupsOf(sql::Session& session, std::string_view organization_id,
                         const std::vector<std::string>& group_ids) {
  for (const std::string& id : group_ids) {
    KW_ASSIGN_OR_RETURN(auto group, FindGroup(session, organization_id, id));
    if (!group) return false;
  }
  return true;
}

Result<bool> AreCollectionsOf(sql::Session& session, std::string_view organization_id,
                              const std::vector<std::string>& collection_ids) {
  for (const std::string& id : collection_ids) {
    KW_ASSIGN_OR_RETURN(auto collection, FindCollection(session, organization_id, id));
    if (!collection) return false;
  }
  return true;
}

}  // namespace keywarden::server::collections
