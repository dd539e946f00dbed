#include "server/collections/member_access.h"

#include "server/collections/group_store.h"
#include "server/collections/organization_ids.h"

namespace keywarden::server::collections {

Status SetMemberAccess(sql::Session& session, std::string_view organization_id, std::string_view member_id,
                       const std::vector<AccessGrant>& collections,
                       const std::optional<std::vector<std::string>>& groups) {
  std::vector<std::string> collection_ids;
  collection_ids.reserve(collections.size());
  for (const AccessGrant& grant : collections) collection_ids.push_back(grant.id);
  KW_ASSIGN_OR_RETURN(const bool collections_ours, AreCollectionsOf(session, organization_id, collection_ids));
  if (!collections_ours) return InvalidArgumentError("One or more collections do not belong to this organization.");
  if (groups) {
    KW_ASSIGN_OR_RETURN(const bool groups_ours, AreGroupsOf(session, organization_id, *groups));
    if (!groups_ours) return InvalidArgumentError("One or more groups do not belong to this organization.");
  }
  KW_RETURN_IF_ERROR(ReplaceGrantsOfMember(session, member_id, collections));
  if (groups) KW_RETURN_IF_ERROR(ReplaceGroupsOfMember(session, member_id, *groups));
  return OkStatus();
}

}  // namespace keywarden::server::collections
