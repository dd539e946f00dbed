#include "server/auth_requests/auth_request_bodies.h"

#include <set>
#include <string_view>
#include <utility>

#include "http/json.h"
#include "server/accounts/account_fields.h"
#include "server/api/field_error.h"
#include "server/api/ids.h"

namespace keywarden::server::auth_requests {
namespace {

using api::FieldErrorStatus;

constexpr std::size_t kMaxDeviceIdentifier = 50;
constexpr std::size_t kMaxAccessCode = 25;
constexpr std::size_t kMaxBulk = 500;
// Far above any real value (an RSA-4096 SPKI or an EncString of one key): a bound on what is stored.
constexpr std::size_t kMaxKeyText = 10'000;

// The field's value, required: absent and null are the same to the reference's [Required].
Result<const nlohmann::json*> Required(const nlohmann::json& object, std::string_view name, std::string_view path) {
  const nlohmann::json* value = http::FindField(object, name);
  if (value == nullptr || value->is_null()) return FieldErrorStatus(path, "is required.");
  return value;
}

Result<std::string> RequiredText(const nlohmann::json& object, std::string_view name, std::string_view path,
                                 std::size_t max_size) {
  KW_ASSIGN_OR_RETURN(const nlohmann::json* value, Required(object, name, path));
  if (!value->is_string()) return FieldErrorStatus(path, "must be a string.");
  const std::string& text = value->get_ref<const std::string&>();
  if (text.empty()) return FieldErrorStatus(path, "is required.");
  if (text.size() > max_size) {
    return FieldErrorStatus(path, "must be at most " + std::to_string(max_size) + " characters long.");
  }
  return text;
}

Result<bool> RequiredBool(const nlohmann::json& object, std::string_view name, std::string_view path) {
  KW_ASSIGN_OR_RETURN(const nlohmann::json* value, Required(object, name, path));
  if (!value->is_boolean()) return FieldErrorStatus(path, "must be true or false.");
  return value->get<bool>();
}

// An optional encapsulated key: "" when absent or null.
Result<std::string> OptionalKey(const nlohmann::json& object, std::string_view name, std::string_view path) {
  const nlohmann::json* value = http::FindField(object, name);
  if (value == nullptr || value->is_null()) return std::string();
  if (value->is_string() && value->get_ref<const std::string&>().size() > kMaxKeyText) {
    return FieldErrorStatus(path, "is too long.");
  }
  KW_RETURN_IF_ERROR(CheckAsymmetricEncString(*value, path));
  return value->get<std::string>();
}

}  // namespace

Result<CreateAuthRequestBody> ParseCreateAuthRequest(const nlohmann::json& body) {
  CreateAuthRequestBody out;
  KW_ASSIGN_OR_RETURN(std::string email, RequiredText(body, "email", "Email", 256));
  out.email = NormaliseEmail(email);
  KW_ASSIGN_OR_RETURN(out.public_key, RequiredText(body, "publicKey", "PublicKey", kMaxKeyText));
  KW_RETURN_IF_ERROR(CheckPublicKey(out.public_key, "PublicKey"));
  KW_ASSIGN_OR_RETURN(out.device_identifier,
                      RequiredText(body, "deviceIdentifier", "DeviceIdentifier", kMaxDeviceIdentifier));
  KW_ASSIGN_OR_RETURN(out.access_code, RequiredText(body, "accessCode", "AccessCode", kMaxAccessCode));
  KW_ASSIGN_OR_RETURN(const nlohmann::json* type, Required(body, "type", "Type"));
  if (!type->is_number_integer() || type->get<long long>() < 0 || type->get<long long>() > 2) {
    return FieldErrorStatus("Type", "must be 0, 1 or 2.");
  }
  out.type = static_cast<AuthRequestType>(type->get<int>());
  return out;
}

Result<AnswerAuthRequestBody> ParseAnswerAuthRequest(const nlohmann::json& body) {
  AnswerAuthRequestBody out;
  KW_ASSIGN_OR_RETURN(out.device_identifier, RequiredText(body, "deviceIdentifier", "DeviceIdentifier", 256));
  KW_ASSIGN_OR_RETURN(out.approved, RequiredBool(body, "requestApproved", "RequestApproved"));
  if (!out.approved) return out;
  KW_ASSIGN_OR_RETURN(out.key, OptionalKey(body, "key", "Key"));
  if (out.key.empty()) return FieldErrorStatus("Key", "is required to approve a request.");
  KW_ASSIGN_OR_RETURN(out.master_password_hash, OptionalKey(body, "masterPasswordHash", "MasterPasswordHash"));
  return out;
}

Result<AdminAnswerBody> ParseAdminAnswer(const nlohmann::json& body) {
  AdminAnswerBody out;
  KW_ASSIGN_OR_RETURN(out.approved, RequiredBool(body, "requestApproved", "RequestApproved"));
  if (!out.approved) return out;
  KW_ASSIGN_OR_RETURN(out.encrypted_user_key, OptionalKey(body, "encryptedUserKey", "EncryptedUserKey"));
  if (out.encrypted_user_key.empty()) return FieldErrorStatus("EncryptedUserKey", "is required to approve a request.");
  return out;
}

Result<std::vector<BulkAnswer>> ParseBulkAnswers(std::string_view text) {
  const nlohmann::json body = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return InvalidArgumentError("the request body is not valid JSON");
  if (!body.is_array()) return InvalidArgumentError("the request body must be a JSON array of answers");
  if (body.size() > kMaxBulk) return InvalidArgumentError("At most 500 requests can be answered at once.");
  std::vector<BulkAnswer> out;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const std::string prefix = "[" + std::to_string(i) + "]";
    const nlohmann::json& item = body[i];
    if (!item.is_object()) return FieldErrorStatus("Body" + prefix, "must be an object.");
    BulkAnswer answer;
    KW_ASSIGN_OR_RETURN(const nlohmann::json* id, Required(item, "id", "Body" + prefix + ".Id"));
    const auto parsed = id->is_string() ? api::ParseGuid(id->get<std::string>()) : std::nullopt;
    if (!parsed) return FieldErrorStatus("Body" + prefix + ".Id", "must be a GUID.");
    answer.id = *parsed;
    KW_ASSIGN_OR_RETURN(answer.approved, RequiredBool(item, "approved", "Body" + prefix + ".Approved"));
    if (answer.approved) {
      KW_ASSIGN_OR_RETURN(answer.key, OptionalKey(item, "key", "Body" + prefix + ".Key"));
    }
    if (!seen.insert(answer.id).second) continue;  // the first answer for an id counts
    out.push_back(std::move(answer));
  }
  return out;
}

}  // namespace keywarden::server::auth_requests
