// The organization_groups and group_users tables: an organisation's groups and their members,
// read and written inside a unit of work. A group's collection grants live with the collections
// (collection_store.h).
#ifndef KEYWARDEN_SERVER_COLLECTIONS_GROUP_STORE_H_
#define KEYWARDEN_SERVER_COLLECTIONS_GROUP_STORE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"
#include "keywarden/status.h"
#include "sql/database.h"

namespace keywarden::server::collections {

struct Group {
  std::string id;
  std::string organization_id;
  std::string name;  // plain text, as the reference keeps it
  std::string external_id;
  TimeMs creation_date = 0;
  TimeMs revision_date = 0;
};

Status InsertGroup(sql::Session& session, const Group& group);
// Writes name, external id and revision date; false when absent or another organisation's.
Result<bool> UpdateGroup(sql::Session& session, const Group& group);
// Deletes the group with its members and collection grants; false when absent.
Result<bool> DeleteGroup(sql::Session& session, std::string_view organization_id, std::string_view id);
Result<std::optional<Group>> FindGroup(sql::Session& session, std::string_view organization_id, std::string_view id);
// Oldest first.
Result<std::vector<Group>> ListGroups(sql::Session& session, std::string_view organization_id);

// The member ids of a group, and replacing them (ids checked by the caller).
Result<std::vector<std::string>> ListGroupMembers(sql::Session& session, std::string_view group_id);
Status ReplaceGroupMembers(sql::Session& session, std::string_view group_id, const std::vector<std::string>& members);
// The groups of a member, and replacing them (ids checked by the caller).
Result<std::vector<std::string>> ListGroupsOfMember(sql::Session& session, std::string_view member_id);
Status ReplaceGroupsOfMember(sql::Session& session, std::string_view member_id, const std::vector<std::string>& groups);

}  // namespace keywarden::server::collections

#endif  // KEYWARDEN_SERVER_COLLECTIONS_GROUP_STORE_H_
