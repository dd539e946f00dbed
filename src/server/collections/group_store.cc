#include "server/collections/group_store.h"

#include <utility>

namespace keywarden::server::collections {
namespace {

#define KW_GROUP_COLUMNS "id, organization_id, name, external_id, creation_date, revision_date"

constexpr sql::Statement kInsert = {"server_insert_group",
                                    "INSERT INTO organization_groups(" KW_GROUP_COLUMNS
                                    ") VALUES ($1, $2, $3, NULLIF($4, ''), $5, $6)",
                                    nullptr, nullptr, "to add a group"};
constexpr sql::Statement kUpdate = {"server_update_group",
                                    "UPDATE organization_groups SET name = $3, external_id = NULLIF($4, ''), "
                                    "revision_date = $5 WHERE organization_id = $1 AND id = $2",
                                    nullptr, nullptr, "to update a group"};
constexpr sql::Statement kDelete = {"server_delete_group",
                                    "DELETE FROM organization_groups WHERE organization_id = $1 AND id = $2", nullptr,
                                    nullptr, "to delete a group"};
// Explicitly, as SQLite enforces no foreign keys unless asked to.
constexpr sql::Statement kDeleteDependants[] = {
    {"server_delete_group_users", "DELETE FROM group_users WHERE group_id = $1", nullptr, nullptr,
     "to remove a group's members"},
    {"server_delete_group_collections", "DELETE FROM collection_groups WHERE group_id = $1", nullptr, nullptr,
     "to remove a group's collections"},
};
constexpr sql::Statement kFind = {
    "server_find_group", "SELECT " KW_GROUP_COLUMNS " FROM organization_groups WHERE organization_id = $1 AND id = $2",
    nullptr, nullptr, "to read a group"};
constexpr sql::Statement kList = {"server_list_groups",
                                  "SELECT " KW_GROUP_COLUMNS
                                  " FROM organization_groups WHERE organization_id = $1 ORDER BY creation_date, id",
                                  nullptr, nullptr, "to list groups"};
constexpr sql::Statement kListMembers = {
    "server_list_group_members",
    "SELECT organization_user_id FROM group_users WHERE group_id = $1 ORDER BY organization_user_id", nullptr, nullptr,
    "to list a group's members"};
constexpr sql::Statement kClearMembers = {"server_clear_group_members", "DELETE FROM group_users WHERE group_id = $1",
                                          nullptr, nullptr, "to clear a group's members"};
constexpr sql::Statement kAddMember = {"server_add_group_member",
                                       "INSERT INTO group_users(group_id, organization_user_id) VALUES ($1, $2)",
                                       nullptr, nullptr, "to add a group member"};
constexpr sql::Statement kListOfMember = {
    "server_list_member_groups", "SELECT group_id FROM group_users WHERE organization_user_id = $1 ORDER BY group_id",
    nullptr, nullptr, "to list a member's groups"};
constexpr sql::Statement kClearOfMember = {"server_clear_member_groups",
                                           "DELETE FROM group_users WHERE organization_user_id = $1", nullptr, nullptr,
                                           "to clear a member's groups"};

Result<Group> ReadGroup(const sql::Rows& rows, std::size_t i) {
  Group g;
  g.id = rows.Text(i, 0);
  g.organization_id = rows.Text(i, 1);
  g.name = rows.Text(i, 2);
  g.external_id = rows.Text(i, 3);
  KW_ASSIGN_OR_RETURN(g.creation_date, rows.Int(i, 4));
  KW_ASSIGN_OR_RETURN(g.revision_date, rows.Int(i, 5));
  return g;
}

Result<std::vector<std::string>> FirstColumn(Result<sql::Rows> rows) {
  if (!rows.ok()) return rows.status();
  std::vector<std::string> out;
  out.reserve(rows->size());
  for (std::size_t i = 0; i < rows->size(); ++i) out.push_back(rows->Text(i, 0));
  return out;
}

}  // namespace

Status InsertGroup(sql::Session& session, const Group& g) {
  return session
      .Execute(kInsert, sql::Params()
                            .Text(g.id)
                            .Text(g.organization_id)
                            .Text(g.name)
                            .Text(g.external_id)
                            .Int(g.creation_date)
                            .Int(g.revision_date))
      .status();
}

Result<bool> UpdateGroup(sql::Session& session, const Group& g) {
  KW_ASSIGN_OR_RETURN(
      sql::Rows rows,
      session.Execute(
          kUpdate,
          sql::Params().Text(g.organization_id).Text(g.id).Text(g.name).Text(g.external_id).Int(g.revision_date)));
  return rows.affected() == 1;
}

Result<bool> DeleteGroup(sql::Session& session, std::string_view organization_id, std::string_view id) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kDelete, sql::Params().Text(organization_id).Text(id)));
  if (rows.affected() != 1) return false;
  for (const sql::Statement& statement : kDeleteDependants) {
    KW_RETURN_IF_ERROR(session.Execute(statement, sql::Params().Text(id)).status());
  }
  return true;
}

Result<std::optional<Group>> FindGroup(sql::Session& session, std::string_view organization_id, std::string_view id) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kFind, sql::Params().Text(organization_id).Text(id)));
  if (rows.empty()) return std::optional<Group>();
  KW_ASSIGN_OR_RETURN(Group g, ReadGroup(rows, 0));
  return std::optional<Group>(std::move(g));
}

Result<std::vector<Group>> ListGroups(sql::Session& session, std::string_view organization_id) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kList, sql::Params().Text(organization_id)));
  std::vector<Group> out;
  out.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    KW_ASSIGN_OR_RETURN(Group g, ReadGroup(rows, i));
    out.push_back(std::move(g));
  }
  return out;
}

Result<std::vector<std::string>> ListGroupMembers(sql::Session& session, std::string_view group_id) {
  return FirstColumn(session.Execute(kListMembers, sql::Params().Text(group_id)));
}

Status ReplaceGroupMembers(sql::Session& session, std::string_view group_id, const std::vector<std::string>& members) {
  KW_RETURN_IF_ERROR(session.Execute(kClearMembers, sql::Params().Text(group_id)).status());
  for (const std::string& member : members) {
    KW_RETURN_IF_ERROR(session.Execute(kAddMember, sql::Params().Text(group_id).Text(member)).status());
  }
  return OkStatus();
}

Result<std::vector<std::string>> ListGroupsOfMember(sql::Session& session, std::string_view member_id) {
  return FirstColumn(session.Execute(kListOfMember, sql::Params().Text(member_id)));
}

Status ReplaceGroupsOfMember(sql::Session& session, std::string_view member_id,
                             const std::vector<std::string>& groups) {
  KW_RETURN_IF_ERROR(session.Execute(kClearOfMember, sql::Params().Text(member_id)).status());
  for (const std::string& group : groups) {
    KW_RETURN_IF_ERROR(session.Execute(kAddMember, sql::Params().Text(group).Text(member_id)).status());
  }
  return OkStatus();
}

}  // namespace keywarden::server::collections
