#include "server/sso/sso_config_save.h"

#include <utility>

#include "server/organizations/internal/route_support.h"
#include "server/organizations/member_directory.h"
#include "server/organizations/policy_store.h"
#include "server/sso/sso_config_store.h"

namespace keywarden::server::sso {
namespace {

using organizations::Organization;
using organizations::Policy;
using organizations::PolicyType;

constexpr const char* kIdentifierTaken = "Identifier already in use by another organization.";

Result<bool> PolicyEnabled(sql::Session& session, std::string_view organization_id, PolicyType type) {
  KW_ASSIGN_OR_RETURN(std::optional<Policy> policy,
                      organizations::FindPolicy(session, organization_id, static_cast<int>(type)));
  return policy && policy->enabled;
}

Status CheckKeyConnectorDependencies(sql::Session& session, std::string_view organization_id, bool enabled) {
  KW_ASSIGN_OR_RETURN(const bool single_org, PolicyEnabled(session, organization_id, PolicyType::kSingleOrg));
  if (!single_org) {
    return InvalidArgumentError("Key Connector requires the Single Organization policy to be enabled.");
  }
  KW_ASSIGN_OR_RETURN(const bool require_sso, PolicyEnabled(session, organization_id, PolicyType::kRequireSso));
  if (!require_sso) {
    return InvalidArgumentError("Key Connector requires the Single Sign-On Authentication policy to be enabled.");
  }
  if (!enabled) return InvalidArgumentError("You must enable SSO to use Key Connector.");
  return OkStatus();
}

Result<bool> AnyMemberUsesKeyConnector(sql::Session& session, std::string_view organization_id) {
  KW_ASSIGN_OR_RETURN(std::vector<organizations::MemberEntry> members,
                      organizations::ListMemberEntries(session, organization_id));
  for (const organizations::MemberEntry& entry : members) {
    if (entry.uses_key_connector) return true;
  }
  return false;
}

bool IsKeyConnector(const SsoConfigData& data) {
  return data.member_decryption_type == MemberDecryptionType::kKeyConnector;
}

}  // namespace

Result<SsoSaveOutcome> SaveOrganizationSso(sql::Session& session, std::string_view organization_id,
                                           const SsoConfigRequest& request, TimeMs now,
                                           const std::array<std::string, 3>& new_policy_ids) {
  KW_ASSIGN_OR_RETURN(std::optional<Organization> organization,
                      organizations::FindOrganization(session, organization_id));
  if (!organization) return NotFoundError("organization");
  if (!request.identifier.empty()) {
    KW_ASSIGN_OR_RETURN(std::optional<Organization> holder,
                        organizations::FindOrganizationByIdentifier(session, request.identifier));
    if (holder && holder->id != organization->id) return InvalidArgumentError(kIdentifierTaken);
  }
  SsoSaveOutcome out;
  KW_ASSIGN_OR_RETURN(out.previous, FindSsoConfig(session, organization_id));
  if (IsKeyConnector(request.data)) {
    KW_RETURN_IF_ERROR(CheckKeyConnectorDependencies(session, organization_id, request.enabled));
  }
  if (out.previous && IsKeyConnector(out.previous->data) && !IsKeyConnector(request.data)) {
    KW_ASSIGN_OR_RETURN(const bool in_use, AnyMemberUsesKeyConnector(session, organization_id));
    if (in_use) return InvalidArgumentError("Key Connector cannot be disabled at this moment.");
  }
  if (request.data.member_decryption_type == MemberDecryptionType::kTrustedDeviceEncryption) {
    // In the reference's order: account recovery and require single sign-on need single
    // organisation on first.
    const std::pair<PolicyType, const char*> needed[] = {
        {PolicyType::kSingleOrg, ""},
        {PolicyType::kResetPassword, R"({"autoEnrollEnabled":true})"},
        {PolicyType::kRequireSso, ""},
    };
    for (std::size_t i = 0; i < std::size(needed); ++i) {
      KW_ASSIGN_OR_RETURN(
          organizations::SavedPolicy saved,
          organizations::SavePolicyWithRules(session, organization_id, static_cast<int>(needed[i].first),
                                             /*enabled=*/true, needed[i].second, new_policy_ids[i], now));
      out.policies.push_back(std::move(saved));
    }
  }
  out.config.organization_id = std::string(organization_id);
  out.config.enabled = request.enabled;
  out.config.data = request.data;
  out.config.creation_date = out.previous ? out.previous->creation_date : now;
  out.config.revision_date = now;
  KW_RETURN_IF_ERROR(SaveSsoConfig(session, out.config));
  organization->identifier = request.identifier;
  organization->revision_date = now;
  const Status updated = organizations::UpdateOrganization(session, *organization);
  // The unique index compares with case; the check above without. Both refuse the same way.
  if (updated.code() == ErrorCode::kAlreadyExists) return InvalidArgumentError(kIdentifierTaken);
  KW_RETURN_IF_ERROR(updated);
  KW_RETURN_IF_ERROR(organizations::TouchMembers(session, organization_id, now));
  out.organization = *std::move(organization);
  return out;
}

void RecordSsoSaved(events::EventLog& log, const SsoSaveOutcome& outcome, std::string_view actor,
                    const http::HttpRequest& request, TimeMs now) {
  for (const organizations::SavedPolicy& saved : outcome.policies) {
    organizations::RecordPolicySaved(log, saved, actor, request, now);
  }
  const std::string& organization_id = outcome.organization.id;
  const auto record = [&](events::EventType type) {
    log.Record(organizations::internal::OrganizationEvent(type, organization_id, actor, request, now));
  };
  if (!outcome.previous || outcome.previous->enabled != outcome.config.enabled) {
    record(outcome.config.enabled ? events::EventType::kOrganizationEnabledSso
                                  : events::EventType::kOrganizationDisabledSso);
  }
  const bool was_key_connector = outcome.previous && IsKeyConnector(outcome.previous->data);
  const bool is_key_connector = IsKeyConnector(outcome.config.data);
  if (was_key_connector != is_key_connector) {
    record(is_key_connector ? events::EventType::kOrganizationEnabledKeyConnector
                            : events::EventType::kOrganizationDisabledKeyConnector);
  }
  record(events::EventType::kOrganizationUpdated);
}

}  // namespace keywarden::server::sso
