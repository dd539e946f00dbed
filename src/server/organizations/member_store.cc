#include "server/organizations/member_store.h"

#include <utility>

namespace keywarden::server::organizations {
namespace {

#define KW_MEMBER_COLUMNS                                                                            \
  "id, organization_id, user_id, email, type, status, member_key, reset_password_key, permissions, " \
  "access_secrets_manager, external_id, invite_token_hash, invite_expiration, creation_date, revision_date"

// Optional text is bound as text, "" for none, and stored as NULL by NULLIF (see store/users.cc).
constexpr sql::Statement kInsert = {
    "server_insert_member",
    "INSERT INTO organization_users(" KW_MEMBER_COLUMNS
    ") VALUES ($1, $2, NULLIF($3, ''), NULLIF($4, ''), $5, $6, NULLIF($7, ''), NULLIF($8, ''), NULLIF($9, ''), $10, "
    "NULLIF($11, ''), $12, $13, $14, $15)",
    nullptr, nullptr, "to add a member"};
constexpr sql::Statement kUpdate = {
    "server_update_member",
    "UPDATE organization_users SET user_id = NULLIF($3, ''), email = NULLIF($4, ''), type = $5, status = $6, "
    "member_key = NULLIF($7, ''), reset_password_key = NULLIF($8, ''), permissions = NULLIF($9, ''), "
    "access_secrets_manager = $10, external_id = NULLIF($11, ''), invite_token_hash = $12, invite_expiration = $13, "
    "revision_date = $15 WHERE organization_id = $2 AND id = $1 AND creation_date = $14",
    nullptr, nullptr, "to update a member"};
// SQLite does not enforce foreign keys here, so nothing cascades: a member's access and its own
// settings for the organisation's items go first, explicitly, on every database.
constexpr sql::Statement kDeleteOwned[] = {
    {"server_delete_member_collections",
     "DELETE FROM collection_users WHERE organization_user_id IN (SELECT id FROM organization_users WHERE "
     "organization_id = $1 AND id = $2)",
     nullptr, nullptr, "to remove a member's collections"},
    {"server_delete_member_groups",
     "DELETE FROM group_users WHERE organization_user_id IN (SELECT id FROM organization_users WHERE "
     "organization_id = $1 AND id = $2)",
     nullptr, nullptr, "to remove a member's groups"},
    {"server_delete_member_preferences",
     "DELETE FROM cipher_preferences WHERE user_id IN (SELECT user_id FROM organization_users WHERE "
     "organization_id = $1 AND id = $2) AND cipher_id IN (SELECT id FROM ciphers WHERE organization_id = $1)",
     nullptr, nullptr, "to remove a member's item settings"},
};
constexpr sql::Statement kDelete = {"server_delete_member",
                                    "DELETE FROM organization_users WHERE organization_id = $1 AND id = $2", nullptr,
                                    nullptr, "to remove a member"};
constexpr sql::Statement kSoleOwner = {
    "server_sole_owner",
    "SELECT COUNT(*) FROM organization_users m WHERE m.user_id = $1 AND m.type = 0 AND m.status = 2 AND NOT EXISTS "
    "(SELECT 1 FROM organization_users o WHERE o.organization_id = m.organization_id AND o.type = 0 AND o.status = 2 "
    "AND o.id <> m.id)",
    nullptr, nullptr, "to find organisations the account alone owns"};
constexpr sql::Statement kFind = {
    "server_find_member", "SELECT " KW_MEMBER_COLUMNS " FROM organization_users WHERE organization_id = $1 AND id = $2",
    nullptr, nullptr, "to read a member"};
constexpr sql::Statement kFindOf = {"server_find_membership",
                                    "SELECT " KW_MEMBER_COLUMNS
                                    " FROM organization_users WHERE organization_id = $1 AND user_id = $2",
                                    nullptr, nullptr, "to read a membership"};
constexpr sql::Statement kFindInvitation = {"server_find_invitation",
                                            "SELECT " KW_MEMBER_COLUMNS
                                            " FROM organization_users WHERE organization_id = $1 AND email = $2 "
                                            "AND user_id IS NULL",
                                            nullptr, nullptr, "to read an invitation"};
constexpr sql::Statement kList = {"server_list_members",
                                  "SELECT " KW_MEMBER_COLUMNS
                                  " FROM organization_users WHERE organization_id = $1 ORDER BY creation_date, id",
                                  nullptr, nullptr, "to list members"};
constexpr sql::Statement kListOf = {"server_list_memberships",
                                    "SELECT " KW_MEMBER_COLUMNS
                                    " FROM organization_users WHERE user_id = $1 ORDER BY creation_date, id",
                                    nullptr, nullptr, "to list memberships"};
constexpr sql::Statement kCountOwners = {
    "server_count_owners",
    "SELECT COUNT(*) FROM organization_users WHERE organization_id = $1 AND type = 0 AND status = 2", nullptr, nullptr,
    "to count owners"};

#define KW_MEMBERSHIP_SELECT                                                                                   \
  "SELECT m.id, m.organization_id, m.user_id, m.email, m.type, m.status, m.member_key, m.reset_password_key, " \
  "m.permissions, m.access_secrets_manager, m.external_id, m.invite_token_hash, m.invite_expiration, "         \
  "m.creation_date, m.revision_date, o.name, o.billing_email, o.business_name, o.identifier, o.public_key, "   \
  "o.private_key, o.enabled, o.creation_date, o.revision_date FROM organization_users m JOIN "                 \
  "organizations o ON o.id = m.organization_id WHERE m.user_id = $1 "

constexpr sql::Statement kListConfirmedOf = {"server_list_confirmed_memberships",
                                             KW_MEMBERSHIP_SELECT "AND m.status = 2 ORDER BY m.creation_date, m.id",
                                             nullptr, nullptr, "to list memberships"};
constexpr sql::Statement kListNotRevokedOf = {"server_list_unrevoked_memberships",
                                              KW_MEMBERSHIP_SELECT "AND m.status >= 0 ORDER BY m.creation_date, m.id",
                                              nullptr, nullptr, "to list memberships"};
#undef KW_MEMBERSHIP_SELECT

void BindMutable(sql::Params& p, const Member& m) {
  p.Text(m.user_id).Text(m.email).Int(static_cast<int>(m.type)).Int(static_cast<int>(m.status));
  p.Text(m.member_key).Text(m.reset_password_key);
  p.Text(m.type == MemberType::kCustom ? PermissionsJson(m.permissions).dump() : "");
  p.Int(m.access_secrets_manager ? 1 : 0).Text(m.external_id).Bytes(m.invite_token_hash).Int(m.invite_expiration);
}

Result<Member> ReadMember(const sql::Rows& rows, std::size_t i) {
  Member m;
  m.id = rows.Text(i, 0);
  m.organization_id = rows.Text(i, 1);
  m.user_id = rows.Text(i, 2);
  m.email = rows.Text(i, 3);
  KW_ASSIGN_OR_RETURN(std::int64_t type, rows.Int(i, 4));
  KW_ASSIGN_OR_RETURN(std::int64_t status, rows.Int(i, 5));
  const auto member_type = MemberTypeFromInt(type);
  const auto member_status = MemberStatusFromInt(status);
  if (!member_type || !member_status) return InternalError("a member row holds an unknown type or status");
  m.type = *member_type;
  m.status = *member_status;
  m.member_key = rows.Text(i, 6);
  m.reset_password_key = rows.Text(i, 7);
  if (const std::string permissions = rows.Text(i, 8); !permissions.empty()) {
    auto parsed = nlohmann::json::parse(permissions, nullptr, false);
    if (parsed.is_discarded()) return InternalError("a member row holds unreadable permissions");
    KW_ASSIGN_OR_RETURN(m.permissions, ParsePermissions(parsed));
  }
  KW_ASSIGN_OR_RETURN(std::int64_t secrets_manager, rows.Int(i, 9));
  m.access_secrets_manager = secrets_manager != 0;
  m.external_id = rows.Text(i, 10);
  m.invite_token_hash = rows.Bytes(i, 11);
  m.invite_expiration = rows.OptionalInt(i, 12);
  KW_ASSIGN_OR_RETURN(m.creation_date, rows.Int(i, 13));
  KW_ASSIGN_OR_RETURN(m.revision_date, rows.Int(i, 14));
  return m;
}

Result<std::optional<Member>> ReadOne(Result<sql::Rows> rows) {
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<Member>();
  KW_ASSIGN_OR_RETURN(Member m, ReadMember(*rows, 0));
  return std::optional<Member>(std::move(m));
}

Result<std::vector<Member>> ReadAll(Result<sql::Rows> rows) {
  if (!rows.ok()) return rows.status();
  std::vector<Member> out;
  out.reserve(rows->size());
  for (std::size_t i = 0; i < rows->size(); ++i) {
    KW_ASSIGN_OR_RETURN(Member m, ReadMember(*rows, i));
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace

MemberStatus Member::RestoredStatus() const {
  if (user_id.empty()) return MemberStatus::kInvited;
  if (member_key.empty()) return MemberStatus::kAccepted;
  return MemberStatus::kConfirmed;
}

Status InsertMember(sql::Session& session, const Member& m) {
  sql::Params p;
  p.Text(m.id).Text(m.organization_id);
  BindMutable(p, m);
  p.Int(m.creation_date).Int(m.revision_date);
  return session.Execute(kInsert, p).status();
}

Status UpdateMember(sql::Session& session, const Member& m) {
  sql::Params p;
  p.Text(m.id).Text(m.organization_id);
  BindMutable(p, m);
  p.Int(m.creation_date).Int(m.revision_date);
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kUpdate, p));
  if (rows.affected() == 0) return NotFoundError("member");
  return OkStatus();
}

Result<bool> DeleteMember(sql::Session& session, std::string_view organization_id, std::string_view id) {
  for (const sql::Statement& statement : kDeleteOwned) {
    KW_RETURN_IF_ERROR(session.Execute(statement, sql::Params().Text(organization_id).Text(id)).status());
  }
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kDelete, sql::Params().Text(organization_id).Text(id)));
  return rows.affected() > 0;
}

Result<std::optional<Member>> FindMember(sql::Session& session, std::string_view organization_id, std::string_view id) {
  return ReadOne(session.Execute(kFind, sql::Params().Text(organization_id).Text(id)));
}

Result<std::optional<Member>> FindMembershipOf(sql::Session& session, std::string_view organization_id,
                                               std::string_view user_id) {
  return ReadOne(session.Execute(kFindOf, sql::Params().Text(organization_id).Text(user_id)));
}

Result<std::optional<Member>> FindInvitation(sql::Session& session, std::string_view organization_id,
                                             std::string_view email) {
  return ReadOne(session.Execute(kFindInvitation, sql::Params().Text(organization_id).Text(email)));
}

Result<std::vector<Member>> ListMembers(sql::Session& session, std::string_view organization_id) {
  return ReadAll(session.Execute(kList, sql::Params().Text(organization_id)));
}

Result<std::vector<Member>> ListMembershipsOf(sql::Session& session, std::string_view user_id) {
  return ReadAll(session.Execute(kListOf, sql::Params().Text(user_id)));
}

Result<std::vector<Membership>> ListMembershipsWithOrganizationsOf(sql::Session& session, std::string_view user_id,
                                                                   MembershipScope scope) {
  const sql::Statement& statement = scope == MembershipScope::kConfirmed ? kListConfirmedOf : kListNotRevokedOf;
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(statement, sql::Params().Text(user_id)));
  std::vector<Membership> out;
  out.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    Membership m;
    KW_ASSIGN_OR_RETURN(m.member, ReadMember(rows, i));
    Organization& o = m.organization;
    o.id = m.member.organization_id;
    o.name = rows.Text(i, 15);
    o.billing_email = rows.Text(i, 16);
    o.business_name = rows.Text(i, 17);
    o.identifier = rows.Text(i, 18);
    o.public_key = rows.Text(i, 19);
    o.private_key = rows.Text(i, 20);
    KW_ASSIGN_OR_RETURN(std::int64_t enabled, rows.Int(i, 21));
    o.enabled = enabled != 0;
    KW_ASSIGN_OR_RETURN(o.creation_date, rows.Int(i, 22));
    KW_ASSIGN_OR_RETURN(o.revision_date, rows.Int(i, 23));
    out.push_back(std::move(m));
  }
  return out;
}

Result<bool> IsSoleOwnerSomewhere(sql::Session& session, std::string_view user_id) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kSoleOwner, sql::Params().Text(user_id)));
  KW_ASSIGN_OR_RETURN(std::int64_t count, rows.Int(0, 0));
  return count > 0;
}

Result<std::int64_t> CountConfirmedOwners(sql::Session& session, std::string_view organization_id) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kCountOwners, sql::Params().Text(organization_id)));
  return rows.Int(0, 0);
}

}  // namespace keywarden::server::organizations
