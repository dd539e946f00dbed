#include "server/organizations/account_recovery.h"

#include <optional>

#include <nlohmann/json.hpp>

#include "http/json.h"
#include "server/organizations/policy_store.h"

namespace keywarden::server::organizations {

Result<RecoveryPolicy> ReadRecoveryPolicy(sql::Session& session, std::string_view organization_id) {
  KW_ASSIGN_OR_RETURN(std::optional<Policy> policy,
                      FindPolicy(session, organization_id, static_cast<int>(PolicyType::kResetPassword)));
  RecoveryPolicy recovery;
  if (!policy || !policy->enabled) return recovery;
  recovery.enabled = true;
  if (policy->data.empty()) return recovery;
  const nlohmann::json data = nlohmann::json::parse(policy->data, nullptr, false);
  if (!data.is_object()) return recovery;
  const nlohmann::json* auto_enroll = http::FindField(data, "autoEnrollEnabled");
  recovery.auto_enroll = auto_enroll != nullptr && auto_enroll->is_boolean() && auto_enroll->get<bool>();
  return recovery;
}

bool ManagesAccountRecovery(const MemberRole& caller) { return caller.ManagesResetPassword(); }

bool MayRecover(const MemberRole& caller, MemberType target) {
  switch (target) {
    case MemberType::kOwner: return caller.IsOwner();
    case MemberType::kAdmin: return caller.IsAdmin();
    case MemberType::kUser:
    case MemberType::kCustom: return caller.ManagesResetPassword();
  }
  return false;
}

bool IsRecoverable(const Member& target) {
  const bool status_allows = target.status == MemberStatus::kConfirmed || target.status == MemberStatus::kAccepted ||
                             target.status == MemberStatus::kRevoked;
  return status_allows && !target.user_id.empty() && !target.reset_password_key.empty();
}

}  // namespace keywarden::server::organizations
