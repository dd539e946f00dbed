// The sso_configs table: each organisation's single sign-on configuration (sso_config.h), at
// most one. The SSO identifier members type stays with the organisation
// (organizations::Organization::identifier). Functions run inside a unit of work; the rows go
// with their organisation (organizations::DeleteOrganization).
#ifndef KEYWARDEN_SERVER_SSO_SSO_CONFIG_STORE_H_
#define KEYWARDEN_SERVER_SSO_SSO_CONFIG_STORE_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "keywarden/status.h"
#include "server/organizations/organization_store.h"
#include "server/sso/sso_config.h"
#include "sql/database.h"

namespace keywarden::server::sso {

Result<std::optional<SsoConfig>> FindSsoConfig(sql::Session& session, std::string_view organization_id);

// Inserts, or replaces enabled, data and revision date of the organisation's configuration
// (the creation date is kept).
Status SaveSsoConfig(sql::Session& session, const SsoConfig& config);

// The organisation whose SSO identifier is `identifier` (without regard to case) with its
// configuration: what the login flow starts from. nullopt when no organisation has the
// identifier or it has no configuration; the caller checks `config.enabled`.
struct OrganizationSso {
  organizations::Organization organization;
  SsoConfig config;
};
Result<std::optional<OrganizationSso>> FindSsoConfigByIdentifier(sql::Session& session, std::string_view identifier);

// The configurations of the organisations the account is a member of (any status), by
// organisation id, in one statement: for the profile's organisations.
Result<std::map<std::string, SsoConfig>> ListSsoConfigsOfMember(sql::Session& session, std::string_view user_id);

}  // namespace keywarden::server::sso

#endif  // KEYWARDEN_SERVER_SSO_SSO_CONFIG_STORE_H_
