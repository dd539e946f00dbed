#include "server/sso/sso_config.h"

#include <utility>

namespace keywarden::server::sso {
namespace {

std::string TextMember(const nlohmann::json& object, const char* name) {
  const auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

long long IntMember(const nlohmann::json& object, const char* name) {
  const auto it = object.find(name);
  return it != object.end() && it->is_number_integer() ? it->get<long long>() : 0;
}

bool BoolMember(const nlohmann::json& object, const char* name) {
  const auto it = object.find(name);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

}  // namespace

std::optional<MemberDecryptionType> MemberDecryptionTypeFromInt(long long value) {
  switch (value) {
    case 0: return MemberDecryptionType::kMasterPassword;
    case 1: return MemberDecryptionType::kKeyConnector;
    case 2: return MemberDecryptionType::kTrustedDeviceEncryption;
    default: return std::nullopt;
  }
}

std::string StoredDataJson(const SsoConfigData& data) {
  const nlohmann::json out = {
      {"memberDecryptionType", static_cast<int>(data.member_decryption_type)},
      {"keyConnectorUrl", data.key_connector_url},
      {"authority", data.authority},
      {"clientId", data.client_id},
      {"clientSecret", data.client_secret},
      {"metadataAddress", data.metadata_address},
      {"redirectBehavior", static_cast<int>(data.redirect_behavior)},
      {"getClaimsFromUserInfoEndpoint", data.get_claims_from_user_info_endpoint},
      {"additionalScopes", data.additional_scopes},
      {"additionalUserIdClaimTypes", data.additional_user_id_claim_types},
      {"additionalEmailClaimTypes", data.additional_email_claim_types},
      {"additionalNameClaimTypes", data.additional_name_claim_types},
      {"acrValues", data.acr_values},
      {"expectedReturnAcrValue", data.expected_return_acr_value},
  };
  return out.dump();
}

Result<SsoConfigData> ParseStoredData(std::string_view stored) {
  const nlohmann::json object = nlohmann::json::parse(stored, nullptr, /*allow_exceptions=*/false);
  if (!object.is_object()) return InternalError("a stored single sign-on configuration is not a JSON object");
  SsoConfigData data;
  data.member_decryption_type = MemberDecryptionTypeFromInt(IntMember(object, "memberDecryptionType"))
                                    .value_or(MemberDecryptionType::kMasterPassword);
  data.key_connector_url = TextMember(object, "keyConnectorUrl");
  data.authority = TextMember(object, "authority");
  data.client_id = TextMember(object, "clientId");
  data.client_secret = TextMember(object, "clientSecret");
  data.metadata_address = TextMember(object, "metadataAddress");
  data.redirect_behavior =
      IntMember(object, "redirectBehavior") == 1 ? RedirectBehavior::kFormPost : RedirectBehavior::kRedirectGet;
  data.get_claims_from_user_info_endpoint = BoolMember(object, "getClaimsFromUserInfoEndpoint");
  data.additional_scopes = TextMember(object, "additionalScopes");
  data.additional_user_id_claim_types = TextMember(object, "additionalUserIdClaimTypes");
  data.additional_email_claim_types = TextMember(object, "additionalEmailClaimTypes");
  data.additional_name_claim_types = TextMember(object, "additionalNameClaimTypes");
  data.acr_values = TextMember(object, "acrValues");
  data.expected_return_acr_value = TextMember(object, "expectedReturnAcrValue");
  return data;
}

std::vector<std::string> SplitList(std::string_view list) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t end = list.find(',', start);
    if (end == std::string_view::npos) end = list.size();
    std::string_view entry = list.substr(start, end - start);
    while (!entry.empty() && (entry.front() == ' ' || entry.front() == '\t')) entry.remove_prefix(1);
    while (!entry.empty() && (entry.back() == ' ' || entry.back() == '\t')) entry.remove_suffix(1);
    if (!entry.empty()) out.emplace_back(entry);
    start = end + 1;
  }
  return out;
}

}  // namespace keywarden::server::sso
