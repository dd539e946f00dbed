#include "server/sso/sso_config_store.h"

#include <utility>

namespace keywarden::server::sso {
namespace {

#define KW_SSO_COLUMNS "organization_id, enabled, data, creation_date, revision_date"

constexpr sql::Statement kFind = {"server_find_sso_config",
                                  "SELECT " KW_SSO_COLUMNS " FROM sso_configs WHERE organization_id = $1", nullptr,
                                  nullptr, "to read a single sign-on configuration"};
constexpr sql::Statement kSave = {
    "server_save_sso_config",
    "INSERT INTO sso_configs(" KW_SSO_COLUMNS
    ") VALUES ($1, $2, $3, $4, $5) ON CONFLICT(organization_id) DO UPDATE SET enabled = excluded.enabled, data = "
    "excluded.data, revision_date = excluded.revision_date",
    nullptr, nullptr, "to save a single sign-on configuration"};
// The reference's database compares identifiers without regard to case (as
// organizations::FindOrganizationByIdentifier does).
constexpr sql::Statement kFindByIdentifier = {
    "server_find_sso_config_by_identifier",
    "SELECT o.id FROM organizations o JOIN sso_configs s ON s.organization_id = o.id WHERE LOWER(o.identifier) = "
    "LOWER($1)",
    nullptr, nullptr, "to read a single sign-on configuration by identifier"};
constexpr sql::Statement kListOfMember = {
    "server_list_member_sso_configs",
    "SELECT s.organization_id, s.enabled, s.data, s.creation_date, s.revision_date FROM sso_configs s JOIN "
    "organization_users m ON m.organization_id = s.organization_id WHERE m.user_id = $1",
    nullptr, nullptr, "to read the single sign-on configurations of a member's organizations"};

Result<SsoConfig> ReadConfig(const sql::Rows& rows, std::size_t i) {
  SsoConfig config;
  config.organization_id = rows.Text(i, 0);
  KW_ASSIGN_OR_RETURN(std::int64_t enabled, rows.Int(i, 1));
  config.enabled = enabled != 0;
  KW_ASSIGN_OR_RETURN(config.data, ParseStoredData(rows.Text(i, 2)));
  KW_ASSIGN_OR_RETURN(config.creation_date, rows.Int(i, 3));
  KW_ASSIGN_OR_RETURN(config.revision_date, rows.Int(i, 4));
  return config;
}

}  // namespace

Result<std::optional<SsoConfig>> FindSsoConfig(sql::Session& session, std::string_view organization_id) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kFind, sql::Params().Text(organization_id)));
  if (rows.empty()) return std::optional<SsoConfig>();
  KW_ASSIGN_OR_RETURN(SsoConfig config, ReadConfig(rows, 0));
  return std::optional<SsoConfig>(std::move(config));
}

Status SaveSsoConfig(sql::Session& session, const SsoConfig& config) {
  sql::Params p;
  p.Text(config.organization_id).Int(config.enabled ? 1 : 0).Text(StoredDataJson(config.data));
  p.Int(config.creation_date).Int(config.revision_date);
  return session.Execute(kSave, p).status();
}

Result<std::optional<OrganizationSso>> FindSsoConfigByIdentifier(sql::Session& session, std::string_view identifier) {
  if (identifier.empty()) return std::optional<OrganizationSso>();
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kFindByIdentifier, sql::Params().Text(identifier)));
  if (rows.empty()) return std::optional<OrganizationSso>();
  const std::string organization_id = rows.Text(0, 0);
  KW_ASSIGN_OR_RETURN(std::optional<organizations::Organization> organization,
                      organizations::FindOrganization(session, organization_id));
  KW_ASSIGN_OR_RETURN(std::optional<SsoConfig> config, FindSsoConfig(session, organization_id));
  if (!organization || !config) return std::optional<OrganizationSso>();
  return std::optional<OrganizationSso>(OrganizationSso{*std::move(organization), *std::move(config)});
}

Result<std::map<std::string, SsoConfig>> ListSsoConfigsOfMember(sql::Session& session, std::string_view user_id) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kListOfMember, sql::Params().Text(user_id)));
  std::map<std::string, SsoConfig> out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    KW_ASSIGN_OR_RETURN(SsoConfig config, ReadConfig(rows, i));
    std::string id = config.organization_id;
    out.emplace(std::move(id), std::move(config));
  }
  return out;
}

}  // namespace keywarden::server::sso
