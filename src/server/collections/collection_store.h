// The collections table and the access rows that tie members and groups to a collection
// (collection_users, collection_groups), read and written inside a unit of work.
//
// A member's rights in a collection combine as the reference combines them: a direct grant
// (collection_users) decides alone; without one, the member's groups' grants combine to the most
// permissive (read-only and hide-passwords only if every group says so, manage if any does).
// Only confirmed members of enabled organisations hold any.
#ifndef KEYWARDEN_SERVER_COLLECTIONS_COLLECTION_STORE_H_
#define KEYWARDEN_SERVER_COLLECTIONS_COLLECTION_STORE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"
#include "keywarden/status.h"
#include "sql/database.h"

namespace keywarden::server::collections {

struct Collection {
  std::string id;
  std::string organization_id;
  std::string name;  // EncString under the organisation key
  std::string external_id;
  int type = 0;  // 0 shared, 1 a member's default collection
  std::string default_user_collection_email;
  TimeMs creation_date = 0;
  TimeMs revision_date = 0;
};

// One member's or group's grant on a collection; `id` names the member or the group.
struct AccessGrant {
  std::string id;
  bool read_only = false;
  bool hide_passwords = false;
  bool manage = false;
  bool operator==(const AccessGrant&) const = default;
};

// The caller's combined rights in a collection.
struct CollectionRights {
  bool read_only = false;
  bool hide_passwords = false;
  bool manage = false;
};

struct AssignedCollection {
  Collection collection;
  CollectionRights rights;
};

Status InsertCollection(sql::Session& session, const Collection& collection);
// Writes name, external id and revision date; false when absent or another organisation's.
Result<bool> UpdateCollection(sql::Session& session, const Collection& collection);
// Deletes the collection with its access rows and item links; false when absent.
Result<bool> DeleteCollection(sql::Session& session, std::string_view organization_id, std::string_view id);
// nullopt when absent or another organisation's.
Result<std::optional<Collection>> FindCollection(sql::Session& session, std::string_view organization_id,
                                                 std::string_view id);
// Every collection of the organisation, oldest first.
Result<std::vector<Collection>> ListCollections(sql::Session& session, std::string_view organization_id);

// The collections the account is assigned to, directly or through a group, in every enabled
// organisation where it is a confirmed member, with its combined rights: one statement, in the
// order of their ids.
Result<std::vector<AssignedCollection>> ListAssignedCollections(sql::Session& session, std::string_view user_id);

// The grants on a collection, by member and by group.
Result<std::vector<AccessGrant>> ListMemberGrants(sql::Session& session, std::string_view collection_id);
Result<std::vector<AccessGrant>> ListGroupGrants(sql::Session& session, std::string_view collection_id);
// Replace every member grant (or group grant) on the collection with `grants`. The ids must
// already be checked to belong to the collection's organisation.
Status ReplaceMemberGrants(sql::Session& session, std::string_view collection_id,
                           const std::vector<AccessGrant>& grants);
Status ReplaceGroupGrants(sql::Session& session, std::string_view collection_id,
                          const std::vector<AccessGrant>& grants);
// Adds or replaces one grant, leaving the others.
Status UpsertMemberGrant(sql::Session& session, std::string_view collection_id, const AccessGrant& grant);
Status UpsertGroupGrant(sql::Session& session, std::string_view collection_id, const AccessGrant& grant);

// A member's direct grants (`id` of each names the collection), and replacing them.
Result<std::vector<AccessGrant>> ListGrantsOfMember(sql::Session& session, std::string_view member_id);
Status ReplaceGrantsOfMember(sql::Session& session, std::string_view member_id, const std::vector<AccessGrant>& grants);
// A group's grants (`id` of each names the collection), and replacing them.
Result<std::vector<AccessGrant>> ListGrantsOfGroup(sql::Session& session, std::string_view group_id);
Status ReplaceGrantsOfGroup(sql::Session& session, std::string_view group_id, const std::vector<AccessGrant>& grants);

}  // namespace keywarden::server::collections

#endif  // KEYWARDEN_SERVER_COLLECTIONS_COLLECTION_STORE_H_
