#include "server/sso/sso_policy_guard.h"

#include <optional>

#include <nlohmann/json.hpp>

#include "http/json.h"
#include "server/organizations/policy_store.h"
#include "server/sso/sso_config_store.h"

namespace keywarden::server::sso {
namespace {

using organizations::PolicyType;

constexpr const char* kTrustedDevicesNeedIt = "Trusted device encryption is on and requires this policy.";
constexpr const char* kKeyConnectorNeedsIt = "Key Connector is enabled and requires this policy.";

// Account recovery's automatic enrolment, as the reference's data model reads it: absent is off.
bool AutoEnrolls(const std::string& data) {
  if (data.empty()) return false;
  const nlohmann::json object = nlohmann::json::parse(data, nullptr, /*allow_exceptions=*/false);
  if (!object.is_object()) return false;
  const nlohmann::json* value = http::FindField(object, "autoEnrollEnabled");
  return value != nullptr && value->is_boolean() && value->get<bool>();
}

}  // namespace

Status CheckPolicyChange(sql::Session& session, std::string_view organization_id, int type,
                         const organizations::PolicyUpdate& update) {
  const bool weakens_recovery =
      type == static_cast<int>(PolicyType::kResetPassword) && (!update.enabled || !AutoEnrolls(update.data));
  const bool turns_off_sso = type == static_cast<int>(PolicyType::kRequireSso) && !update.enabled;
  const bool turns_off_single_org = type == static_cast<int>(PolicyType::kSingleOrg) && !update.enabled;
  if (!weakens_recovery && !turns_off_sso && !turns_off_single_org) return OkStatus();
  KW_ASSIGN_OR_RETURN(std::optional<SsoConfig> config, FindSsoConfig(session, organization_id));
  if (!config || !config->enabled) return OkStatus();
  switch (config->data.member_decryption_type) {
    case MemberDecryptionType::kTrustedDeviceEncryption:
      if (weakens_recovery || turns_off_sso) return InvalidArgumentError(kTrustedDevicesNeedIt);
      break;
    case MemberDecryptionType::kKeyConnector:
      if (turns_off_sso || turns_off_single_org) return InvalidArgumentError(kKeyConnectorNeedsIt);
      break;
    case MemberDecryptionType::kMasterPassword: break;
  }
  return OkStatus();
}

}  // namespace keywarden::server::sso
