#include "server/organizations/organization_json.h"

#include <chrono>
#include <string>
#include <utility>

#include "base/iso_date.h"
#include "base/time.h"
#include "http/json.h"
#include "server/organizations/policy_json.h"
#include "server/organizations/policy_store.h"
#include "server/sso/sso_config_store.h"

namespace keywarden::server::organizations {
namespace {

// What a self-hosted organisation of this server can use: everything the server implements.
// productTierType 3 is Enterprise, whose features the clients unlock by these flags.
void AddFeatures(nlohmann::json& out) {
  out["productTierType"] = 3;
  out["usePolicies"] = true;
  out["useSso"] = true;
  out["useKeyConnector"] = true;
  out["useScim"] = false;
  out["useGroups"] = true;
  out["useDirectory"] = false;
  out["useEvents"] = true;
  out["useTotp"] = true;
  out["use2fa"] = true;
  out["useApi"] = true;
  out["useResetPassword"] = true;
  out["useSecretsManager"] = false;
  out["usePasswordManager"] = true;
  out["usersGetPremium"] = true;
  out["useCustomPermissions"] = true;
  out["useActivateAutofillPolicy"] = false;
  out["useRiskInsights"] = false;
  out["useOrganizationDomains"] = false;
  out["useAdminSponsoredFamilies"] = false;
  out["useAutomaticUserConfirmation"] = false;
  out["useDisableSMAdsForUsers"] = false;
  out["usePhishingBlocker"] = false;
  out["useMyItems"] = false;
  out["useInviteLinks"] = false;
  out["usePam"] = false;
  out["selfHost"] = true;
  out["seats"] = nullptr;
  out["maxCollections"] = nullptr;
  out["maxStorageGb"] = nullptr;
}

}  // namespace

nlohmann::json ProfileOrganizationJson(const Organization& organization, const Member& member,
                                       const sso::SsoConfig* config) {
  nlohmann::json out = nlohmann::json::object();
  out["id"] = organization.id;
  out["name"] = organization.name;
  out["enabled"] = organization.enabled;
  out["identifier"] = http::NullIfEmpty(organization.identifier);
  AddFeatures(out);
  const bool confirmed = member.status == MemberStatus::kConfirmed;
  out["key"] = confirmed ? http::NullIfEmpty(member.member_key) : nlohmann::json();
  out["hasPublicAndPrivateKeys"] = !organization.public_key.empty() && !organization.private_key.empty();
  out["ssoBound"] = false;
  out["resetPasswordEnrolled"] = !member.reset_password_key.empty();
  out["limitCollectionCreation"] = false;
  out["limitCollectionDeletion"] = false;
  out["limitItemDeletion"] = false;
  out["allowAdminAccessToAllCollectionItems"] = true;
  out["providerId"] = nullptr;
  out["providerName"] = nullptr;
  out["providerType"] = nullptr;
  out["ssoEnabled"] = config != nullptr && config->enabled;
  out["keyConnectorEnabled"] = config != nullptr && config->data.KeyConnectorEnabled();
  out["keyConnectorUrl"] = config != nullptr ? http::NullIfEmpty(config->data.key_connector_url) : nlohmann::json();
  out["ssoMemberDecryptionType"] =
      config != nullptr ? nlohmann::json(static_cast<int>(config->data.member_decryption_type)) : nlohmann::json();
  out["accessSecretsManager"] = member.access_secrets_manager;
  out["accessPam"] = false;
  out["userId"] = http::NullIfEmpty(member.user_id);
  out["status"] = static_cast<int>(member.status);
  out["type"] = static_cast<int>(member.type);
  out["permissions"] = PermissionsJson(member.permissions);
  out["organizationUserId"] = member.id;
  out["userIsClaimedByOrganization"] = false;
  out["familySponsorshipFriendlyName"] = nullptr;
  out["familySponsorshipAvailable"] = false;
  out["familySponsorshipLastSyncDate"] = nullptr;
  out["familySponsorshipValidUntil"] = nullptr;
  out["familySponsorshipToDelete"] = nullptr;
  out["isAdminInitiated"] = false;
  out["object"] = "profileOrganization";
  return out;
}

Result<nlohmann::json> ProfileOrganizationsJson(sql::Session& session, std::string_view user_id,
                                                MembershipScope scope) {
  KW_ASSIGN_OR_RETURN(std::vector<Membership> memberships, ListMembershipsWithOrganizationsOf(session, user_id, scope));
  KW_ASSIGN_OR_RETURN(const auto sso_configs, sso::ListSsoConfigsOfMember(session, user_id));
  nlohmann::json out = nlohmann::json::array();
  for (const Membership& m : memberships) {
    const auto found = sso_configs.find(m.organization.id);
    out.push_back(
        ProfileOrganizationJson(m.organization, m.member, found == sso_configs.end() ? nullptr : &found->second));
  }
  return out;
}

Result<nlohmann::json> SyncPoliciesJson(sql::Session& session, std::string_view user_id) {
  KW_ASSIGN_OR_RETURN(std::vector<Policy> policies, ListPoliciesOfConfirmedMember(session, user_id));
  nlohmann::json out = nlohmann::json::array();
  for (const Policy& policy : policies) out.push_back(PolicyJson(policy));
  return out;
}

nlohmann::json OrganizationJson(const Organization& organization) {
  nlohmann::json out = nlohmann::json::object();
  out["id"] = organization.id;
  out["identifier"] = http::NullIfEmpty(organization.identifier);
  out["name"] = organization.name;
  out["businessName"] = http::NullIfEmpty(organization.business_name);
  out["billingEmail"] = organization.billing_email;
  out["enabled"] = organization.enabled;
  out["planType"] = 20;  // EnterpriseAnnually: a self-hosted organisation has every feature
  out["plan"] = nullptr;
  out["hasPublicAndPrivateKeys"] = !organization.public_key.empty() && !organization.private_key.empty();
  out["creationDate"] = FormatIsoDate(organization.creation_date);
  out["revisionDate"] = FormatIsoDate(organization.revision_date);
  AddFeatures(out);
  out["object"] = "organization";
  return out;
}

nlohmann::json MemberJson(const MemberEntry& entry, MemberObject object, nlohmann::json collections,
                          nlohmann::json groups) {
  const Member& m = entry.member;
  nlohmann::json out = nlohmann::json::object();
  out["id"] = m.id;
  out["userId"] = http::NullIfEmpty(m.user_id);
  out["type"] = static_cast<int>(m.type);
  out["status"] = static_cast<int>(m.status);
  out["externalId"] = http::NullIfEmpty(m.external_id);
  out["accessSecretsManager"] = m.access_secrets_manager;
  out["permissions"] = PermissionsJson(m.permissions);
  out["resetPasswordEnrolled"] = !m.reset_password_key.empty();
  out["usesKeyConnector"] = entry.uses_key_connector;
  out["hasMasterPassword"] = entry.has_master_password;
  out["collections"] = std::move(collections);
  out["groups"] = std::move(groups);
  if (object == MemberObject::kUserDetails) {
    out["name"] = http::NullIfEmpty(entry.name);
    out["email"] = entry.email;
    out["avatarColor"] = http::NullIfEmpty(entry.avatar_color);
    out["twoFactorEnabled"] = entry.two_factor_enabled;
    out["ssoBound"] = false;
    out["managedByOrganization"] = false;
    out["claimedByOrganization"] = false;
    out["object"] = "organizationUserUserDetails";
  } else {
    out["object"] = "organizationUserDetails";
  }
  return out;
}

nlohmann::json ListJson(nlohmann::json data) {
  return {{"data", std::move(data)}, {"continuationToken", nullptr}, {"object", "list"}};
}

}  // namespace keywarden::server::organizations
