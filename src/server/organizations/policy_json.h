// Policies as the clients read and write them (docs core.md 8): the response objects, and the
// checked body of a policy update.
//
// Thread-safe; no state.
#ifndef KEYWARDEN_SERVER_ORGANIZATIONS_POLICY_JSON_H_
#define KEYWARDEN_SERVER_ORGANIZATIONS_POLICY_JSON_H_

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "keywarden/status.h"
#include "server/organizations/policy_store.h"
#include "sql/database.h"

namespace keywarden::server::organizations {

// PolicyResponseModel: {"id", "organizationId", "type", "data", "enabled", "revisionDate",
// "object": "policy"}, as in sync and after a save.
nlohmann::json PolicyJson(const Policy& policy);
// PolicyStatusResponseModel (the admin console's reads): no id, "canToggleState": true.
nlohmann::json PolicyStatusJson(const Policy& policy);

struct PolicyUpdate {
  bool enabled = false;
  std::string data;  // compact JSON object, or empty
};

// {"policy": {"enabled": bool, "data": {...} | null}, "metadata": ...}, or the older form with
// enabled and data at the top. `data` must be an object of at most `max_data_chars`; for master
// password requirements (1) and account recovery (8) its known members are checked (types, and
// minComplexity 0-4, minLength 12-128, as the reference's model). Field errors.
Result<PolicyUpdate> ParsePolicyUpdate(const nlohmann::json& body, int type, std::size_t max_data_chars);

// The master password requirements of several organisations, combined as the reference does
// (strongest of each), as the token response's MasterPasswordPolicy; null when `data` is empty.
nlohmann::json CombinedMasterPasswordPolicy(const std::vector<std::string>& data);

// The combined master password requirements of the organisations where the account is accepted
// or confirmed (owners included); null when none.
Result<nlohmann::json> MasterPasswordPolicyOf(sql::Session& session, std::string_view user_id);

}  // namespace keywarden::server::organizations

#endif  // KEYWARDEN_SERVER_ORGANIZATIONS_POLICY_JSON_H_
