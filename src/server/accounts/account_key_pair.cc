#include "server/accounts/account_key_pair.h"

#include "http/json.h"
#include "server/accounts/account_fields.h"
#include "server/api/field_error.h"

namespace keywarden::server {
namespace {

bool Present(const nlohmann::json* value) { return value != nullptr && !value->is_null(); }

}  // namespace

Result<std::optional<AccountKeyPair>> ParseAccountKeyPair(const nlohmann::json& body) {
  const nlohmann::json* public_key = nullptr;
  const nlohmann::json* private_key = nullptr;
  std::string name;
  if (const nlohmann::json* keys = http::FindField(body, "accountKeys"); Present(keys)) {
    if (!keys->is_object()) return api::FieldErrorStatus("AccountKeys", "must be an object.");
    public_key = http::FindField(*keys, "accountPublicKey");
    private_key = http::FindField(*keys, "userKeyEncryptedAccountPrivateKey");
    name = "AccountKeys";
  } else if (const nlohmann::json* legacy = http::FindField(body, "keys"); Present(legacy)) {
    if (!legacy->is_object()) return api::FieldErrorStatus("Keys", "must be an object.");
    public_key = http::FindField(*legacy, "publicKey");
    private_key = http::FindField(*legacy, "encryptedPrivateKey");
    name = "Keys";
  } else {
    return std::optional<AccountKeyPair>();
  }
  if (!Present(public_key)) return api::FieldErrorStatus(name + ".PublicKey", "is required.");
  if (!Present(private_key)) return api::FieldErrorStatus(name + ".EncryptedPrivateKey", "is required.");
  KW_RETURN_IF_ERROR(CheckPublicKey(*public_key, name + ".PublicKey"));
  KW_RETURN_IF_ERROR(CheckEncString(*private_key, name + ".EncryptedPrivateKey"));
  return std::optional<AccountKeyPair>(AccountKeyPair{public_key->get<std::string>(), private_key->get<std::string>()});
}

Status ApplyAccountKeyPair(store::User& account, const AccountKeyPair& pair) {
  if (account.public_key.empty() && account.private_key.empty()) {
    account.public_key = pair.public_key;
    account.private_key = pair.private_key;
    return OkStatus();
  }
  if (account.public_key == pair.public_key && account.private_key == pair.private_key) return OkStatus();
  return InvalidArgumentError("Cannot replace existing key(s) with new key(s).");
}

}  // namespace keywarden::server
