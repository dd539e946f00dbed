#include "server/organizations/policy_json.h"

#include <algorithm>
#include <chrono>

#include "base/iso_date.h"
#include "base/time.h"
#include "http/json.h"
#include "server/api/field_error.h"

namespace keywarden::server::organizations {
namespace {

nlohmann::json DataOf(const Policy& policy) {
  if (policy.data.empty()) return nullptr;
  nlohmann::json data = nlohmann::json::parse(policy.data, nullptr, false);
  return data.is_discarded() ? nlohmann::json() : data;
}

Status CheckOptionalBool(const nlohmann::json& data, std::string_view name, std::string_view field) {
  const nlohmann::json* value = http::FindField(data, name);
  if (value != nullptr && !value->is_null() && !value->is_boolean()) {
    return api::FieldErrorStatus(field, "must be true or false.");
  }
  return OkStatus();
}

Status CheckOptionalInt(const nlohmann::json& data, std::string_view name, std::string_view field, long long min,
                        long long max) {
  const nlohmann::json* value = http::FindField(data, name);
  if (value == nullptr || value->is_null()) return OkStatus();
  if (!value->is_number_integer() || value->get<long long>() < min || value->get<long long>() > max) {
    return api::FieldErrorStatus(
        field, "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max) + ".");
  }
  return OkStatus();
}

}  // namespace

nlohmann::json PolicyJson(const Policy& policy) {
  return {{"id", policy.id},           {"organizationId", policy.organization_id},
          {"type", policy.type},       {"data", DataOf(policy)},
          {"enabled", policy.enabled}, {"revisionDate", FormatIsoDate(policy.revision_date)},
          {"object", "policy"}};
}

nlohmann::json PolicyStatusJson(const Policy& policy) {
  nlohmann::json data = DataOf(policy);
  return {{"organizationId", policy.organization_id},
          {"type", policy.type},
          {"data", data.is_null() ? nlohmann::json::object() : data},
          {"enabled", policy.enabled},
          {"canToggleState", true},
          {"object", "policy"}};
}

Result<PolicyUpdate> ParsePolicyUpdate(const nlohmann::json& body, int type, std::size_t max_data_chars) {
  const nlohmann::json* policy = http::FindField(body, "policy");
  const nlohmann::json& source = policy != nullptr && policy->is_object() ? *policy : body;
  const std::string prefix = policy != nullptr && policy->is_object() ? "Policy." : "";
  PolicyUpdate out;
  const nlohmann::json* enabled = http::FindField(source, "enabled");
  if (enabled == nullptr || !enabled->is_boolean()) return api::FieldErrorStatus(prefix + "Enabled", "is required.");
  out.enabled = enabled->get<bool>();
  const nlohmann::json* data = http::FindField(source, "data");
  if (data == nullptr || data->is_null()) return out;
  const std::string field = prefix + "Data";
  if (!data->is_object()) return api::FieldErrorStatus(field, "must be an object.");
  std::string text = data->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > max_data_chars) return api::FieldErrorStatus(field, "is too large.");
  if (type == static_cast<int>(PolicyType::kMasterPassword)) {
    KW_RETURN_IF_ERROR(CheckOptionalInt(*data, "minComplexity", field + ".MinComplexity", 0, 4));
    KW_RETURN_IF_ERROR(CheckOptionalInt(*data, "minLength", field + ".MinLength", 12, 128));
    for (const char* name : {"requireUpper", "requireLower", "requireNumbers", "requireSpecial", "enforceOnLogin"}) {
      std::string pascal(name);
      pascal[0] = static_cast<char>(pascal[0] - 'a' + 'A');
      KW_RETURN_IF_ERROR(CheckOptionalBool(*data, name, field + "." + pascal));
    }
  }
  if (type == static_cast<int>(PolicyType::kResetPassword)) {
    KW_RETURN_IF_ERROR(CheckOptionalBool(*data, "autoEnrollEnabled", field + ".AutoEnrollEnabled"));
  }
  if (type == static_cast<int>(PolicyType::kMaximumVaultTimeout)) {
    KW_RETURN_IF_ERROR(CheckOptionalInt(*data, "minutes", field + ".Minutes", 0, 1000000));
  }
  out.data = std::move(text);
  return out;
}

nlohmann::json CombinedMasterPasswordPolicy(const std::vector<std::string>& data) {
  if (data.empty()) return nullptr;
  long long min_complexity = 0;
  long long min_length = 0;
  bool require_upper = false, require_lower = false, require_numbers = false, require_special = false,
       enforce_on_login = false;
  for (const std::string& text : data) {
    const nlohmann::json d = nlohmann::json::parse(text, nullptr, false);
    if (!d.is_object()) continue;
    const auto integer = [&](std::string_view name) {
      const nlohmann::json* v = http::FindField(d, name);
      return v && v->is_number_integer() ? v->get<long long>() : 0;
    };
    const auto flag = [&](std::string_view name) {
      const nlohmann::json* v = http::FindField(d, name);
      return v && v->is_boolean() && v->get<bool>();
    };
    min_complexity = std::max(min_complexity, integer("minComplexity"));
    min_length = std::max(min_length, integer("minLength"));
    require_upper |= flag("requireUpper");
    require_lower |= flag("requireLower");
    require_numbers |= flag("requireNumbers");
    require_special |= flag("requireSpecial");
    enforce_on_login |= flag("enforceOnLogin");
  }
  return {{"MinComplexity", min_complexity},    {"MinLength", min_length},
          {"RequireUpper", require_upper},      {"RequireLower", require_lower},
          {"RequireNumbers", require_numbers},  {"RequireSpecial", require_special},
          {"EnforceOnLogin", enforce_on_login}, {"Object", "masterPasswordPolicy"}};
}

Result<nlohmann::json> MasterPasswordPolicyOf(sql::Session& session, std::string_view user_id) {
  KW_ASSIGN_OR_RETURN(std::vector<MemberPolicy> policies,
                      ListEnabledPoliciesOf(session, user_id, static_cast<int>(PolicyType::kMasterPassword)));
  std::vector<std::string> data;
  for (const MemberPolicy& p : policies) {
    if (p.member_status == 1 || p.member_status == 2) data.push_back(p.policy.data);
  }
  return CombinedMasterPasswordPolicy(data);
}

}  // namespace keywarden::server::organizations
