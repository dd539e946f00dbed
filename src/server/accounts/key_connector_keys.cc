#include "server/accounts/key_connector_keys.h"

#include <utility>

#include "http/json.h"
#include "server/accounts/account_fields.h"
#include "server/api/field_error.h"

namespace keywarden::server {
namespace {

bool Present(const nlohmann::json* value) { return value != nullptr && !value->is_null(); }

// The reference's KdfConstants defaults, which the 2026 form stores since Key Connector derives
// no key from a password (UserRepository.SetKeyConnectorUserKey).
store::Kdf DefaultArgon2id() { return store::Kdf{1, 6, 32, 4}; }

}  // namespace

Result<KeyConnectorKeys> ParseKeyConnectorKeys(const nlohmann::json& body) {
  KeyConnectorKeys out;
  const nlohmann::json* identifier = http::FindField(body, "orgIdentifier");
  if (!Present(identifier)) return api::FieldErrorStatus("OrgIdentifier", "is required.");
  if (!identifier->is_string()) return api::FieldErrorStatus("OrgIdentifier", "must be a string.");
  out.organization_identifier = identifier->get<std::string>();

  // The 2026 form iff both its members are there (the reference's IsV2Request).
  const nlohmann::json* wrapped = http::FindField(body, "keyConnectorKeyWrappedUserKey");
  const nlohmann::json* account_keys = http::FindField(body, "accountKeys");
  const bool v2 =
      Present(wrapped) && !(wrapped->is_string() && wrapped->get<std::string>().empty()) && Present(account_keys);
  if (v2) {
    KW_RETURN_IF_ERROR(CheckEncString(*wrapped, "KeyConnectorKeyWrappedUserKey"));
    out.user_key = wrapped->get<std::string>();
    KW_ASSIGN_OR_RETURN(out.key_pair, ParseAccountKeyPair(body));
    out.kdf = DefaultArgon2id();
    return out;
  }

  const nlohmann::json* key = http::FindField(body, "key");
  if (!Present(key) || (key->is_string() && key->get<std::string>().empty())) {
    return api::FieldErrorStatus("Key", "is required.");
  }
  KW_RETURN_IF_ERROR(CheckEncString(*key, "Key"));
  out.user_key = key->get<std::string>();
  if (!Present(http::FindField(body, "keys"))) return api::FieldErrorStatus("Keys", "is required.");
  KW_ASSIGN_OR_RETURN(out.key_pair, ParseAccountKeyPair(body));
  if (!Present(http::FindField(body, "kdf"))) return api::FieldErrorStatus("Kdf", "is required.");
  if (!Present(http::FindField(body, "kdfIterations"))) return api::FieldErrorStatus("KdfIterations", "is required.");
  // ParseKdf's names; it checks the types and the ranges the clients allow.
  nlohmann::json kdf = nlohmann::json::object();
  static constexpr std::pair<std::string_view, const char*> kFields[] = {
      {"kdf", "kdfType"}, {"kdfIterations", "iterations"}, {"kdfMemory", "memory"}, {"kdfParallelism", "parallelism"}};
  for (const auto& [root, name] : kFields) {
    if (const nlohmann::json* value = http::FindField(body, root); Present(value)) kdf[name] = *value;
  }
  KW_ASSIGN_OR_RETURN(out.kdf, ParseKdf(kdf, "Kdf"));
  return out;
}

}  // namespace keywarden::server
