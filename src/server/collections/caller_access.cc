#include "server/collections/caller_access.h"

#include "server/collections/collection_permissions.h"
#include "server/organizations/member_store.h"

namespace keywarden::server::collections {

std::optional<CollectionRights> CallerAccess::RightsIn(std::string_view collection_id) const {
  const auto it = assigned.find(std::string(collection_id));
  if (it == assigned.end()) return std::nullopt;
  return it->second;
}

bool CallerAccess::Manages(const std::vector<std::string>& collection_ids) const {
  if (collection_ids.empty()) return false;
  for (const std::string& id : collection_ids) {
    const auto rights = RightsIn(id);
    if (!rights || !rights->manage) return false;
  }
  return true;
}

bool CallerAccess::MayEditItemsIn(const std::vector<std::string>& collection_ids) const {
  if (!confirmed() || collection_ids.empty()) return false;
  if (MayAdministerItems(role)) return true;
  for (const std::string& id : collection_ids) {
    const auto rights = RightsIn(id);
    if (!rights || (rights->read_only && !rights->manage)) return false;
  }
  return true;
}

Result<CallerAccess> LoadCallerAccess(sql::Session& session, std::string_view organization_id,
                                      std::string_view user_id) {
  CallerAccess caller;
  KW_ASSIGN_OR_RETURN(auto member, organizations::FindMembershipOf(session, organization_id, user_id));
  if (!member) return caller;
  caller.member_id = member->id;
  caller.role = member->role();
  if (!caller.confirmed()) return caller;
  KW_ASSIGN_OR_RETURN(auto assigned, ListAssignedCollections(session, user_id));
  for (AssignedCollection& collection : assigned) {
    if (collection.collection.organization_id != organization_id) continue;
    caller.assigned.emplace(std::move(collection.collection.id), collection.rights);
  }
  return caller;
}

}  // namespace keywarden::server::collections
