#include "server/accounts/key_connector_use.h"

#include <map>
#include <string>
#include <vector>

#include "server/organizations/member_store.h"
#include "server/sso/sso_config_store.h"

namespace keywarden::server {

using organizations::Member;
using organizations::MemberStatus;
using organizations::MemberType;

Status CheckMayUseKeyConnector(sql::Session& session, const store::User& account) {
  const Status refused = InvalidArgumentError(std::string(kCannotUseKeyConnector));
  if (account.uses_key_connector) return refused;
  KW_ASSIGN_OR_RETURN(std::vector<Member> memberships, organizations::ListMembershipsOf(session, account.id));
  for (const Member& member : memberships) {
    if (member.status == MemberStatus::kRevoked) continue;
    if (member.type == MemberType::kOwner || member.type == MemberType::kAdmin) return refused;
  }
  return OkStatus();
}

Result<bool> ManagedByKeyConnector(sql::Session& session, std::string_view user_id) {
  KW_ASSIGN_OR_RETURN(std::vector<Member> memberships, organizations::ListMembershipsOf(session, user_id));
  using ConfigsByOrganization = std::map<std::string, sso::SsoConfig>;
  KW_ASSIGN_OR_RETURN(ConfigsByOrganization configs, sso::ListSsoConfigsOfMember(session, user_id));
  for (const Member& member : memberships) {
    if (member.status == MemberStatus::kRevoked) continue;
    const auto config = configs.find(member.organization_id);
    if (config != configs.end() && config->second.enabled && config->second.data.KeyConnectorEnabled()) return true;
  }
  return false;
}

}  // namespace keywarden::server
