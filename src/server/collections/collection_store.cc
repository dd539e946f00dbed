#include "server/collections/collection_store.h"

#include <utility>

namespace keywarden::server::collections {
namespace {

#define KW_COLLECTION_COLUMNS \
  "id, organization_id, name, external_id, type, default_user_collection_email, creation_date, revision_date"

constexpr sql::Statement kInsert = {"server_insert_collection",
                                    "INSERT INTO collections(" KW_COLLECTION_COLUMNS
                                    ") VALUES ($1, $2, $3, NULLIF($4, ''), $5, NULLIF($6, ''), $7, $8)",
                                    nullptr, nullptr, "to add a collection"};
constexpr sql::Statement kUpdate = {"server_update_collection",
                                    "UPDATE collections SET name = $3, external_id = NULLIF($4, ''), revision_date = "
                                    "$5 WHERE organization_id = $1 AND id = $2",
                                    nullptr, nullptr, "to update a collection"};
constexpr sql::Statement kFind = {"server_find_collection",
                                  "SELECT " KW_COLLECTION_COLUMNS
                                  " FROM collections WHERE organization_id = $1 AND id = $2",
                                  nullptr, nullptr, "to read a collection"};
constexpr sql::Statement kList = {"server_list_collections",
                                  "SELECT " KW_COLLECTION_COLUMNS
                                  " FROM collections WHERE organization_id = $1 ORDER BY creation_date, id",
                                  nullptr, nullptr, "to list collections"};
// The dependants go explicitly: SQLite enforces no foreign keys unless asked to, so ON DELETE
// CASCADE is not relied on.
constexpr sql::Statement kDeleteDependants[] = {
    {"server_delete_collection_users", "DELETE FROM collection_users WHERE collection_id = $1", nullptr, nullptr,
     "to remove a collection's members"},
    {"server_delete_collection_groups", "DELETE FROM collection_groups WHERE collection_id = $1", nullptr, nullptr,
     "to remove a collection's groups"},
    {"server_delete_collection_ciphers", "DELETE FROM collection_ciphers WHERE collection_id = $1", nullptr, nullptr,
     "to remove a collection's items"},
};
constexpr sql::Statement kDelete = {"server_delete_collection",
                                    "DELETE FROM collections WHERE organization_id = $1 AND id = $2", nullptr, nullptr,
                                    "to delete a collection"};

// Direct grants, and group grants where the member has no direct one (which then decides alone),
// of the account's confirmed memberships in enabled organisations; combined per collection. The
// grouping sorts the member's collections (never their items) once, and the order by id rides on it.
constexpr sql::Statement kListAssigned = {
    "server_list_assigned_collections",
    "SELECT c.id, c.organization_id, c.name, c.external_id, c.type, c.default_user_collection_email, "
    "c.creation_date, c.revision_date, MIN(a.read_only), MIN(a.hide_passwords), MAX(a.manage) FROM ("
    "SELECT cu.collection_id AS collection_id, cu.read_only AS read_only, cu.hide_passwords AS hide_passwords, "
    "cu.manage AS manage FROM organization_users ou JOIN organizations o ON o.id = ou.organization_id AND "
    "o.enabled = 1 JOIN collection_users cu ON cu.organization_user_id = ou.id WHERE ou.user_id = $1 AND "
    "ou.status = 2 "
    "UNION ALL "
    "SELECT cg.collection_id, cg.read_only, cg.hide_passwords, cg.manage FROM organization_users ou JOIN "
    "organizations o ON o.id = ou.organization_id AND o.enabled = 1 JOIN group_users gu ON "
    "gu.organization_user_id = ou.id JOIN collection_groups cg ON cg.group_id = gu.group_id WHERE ou.user_id = $1 "
    "AND ou.status = 2 AND NOT EXISTS (SELECT 1 FROM collection_users d WHERE d.collection_id = cg.collection_id "
    "AND d.organization_user_id = ou.id)"
    ") a JOIN collections c ON c.id = a.collection_id GROUP BY c.id, c.organization_id, c.name, c.external_id, "
    "c.type, c.default_user_collection_email, c.creation_date, c.revision_date ORDER BY c.id",
    nullptr, nullptr, "to list a member's collections"};

constexpr sql::Statement kListMemberGrants = {
    "server_list_collection_member_grants",
    "SELECT organization_user_id, read_only, hide_passwords, manage FROM collection_users WHERE collection_id = $1 "
    "ORDER BY organization_user_id",
    nullptr, nullptr, "to list a collection's members"};
constexpr sql::Statement kListGroupGrants = {
    "server_list_collection_group_grants",
    "SELECT group_id, read_only, hide_passwords, manage FROM collection_groups WHERE collection_id = $1 ORDER BY "
    "group_id",
    nullptr, nullptr, "to list a collection's groups"};
constexpr sql::Statement kUpsertMemberGrant = {
    "server_upsert_collection_member_grant",
    "INSERT INTO collection_users(collection_id, organization_user_id, read_only, hide_passwords, manage) VALUES "
    "($1, $2, $3, $4, $5) ON CONFLICT(collection_id, organization_user_id) DO UPDATE SET read_only = "
    "excluded.read_only, hide_passwords = excluded.hide_passwords, manage = excluded.manage",
    nullptr, nullptr, "to grant a member a collection"};
constexpr sql::Statement kUpsertGroupGrant = {
    "server_upsert_collection_group_grant",
    "INSERT INTO collection_groups(collection_id, group_id, read_only, hide_passwords, manage) VALUES "
    "($1, $2, $3, $4, $5) ON CONFLICT(collection_id, group_id) DO UPDATE SET read_only = excluded.read_only, "
    "hide_passwords = excluded.hide_passwords, manage = excluded.manage",
    nullptr, nullptr, "to grant a group a collection"};
constexpr sql::Statement kClearMemberGrants = {"server_clear_collection_member_grants",
                                               "DELETE FROM collection_users WHERE collection_id = $1", nullptr,
                                               nullptr, "to clear a collection's members"};
constexpr sql::Statement kClearGroupGrants = {"server_clear_collection_group_grants",
                                              "DELETE FROM collection_groups WHERE collection_id = $1", nullptr,
                                              nullptr, "to clear a collection's groups"};

constexpr sql::Statement kListGrantsOfMember = {
    "server_list_member_collection_grants",
    "SELECT collection_id, read_only, hide_passwords, manage FROM collection_users WHERE organization_user_id = $1 "
    "ORDER BY collection_id",
    nullptr, nullptr, "to list a member's collections"};
constexpr sql::Statement kClearGrantsOfMember = {"server_clear_member_collection_grants",
                                                 "DELETE FROM collection_users WHERE organization_user_id = $1",
                                                 nullptr, nullptr, "to clear a member's collections"};
constexpr sql::Statement kListGrantsOfGroup = {
    "server_list_group_collection_grants",
    "SELECT collection_id, read_only, hide_passwords, manage FROM collection_groups WHERE group_id = $1 ORDER BY "
    "collection_id",
    nullptr, nullptr, "to list a group's collections"};
constexpr sql::Statement kClearGrantsOfGroup = {"server_clear_group_collection_grants",
                                                "DELETE FROM collection_groups WHERE group_id = $1", nullptr, nullptr,
                                                "to clear a group's collections"};

Result<Collection> ReadCollection(const sql::Rows& rows, std::size_t i) {
  Collection c;
  c.id = rows.Text(i, 0);
  c.organization_id = rows.Text(i, 1);
  c.name = rows.Text(i, 2);
  c.external_id = rows.Text(i, 3);
  KW_ASSIGN_OR_RETURN(std::int64_t type, rows.Int(i, 4));
  c.type = static_cast<int>(type);
  c.default_user_collection_email = rows.Text(i, 5);
  KW_ASSIGN_OR_RETURN(c.creation_date, rows.Int(i, 6));
  KW_ASSIGN_OR_RETURN(c.revision_date, rows.Int(i, 7));
  return c;
}

Result<bool> ReadFlag(const sql::Rows& rows, std::size_t i, std::size_t column) {
  KW_ASSIGN_OR_RETURN(std::int64_t value, rows.Int(i, column));
  return value != 0;
}

Result<std::vector<AccessGrant>> ReadGrants(Result<sql::Rows> rows) {
  if (!rows.ok()) return rows.status();
  std::vector<AccessGrant> grants;
  grants.reserve(rows->size());
  for (std::size_t i = 0; i < rows->size(); ++i) {
    AccessGrant grant;
    grant.id = rows->Text(i, 0);
    KW_ASSIGN_OR_RETURN(grant.read_only, ReadFlag(*rows, i, 1));
    KW_ASSIGN_OR_RETURN(grant.hide_passwords, ReadFlag(*rows, i, 2));
    KW_ASSIGN_OR_RETURN(grant.manage, ReadFlag(*rows, i, 3));
    grants.push_back(std::move(grant));
  }
  return grants;
}

sql::Params GrantParams(std::string_view collection_id, std::string_view grantee, const AccessGrant& grant) {
  sql::Params params;
  params.Text(collection_id).Text(grantee);
  params.Int(grant.read_only ? 1 : 0).Int(grant.hide_passwords ? 1 : 0).Int(grant.manage ? 1 : 0);
  return params;
}

}  // namespace

Status InsertCollection(sql::Session& session, const Collection& c) {
  sql::Params params;
  params.Text(c.id).Text(c.organization_id).Text(c.name).Text(c.external_id).Int(c.type);
  params.Text(c.default_user_collection_email).Int(c.creation_date).Int(c.revision_date);
  return session.Execute(kInsert, params).status();
}

Result<bool> UpdateCollection(sql::Session& session, const Collection& c) {
  KW_ASSIGN_OR_RETURN(
      sql::Rows rows,
      session.Execute(
          kUpdate,
          sql::Params().Text(c.organization_id).Text(c.id).Text(c.name).Text(c.external_id).Int(c.revision_date)));
  return rows.affected() == 1;
}

Result<bool> DeleteCollection(sql::Session& session, std::string_view organization_id, std::string_view id) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kDelete, sql::Params().Text(organization_id).Text(id)));
  if (rows.affected() != 1) return false;
  for (const sql::Statement& statement : kDeleteDependants) {
    KW_RETURN_IF_ERROR(session.Execute(statement, sql::Params().Text(id)).status());
  }
  return true;
}

Result<std::optional<Collection>> FindCollection(sql::Session& session, std::string_view organization_id,
                                                 std::string_view id) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kFind, sql::Params().Text(organization_id).Text(id)));
  if (rows.empty()) return std::optional<Collection>();
  KW_ASSIGN_OR_RETURN(Collection c, ReadCollection(rows, 0));
  return std::optional<Collection>(std::move(c));
}

Result<std::vector<Collection>> ListCollections(sql::Session& session, std::string_view organization_id) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kList, sql::Params().Text(organization_id)));
  std::vector<Collection> out;
  out.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    KW_ASSIGN_OR_RETURN(Collection c, ReadCollection(rows, i));
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::vector<AssignedCollection>> ListAssignedCollections(sql::Session& session, std::string_view user_id) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kListAssigned, sql::Params().Text(user_id)));
  std::vector<AssignedCollection> out;
  out.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    AssignedCollection assigned;
    KW_ASSIGN_OR_RETURN(assigned.collection, ReadCollection(rows, i));
    KW_ASSIGN_OR_RETURN(assigned.rights.read_only, ReadFlag(rows, i, 8));
    KW_ASSIGN_OR_RETURN(assigned.rights.hide_passwords, ReadFlag(rows, i, 9));
    KW_ASSIGN_OR_RETURN(assigned.rights.manage, ReadFlag(rows, i, 10));
    out.push_back(std::move(assigned));
  }
  return out;
}

Result<std::vector<AccessGrant>> ListMemberGrants(sql::Session& session, std::string_view collection_id) {
  return ReadGrants(session.Execute(kListMemberGrants, sql::Params().Text(collection_id)));
}

Result<std::vector<AccessGrant>> ListGroupGrants(sql::Session& session, std::string_view collection_id) {
  return ReadGrants(session.Execute(kListGroupGrants, sql::Params().Text(collection_id)));
}

Status ReplaceMemberGrants(sql::Session& session, std::string_view collection_id,
                           const std::vector<AccessGrant>& grants) {
  KW_RETURN_IF_ERROR(session.Execute(kClearMemberGrants, sql::Params().Text(collection_id)).status());
  for (const AccessGrant& grant : grants) KW_RETURN_IF_ERROR(UpsertMemberGrant(session, collection_id, grant));
  return OkStatus();
}

Status ReplaceGroupGrants(sql::Session& session, std::string_view collection_id,
                          const std::vector<AccessGrant>& grants) {
  KW_RETURN_IF_ERROR(session.Execute(kClearGroupGrants, sql::Params().Text(collection_id)).status());
  for (const AccessGrant& grant : grants) KW_RETURN_IF_ERROR(UpsertGroupGrant(session, collection_id, grant));
  return OkStatus();
}

Status UpsertMemberGrant(sql::Session& session, std::string_view collection_id, const AccessGrant& grant) {
  return session.Execute(kUpsertMemberGrant, GrantParams(collection_id, grant.id, grant)).status();
}

Status UpsertGroupGrant(sql::Session& session, std::string_view collection_id, const AccessGrant& grant) {
  return session.Execute(kUpsertGroupGrant, GrantParams(collection_id, grant.id, grant)).status();
}

Result<std::vector<AccessGrant>> ListGrantsOfMember(sql::Session& session, std::string_view member_id) {
  return ReadGrants(session.Execute(kListGrantsOfMember, sql::Params().Text(member_id)));
}

Status ReplaceGrantsOfMember(sql::Session& session, std::string_view member_id,
                             const std::vector<AccessGrant>& grants) {
  KW_RETURN_IF_ERROR(session.Execute(kClearGrantsOfMember, sql::Params().Text(member_id)).status());
  for (const AccessGrant& grant : grants) {
    // The grant's id is the collection here.
    KW_RETURN_IF_ERROR(session.Execute(kUpsertMemberGrant, GrantParams(grant.id, member_id, grant)).status());
  }
  return OkStatus();
}

Result<std::vector<AccessGrant>> ListGrantsOfGroup(sql::Session& session, std::string_view group_id) {
  return ReadGrants(session.Execute(kListGrantsOfGroup, sql::Params().Text(group_id)));
}

Status ReplaceGrantsOfGroup(sql::Session& session, std::string_view group_id, const std::vector<AccessGrant>& grants) {
  KW_RETURN_IF_ERROR(session.Execute(kClearGrantsOfGroup, sql::Params().Text(group_id)).status());
  for (const AccessGrant& grant : grants) {
    KW_RETURN_IF_ERROR(session.Execute(kUpsertGroupGrant, GrantParams(grant.id, group_id, grant)).status());
  }
  return OkStatus();
}

}  // namespace keywarden::server::collections
