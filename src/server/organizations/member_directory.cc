#include "server/organizations/member_directory.h"

#include <utility>

namespace keywarden::server::organizations {
namespace {

#define KW_ENTRY_QUERY                                                                                       \
  "SELECT m.id, u.name, u.email, u.avatar_color, CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END, "      \
  "u.uses_key_connector, CASE WHEN EXISTS (SELECT 1 FROM two_factor_providers t WHERE t.user_id = u.id AND " \
  "t.enabled = 1) THEN 1 ELSE 0 END FROM organization_users m LEFT JOIN users u ON u.id = m.user_id "        \
  "WHERE m.organization_id = $1"

constexpr sql::Statement kList = {"server_list_member_entries", KW_ENTRY_QUERY " ORDER BY m.creation_date, m.id",
                                  nullptr, nullptr, "to list members"};
constexpr sql::Statement kFind = {"server_find_member_entry", KW_ENTRY_QUERY " AND m.id = $2", nullptr, nullptr,
                                  "to read a member"};

// The account columns of row `i`, onto the member `entry` already holds.
Status ReadAccount(const sql::Rows& rows, std::size_t i, MemberEntry& entry) {
  entry.name = rows.Text(i, 1);
  entry.email = rows.Text(i, 2);
  if (entry.email.empty()) entry.email = entry.member.email;  // an invitation
  entry.avatar_color = rows.Text(i, 3);
  entry.has_master_password = rows.OptionalInt(i, 4).value_or(0) != 0;
  entry.uses_key_connector = rows.OptionalInt(i, 5).value_or(0) != 0;
  entry.two_factor_enabled = rows.OptionalInt(i, 6).value_or(0) != 0;
  return OkStatus();
}

}  // namespace

Result<std::vector<MemberEntry>> ListMemberEntries(sql::Session& session, std::string_view organization_id) {
  // Two statements whatever the organisation's size: the members, then their accounts, joined here.
  KW_ASSIGN_OR_RETURN(std::vector<Member> members, ListMembers(session, organization_id));
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kList, sql::Params().Text(organization_id)));
  std::vector<MemberEntry> out;
  out.reserve(members.size());
  for (Member& member : members) {
    MemberEntry entry;
    entry.member = std::move(member);
    out.push_back(std::move(entry));
  }
  // Both lists are in (creation_date, id) order; match by id all the same, in case one changed between.
  for (std::size_t i = 0, j = 0; i < rows.size(); ++i) {
    const std::string id = rows.Text(i, 0);
    while (j < out.size() && out[j].member.id != id) ++j;
    if (j == out.size()) break;
    KW_RETURN_IF_ERROR(ReadAccount(rows, i, out[j]));
  }
  for (MemberEntry& entry : out) {
    if (entry.email.empty()) entry.email = entry.member.email;
  }
  return out;
}

Result<std::optional<MemberEntry>> FindMemberEntry(sql::Session& session, std::string_view organization_id,
                                                   std::string_view member_id) {
  KW_ASSIGN_OR_RETURN(std::optional<Member> member, FindMember(session, organization_id, member_id));
  if (!member) return std::optional<MemberEntry>();
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kFind, sql::Params().Text(organization_id).Text(member_id)));
  MemberEntry entry;
  entry.member = *std::move(member);
  if (!rows.empty()) KW_RETURN_IF_ERROR(ReadAccount(rows, 0, entry));
  if (entry.email.empty()) entry.email = entry.member.email;
  return std::optional<MemberEntry>(std::move(entry));
}

}  // namespace keywarden::server::organizations
