#include "server/organizations/organization_store.h"

#include <utility>

namespace keywarden::server::organizations {
namespace {

#define KW_ORGANIZATION_COLUMNS \
  "id, name, billing_email, business_name, identifier, public_key, private_key, enabled, creation_date, revision_date"

constexpr sql::Statement kInsert = {"server_insert_organization",
                                    "INSERT INTO organizations(" KW_ORGANIZATION_COLUMNS
                                    ") VALUES ($1, $2, $3, NULLIF($4, ''), NULLIF($5, ''), $6, $7, $8, $9, $10)",
                                    nullptr, nullptr, "to add an organization"};
constexpr sql::Statement kFind = {"server_find_organization",
                                  "SELECT " KW_ORGANIZATION_COLUMNS " FROM organizations WHERE id = $1", nullptr,
                                  nullptr, "to read an organization"};
// The reference's database compares identifiers without regard to case; so does this.
constexpr sql::Statement kFindByIdentifier = {
    "server_find_organization_by_identifier",
    "SELECT " KW_ORGANIZATION_COLUMNS " FROM organizations WHERE LOWER(identifier) = LOWER($1)", nullptr, nullptr,
    "to read an organization by its single sign-on identifier"};
constexpr sql::Statement kUpdate = {
    "server_update_organization",
    "UPDATE organizations SET name = $2, billing_email = $3, business_name = NULLIF($4, ''), identifier = "
    "NULLIF($5, ''), public_key = $6, private_key = $7, enabled = $8, revision_date = $9 WHERE id = $1",
    nullptr, nullptr, "to update an organization"};
constexpr sql::Statement kTouchMembers = {
    "server_touch_organization_members",
    "UPDATE users SET account_revision_date = CASE WHEN account_revision_date < $2 THEN $2 ELSE "
    "account_revision_date + 1 END WHERE id IN (SELECT user_id FROM organization_users WHERE organization_id = $1 "
    "AND user_id IS NOT NULL)",
    nullptr, nullptr, "to mark members' accounts changed"};
// SQLite does not enforce foreign keys here, so nothing cascades: every row that names the
// organisation, its items, collections, groups or members goes explicitly, dependents first.
#define KW_OF_ORGANIZATION(table) "SELECT id FROM " table " WHERE organization_id = $1"
constexpr sql::Statement kDeleteOwned[] = {
    {"server_delete_organization_preferences",
     "DELETE FROM cipher_preferences WHERE cipher_id IN (" KW_OF_ORGANIZATION("ciphers") ")", nullptr, nullptr,
     "to delete members' item settings"},
    {"server_delete_organization_item_links",
     "DELETE FROM collection_ciphers WHERE collection_id IN (" KW_OF_ORGANIZATION("collections") ")", nullptr, nullptr,
     "to delete items' collections"},
    {"server_delete_organization_collection_users",
     "DELETE FROM collection_users WHERE collection_id IN (" KW_OF_ORGANIZATION("collections") ")", nullptr, nullptr,
     "to delete collection access"},
    {"server_delete_organization_collection_groups",
     "DELETE FROM collection_groups WHERE collection_id IN (" KW_OF_ORGANIZATION("collections") ")", nullptr, nullptr,
     "to delete collection access"},
    {"server_delete_organization_group_users",
     "DELETE FROM group_users WHERE group_id IN (" KW_OF_ORGANIZATION("organization_groups") ")", nullptr, nullptr,
     "to delete group members"},
    {"server_delete_organization_ciphers", "DELETE FROM ciphers WHERE organization_id = $1", nullptr, nullptr,
     "to delete an organization's items"},
    {"server_delete_organization_collections", "DELETE FROM collections WHERE organization_id = $1", nullptr, nullptr,
     "to delete collections"},
    {"server_delete_organization_groups", "DELETE FROM organization_groups WHERE organization_id = $1", nullptr,
     nullptr, "to delete groups"},
    {"server_delete_organization_policies", "DELETE FROM policies WHERE organization_id = $1", nullptr, nullptr,
     "to delete policies"},
    {"server_delete_organization_sso_config", "DELETE FROM sso_configs WHERE organization_id = $1", nullptr, nullptr,
     "to delete the single sign-on configuration"},
    {"server_delete_organization_sso_users", "DELETE FROM sso_users WHERE organization_id = $1", nullptr, nullptr,
     "to unlink accounts from the identity provider"},
    {"server_delete_organization_auth_requests", "DELETE FROM auth_requests WHERE organization_id = $1", nullptr,
     nullptr, "to delete device approval requests"},
    {"server_delete_organization_members", "DELETE FROM organization_users WHERE organization_id = $1", nullptr,
     nullptr, "to delete members"},
    {"server_delete_organization_events", "DELETE FROM events WHERE organization_id = $1", nullptr, nullptr,
     "to delete an organization's events"},
    {"server_delete_organization", "DELETE FROM organizations WHERE id = $1", nullptr, nullptr,
     "to delete an organization"},
};
#undef KW_OF_ORGANIZATION

Result<Organization> ReadOrganization(const sql::Rows& rows) {
  Organization o;
  o.id = rows.Text(0, 0);
  o.name = rows.Text(0, 1);
  o.billing_email = rows.Text(0, 2);
  o.business_name = rows.Text(0, 3);
  o.identifier = rows.Text(0, 4);
  o.public_key = rows.Text(0, 5);
  o.private_key = rows.Text(0, 6);
  KW_ASSIGN_OR_RETURN(std::int64_t enabled, rows.Int(0, 7));
  o.enabled = enabled != 0;
  KW_ASSIGN_OR_RETURN(o.creation_date, rows.Int(0, 8));
  KW_ASSIGN_OR_RETURN(o.revision_date, rows.Int(0, 9));
  return o;
}

}  // namespace

Status InsertOrganization(sql::Session& session, const Organization& o) {
  sql::Params p;
  p.Text(o.id).Text(o.name).Text(o.billing_email).Text(o.business_name).Text(o.identifier);
  p.Text(o.public_key).Text(o.private_key).Int(o.enabled ? 1 : 0).Int(o.creation_date).Int(o.revision_date);
  return session.Execute(kInsert, p).status();
}

Result<std::optional<Organization>> FindOrganization(sql::Session& session, std::string_view id) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kFind, sql::Params().Text(id)));
  if (rows.empty()) return std::optional<Organization>();
  KW_ASSIGN_OR_RETURN(Organization o, ReadOrganization(rows));
  return std::optional<Organization>(std::move(o));
}

Result<std::optional<Organization>> FindOrganizationByIdentifier(sql::Session& session, std::string_view identifier) {
  if (identifier.empty()) return std::optional<Organization>();
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kFindByIdentifier, sql::Params().Text(identifier)));
  if (rows.empty()) return std::optional<Organization>();
  KW_ASSIGN_OR_RETURN(Organization o, ReadOrganization(rows));
  return std::optional<Organization>(std::move(o));
}

Status UpdateOrganization(sql::Session& session, const Organization& o) {
  sql::Params p;
  p.Text(o.id).Text(o.name).Text(o.billing_email).Text(o.business_name).Text(o.identifier);
  p.Text(o.public_key).Text(o.private_key).Int(o.enabled ? 1 : 0).Int(o.revision_date);
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kUpdate, p));
  if (rows.affected() == 0) return NotFoundError("organization");
  return OkStatus();
}

Status DeleteOrganization(sql::Session& session, std::string_view id, TimeMs now) {
  KW_RETURN_IF_ERROR(TouchMembers(session, id, now));
  for (const sql::Statement& statement : kDeleteOwned) {
    KW_RETURN_IF_ERROR(session.Execute(statement, sql::Params().Text(id)).status());
  }
  return OkStatus();
}

Status TouchMembers(sql::Session& session, std::string_view organization_id, TimeMs now) {
  return session.Execute(kTouchMembers, sql::Params().Text(organization_id).Int(now)).status();
}

}  // namespace keywarden::server::organizations
