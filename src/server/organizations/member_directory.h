// Members with what the admin console shows of their accounts (name, address, two-step login,
// how they unlock): one query for a whole organisation, for the member lists and details.
#ifndef KEYWARDEN_SERVER_ORGANIZATIONS_MEMBER_DIRECTORY_H_
#define KEYWARDEN_SERVER_ORGANIZATIONS_MEMBER_DIRECTORY_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keywarden/status.h"
#include "server/organizations/member_store.h"
#include "sql/database.h"

namespace keywarden::server::organizations {

struct MemberEntry {
  Member member;
  // From the member's account; for an invitation: the invited address and nothing else.
  std::string name;
  std::string email;
  std::string avatar_color;
  bool has_master_password = false;
  bool uses_key_connector = false;
  bool two_factor_enabled = false;
};

// Every member of the organisation, oldest first.
Result<std::vector<MemberEntry>> ListMemberEntries(sql::Session& session, std::string_view organization_id);
// One member; nullopt when absent or another organisation's.
Result<std::optional<MemberEntry>> FindMemberEntry(sql::Session& session, std::string_view organization_id,
                                                   std::string_view member_id);

}  // namespace keywarden::server::organizations

#endif  // KEYWARDEN_SERVER_ORGANIZATIONS_MEMBER_DIRECTORY_H_
