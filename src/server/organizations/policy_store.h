// The policies table: one row per organisation and policy type (docs core.md 8), its options as
// the client sent them. Functions run inside a unit of work.
#ifndef KEYWARDEN_SERVER_ORGANIZATIONS_POLICY_STORE_H_
#define KEYWARDEN_SERVER_ORGANIZATIONS_POLICY_STORE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"
#include "keywarden/status.h"
#include "sql/database.h"

namespace keywarden::server::organizations {

// The reference's numbers for the policies this server reads and enforces.
enum class PolicyType {
  kTwoFactorAuthentication = 0,
  kMasterPassword = 1,
  kPasswordGenerator = 2,
  kSingleOrg = 3,
  kRequireSso = 4,
  kPersonalOwnership = 5,
  kDisableSend = 6,
  kSendOptions = 7,
  kResetPassword = 8,
  kMaximumVaultTimeout = 9,
  kDisablePersonalVaultExport = 10,
};

struct Policy {
  std::string id;
  std::string organization_id;
  int type = 0;
  bool enabled = false;
  std::string data;  // compact JSON object, or empty for none
  TimeMs creation_date = 0;
  TimeMs revision_date = 0;
};

Result<std::optional<Policy>> FindPolicy(sql::Session& session, std::string_view organization_id, int type);
Result<std::vector<Policy>> ListPolicies(sql::Session& session, std::string_view organization_id);
// Inserts, or replaces enabled, data and revision date of the organisation's policy of that type.
Status SavePolicy(sql::Session& session, const Policy& policy);
// The enabled policies of `type` of every organisation the account is a member of with one of
// `statuses`, with the member's role there (for the exemptions of owners and admins).
struct MemberPolicy {
  Policy policy;
  int member_type = 2;
  int member_status = 0;
};
// Every policy (enabled or not) of the organisations where the account is a confirmed member,
// in one statement: the sync's `policies`.
Result<std::vector<Policy>> ListPoliciesOfConfirmedMember(sql::Session& session, std::string_view user_id);
Result<std::vector<MemberPolicy>> ListEnabledPoliciesOf(sql::Session& session, std::string_view user_id, int type);

// Whether any of `policies` binds its member as the reference's policy requirements do by
// default: an accepted or confirmed member who is neither owner nor admin.
bool BindsMember(const std::vector<MemberPolicy>& policies);

}  // namespace keywarden::server::organizations

#endif  // KEYWARDEN_SERVER_ORGANIZATIONS_POLICY_STORE_H_
