// What saving a policy entails beyond its row, shared by the policy routes and by the single
// sign-on configuration (which turns policies on for trusted devices, as the reference does):
//
// - Dependencies: require single sign-on, account recovery and vault timeout can be on only
//   while single organisation is, and single organisation cannot go off under them (the
//   reference's messages).
// - Enforcement: turning single organisation on revokes the members (not owners or admins,
//   accepted or confirmed) who belong to another organisation; turning two-step login on revokes
//   those without it.
//
// Functions run inside a unit of work; events are recorded after it commits.
#ifndef KEYWARDEN_SERVER_ORGANIZATIONS_POLICY_RULES_H_
#define KEYWARDEN_SERVER_ORGANIZATIONS_POLICY_RULES_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"
#include "http/http_types.h"
#include "keywarden/status.h"
#include "server/events/event_log.h"
#include "server/organizations/policy_store.h"
#include "sql/database.h"

namespace keywarden::server::organizations {

// The policy as saved, and the member ids its enforcement revoked.
struct SavedPolicy {
  Policy policy;
  std::vector<std::string> revoked;
};

// Checks the dependencies, then writes `enabled` and `data` (compact JSON or empty) as the
// organisation's policy of `type` (a new row takes `new_id`), and enforces it on members when
// it was just turned on. kInvalidArgument with the reference's message when a dependency
// refuses. Members' account revision dates are not moved: the caller does it once.
Result<SavedPolicy> SavePolicyWithRules(sql::Session& session, std::string_view organization_id, int type, bool enabled,
                                        const std::string& data, const std::string& new_id, TimeMs now);

// Policy_Updated (1700) for the policy, and a revocation event for each member it revoked.
void RecordPolicySaved(events::EventLog& log, const SavedPolicy& saved, std::string_view actor,
                       const http::HttpRequest& request, TimeMs now);

}  // namespace keywarden::server::organizations

#endif  // KEYWARDEN_SERVER_ORGANIZATIONS_POLICY_RULES_H_
