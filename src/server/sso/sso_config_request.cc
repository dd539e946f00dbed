#include "server/sso/sso_config_request.h"

#include <string_view>
#include <utility>

#include "http/json.h"
#include "net/loopback.h"
#include "net/url.h"
#include "server/api/field_error.h"

namespace keywarden::server::sso {
namespace {

constexpr std::size_t kMaxTextChars = 1000;
constexpr std::size_t kMaxUrlChars = 2000;
constexpr std::size_t kMaxSecretChars = 4096;

const nlohmann::json* Field(const nlohmann::json& object, std::string_view name) {
  const nlohmann::json* value = http::FindField(object, name);
  return value == nullptr || value->is_null() ? nullptr : value;
}

bool HasControlCharacter(std::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// An optional text of at most `max_chars`, without control characters; "" when absent.
Result<std::string> ReadText(const nlohmann::json& object, std::string_view name, std::string_view field,
                             std::size_t max_chars = kMaxTextChars) {
  const nlohmann::json* value = Field(object, name);
  if (value == nullptr) return std::string();
  if (!value->is_string()) return api::FieldErrorStatus(field, "must be a string.");
  std::string text = value->get<std::string>();
  if (text.size() > max_chars) {
    return api::FieldErrorStatus(field, "must be at most " + std::to_string(max_chars) + " characters.");
  }
  if (HasControlCharacter(text)) return api::FieldErrorStatus(field, "must not contain control characters.");
  return text;
}

bool IsBlank(std::string_view text) { return text.find_first_not_of(" \t") == std::string_view::npos; }

// A required text: absent, empty or blank is `missing` (the reference's sentence).
Result<std::string> ReadRequiredText(const nlohmann::json& object, std::string_view name, std::string_view field,
                                     std::string_view missing, std::size_t max_chars = kMaxTextChars) {
  KW_ASSIGN_OR_RETURN(std::string text, ReadText(object, name, field, max_chars));
  if (IsBlank(text)) return api::FieldErrorStatus(field, missing);
  return text;
}

// An https URL the server will call (the provider, the Key Connector), or http to a loopback
// host; "" stays "". `allow_query` for a discovery document's address.
Status CheckServiceUrl(const std::string& text, std::string_view field, bool allow_query) {
  if (text.empty()) return OkStatus();
  auto url = net::ParseHttpUrl(text);
  if (!url.ok()) return api::FieldErrorStatus(field, "is not a valid URL: " + url.status().message() + ".");
  if (!url->https && !net::IsLoopbackHost(url->host)) {
    return api::FieldErrorStatus(field, "must be an https URL (plain http only to this machine).");
  }
  if (url->has_fragment || (url->query && !allow_query)) {
    return api::FieldErrorStatus(field,
                                 allow_query ? "must not have a fragment." : "must not have a query or fragment.");
  }
  return OkStatus();
}

Result<std::optional<long long>> ReadInteger(const nlohmann::json& object, std::string_view name,
                                             std::string_view field) {
  const nlohmann::json* value = Field(object, name);
  if (value == nullptr) return std::optional<long long>();
  if (!value->is_number_integer()) return api::FieldErrorStatus(field, "must be a whole number.");
  return std::optional<long long>(value->get<long long>());
}

Result<bool> ReadBool(const nlohmann::json& object, std::string_view name, std::string_view field) {
  const nlohmann::json* value = Field(object, name);
  if (value == nullptr) return false;
  if (!value->is_boolean()) return api::FieldErrorStatus(field, "must be true or false.");
  return value->get<bool>();
}

Result<MemberDecryptionType> ReadDecryptionType(const nlohmann::json& data) {
  KW_ASSIGN_OR_RETURN(std::optional<long long> type,
                      ReadInteger(data, "memberDecryptionType", "Data.MemberDecryptionType"));
  if (!type) {
    // Older admin consoles sent only this boolean.
    KW_ASSIGN_OR_RETURN(const bool key_connector, ReadBool(data, "keyConnectorEnabled", "Data.KeyConnectorEnabled"));
    return key_connector ? MemberDecryptionType::kKeyConnector : MemberDecryptionType::kMasterPassword;
  }
  const std::optional<MemberDecryptionType> known = MemberDecryptionTypeFromInt(*type);
  if (!known) {
    return api::FieldErrorStatus("Data.MemberDecryptionType",
                                 "must be 0 (master password), 1 (Key Connector) or 2 (trusted devices).");
  }
  return *known;
}

Result<SsoConfigData> ParseData(const nlohmann::json& data) {
  KW_ASSIGN_OR_RETURN(std::optional<long long> type, ReadInteger(data, "configType", "Data.ConfigType"));
  if (!type) return api::FieldErrorStatus("Data.ConfigType", "is required.");
  if (*type == static_cast<int>(SsoType::kSaml2)) {
    return api::FieldErrorStatus("Data.ConfigType",
                                 "2 (SAML 2.0) is not supported by this server: use 1 (OpenID Connect).");
  }
  if (*type != static_cast<int>(SsoType::kOpenIdConnect)) {
    return api::FieldErrorStatus("Data.ConfigType", "must be 1 (OpenID Connect).");
  }
  SsoConfigData out;
  KW_ASSIGN_OR_RETURN(out.member_decryption_type, ReadDecryptionType(data));
  KW_ASSIGN_OR_RETURN(out.key_connector_url, ReadText(data, "keyConnectorUrl", "Data.KeyConnectorUrl", kMaxUrlChars));
  KW_RETURN_IF_ERROR(CheckServiceUrl(out.key_connector_url, "Data.KeyConnectorUrl", /*allow_query=*/false));
  if (out.member_decryption_type == MemberDecryptionType::kKeyConnector && out.key_connector_url.empty()) {
    return api::FieldErrorStatus("Data.KeyConnectorUrl", "is required when members decrypt with Key Connector.");
  }
  KW_ASSIGN_OR_RETURN(out.authority, ReadRequiredText(data, "authority", "Data.Authority",
                                                      "is required on an OpenID Connect configuration.", kMaxUrlChars));
  KW_RETURN_IF_ERROR(CheckServiceUrl(out.authority, "Data.Authority", /*allow_query=*/false));
  KW_ASSIGN_OR_RETURN(out.client_id, ReadRequiredText(data, "clientId", "Data.ClientId",
                                                      "is required on an OpenID Connect configuration."));
  KW_ASSIGN_OR_RETURN(out.client_secret,
                      ReadRequiredText(data, "clientSecret", "Data.ClientSecret",
                                       "is required on an OpenID Connect configuration.", kMaxSecretChars));
  KW_ASSIGN_OR_RETURN(out.metadata_address, ReadText(data, "metadataAddress", "Data.MetadataAddress", kMaxUrlChars));
  KW_RETURN_IF_ERROR(CheckServiceUrl(out.metadata_address, "Data.MetadataAddress", /*allow_query=*/true));
  KW_ASSIGN_OR_RETURN(std::optional<long long> redirect,
                      ReadInteger(data, "redirectBehavior", "Data.RedirectBehavior"));
  if (redirect && *redirect != 0 && *redirect != 1) {
    return api::FieldErrorStatus("Data.RedirectBehavior", "must be 0 (redirect) or 1 (form post).");
  }
  out.redirect_behavior = redirect.value_or(0) == 1 ? RedirectBehavior::kFormPost : RedirectBehavior::kRedirectGet;
  KW_ASSIGN_OR_RETURN(out.get_claims_from_user_info_endpoint,
                      ReadBool(data, "getClaimsFromUserInfoEndpoint", "Data.GetClaimsFromUserInfoEndpoint"));
  KW_ASSIGN_OR_RETURN(out.additional_scopes, ReadText(data, "additionalScopes", "Data.AdditionalScopes"));
  KW_ASSIGN_OR_RETURN(out.additional_user_id_claim_types,
                      ReadText(data, "additionalUserIdClaimTypes", "Data.AdditionalUserIdClaimTypes"));
  KW_ASSIGN_OR_RETURN(out.additional_email_claim_types,
                      ReadText(data, "additionalEmailClaimTypes", "Data.AdditionalEmailClaimTypes"));
  KW_ASSIGN_OR_RETURN(out.additional_name_claim_types,
                      ReadText(data, "additionalNameClaimTypes", "Data.AdditionalNameClaimTypes"));
  KW_ASSIGN_OR_RETURN(out.acr_values, ReadText(data, "acrValues", "Data.AcrValues"));
  KW_ASSIGN_OR_RETURN(out.expected_return_acr_value,
                      ReadText(data, "expectedReturnAcrValue", "Data.ExpectedReturnAcrValue"));
  return out;
}

}  // namespace

Result<SsoConfigRequest> ParseSsoConfigRequest(const nlohmann::json& body) {
  if (!body.is_object()) return InvalidArgumentError("The request body must be a JSON object.");
  SsoConfigRequest out;
  KW_ASSIGN_OR_RETURN(out.enabled, ReadBool(body, "enabled", "Enabled"));
  KW_ASSIGN_OR_RETURN(out.identifier, ReadText(body, "identifier", "Identifier", kMaxIdentifierChars));
  if (IsBlank(out.identifier)) out.identifier.clear();  // the reference treats a blank one as none
  const nlohmann::json* data = Field(body, "data");
  if (data == nullptr) return api::FieldErrorStatus("Data", "is required.");
  if (!data->is_object()) return api::FieldErrorStatus("Data", "must be an object.");
  KW_ASSIGN_OR_RETURN(out.data, ParseData(*data));
  return out;
}

}  // namespace keywarden::server::sso
