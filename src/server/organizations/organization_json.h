// Organisations and members as the clients read them (docs core.md 4.3, 7.1-7.3): camelCase
// members, every feature flag a self-hosted enterprise organisation has, and only what the
// member looking may see (an organisation key only in the member's own entry).
//
// Thread-safe; no state.
#ifndef KEYWARDEN_SERVER_ORGANIZATIONS_ORGANIZATION_JSON_H_
#define KEYWARDEN_SERVER_ORGANIZATIONS_ORGANIZATION_JSON_H_

#include <nlohmann/json.hpp>

#include "server/organizations/member_directory.h"
#include "server/organizations/member_store.h"
#include "server/organizations/organization_store.h"
#include "server/sso/sso_config.h"
#include "sql/database.h"

namespace keywarden::server::organizations {

// An element of the profile's `organizations` (object "profileOrganization"): the organisation as
// `member` belongs to it, with the member's copy of the organisation key once confirmed, and
// what its single sign-on configuration `config` (nullptr when none) tells the clients: ssoEnabled,
// keyConnectorEnabled and keyConnectorUrl, ssoMemberDecryptionType (from the configuration
// whether enabled or not, as the reference reads it). ssoBound stays false until single sign-on
// links accounts.
nlohmann::json ProfileOrganizationJson(const Organization& organization, const Member& member,
                                       const sso::SsoConfig* config = nullptr);

// The account's organisations in `scope` as profile entries: kConfirmed is the sync's and the
// profile's `organizations`, kNotRevoked the account's organisation list.
Result<nlohmann::json> ProfileOrganizationsJson(sql::Session& session, std::string_view user_id, MembershipScope scope);

// The sync's `policies`: every policy of the organisations where the account is confirmed.
Result<nlohmann::json> SyncPoliciesJson(sql::Session& session, std::string_view user_id);

// GET /organizations/{id} (object "organization"): the organisation's details for its owners.
nlohmann::json OrganizationJson(const Organization& organization);

// A member in the member list (object "organizationUserUserDetails") or alone
// (object "organizationUserDetails"): ids, type, status, permissions, enrolment, and the
// account's name and address. `collections` and `groups` are the member's access.
enum class MemberObject { kUserDetails, kDetails };
nlohmann::json MemberJson(const MemberEntry& entry, MemberObject object, nlohmann::json collections,
                          nlohmann::json groups);

// {"data": [...], "continuationToken": null, "object": "list"}.
nlohmann::json ListJson(nlohmann::json data);

}  // namespace keywarden::server::organizations

#endif  // KEYWARDEN_SERVER_ORGANIZATIONS_ORGANIZATION_JSON_H_
