#include "cli/admin/vault_rewrap.h"

#include <string>
#include <string_view>
#include <utility>

#include "keywarden/crypto/enc_string.h"

namespace keywarden::cli::admin {
namespace {

// The members that name an item rather than hold its data: never EncStrings, never walked.
bool IsIdentifying(std::string_view member) {
  return member == "id" || member == "organizationId" || member == "folderId" || member == "userId" ||
         member == "object" || member == "collectionIds" || member == "revisionDate" || member == "creationDate" ||
         member == "deletedDate" || member == "accessId";
}

std::string Describe(const nlohmann::json& item, std::string_view kind, std::string_view path) {
  const auto id = item.find("id");
  return std::string(kind) + " " + (id != item.end() && id->is_string() ? id->get<std::string>() : "(no id)") + ", " +
         std::string(path);
}

// `text` re-encrypted from `keys.from` to `keys.to`.
Result<std::string> RewrapText(const std::string& text, const RewrapKeys& keys) {
  KW_ASSIGN_OR_RETURN(EncString sealed, EncString::Parse(text));
  KW_ASSIGN_OR_RETURN(SecureBuffer plain, sealed.Decrypt(keys.from));
  KW_ASSIGN_OR_RETURN(EncString again, EncString::Encrypt(keys.to, plain));
  return again.ToString();
}

// Re-encrypts every string under `value` that is an EncString; other strings, numbers and
// booleans stay. `path` names the place for an error.
Status RewrapAll(nlohmann::json& value, const RewrapKeys& keys, const std::string& path, std::size_t& count,
                 const nlohmann::json& item, std::string_view kind) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (IsIdentifying(it.key())) continue;
      KW_RETURN_IF_ERROR(
          RewrapAll(it.value(), keys, path.empty() ? it.key() : path + "." + it.key(), count, item, kind));
    }
    return OkStatus();
  }
  if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      KW_RETURN_IF_ERROR(RewrapAll(value[i], keys, path + "[" + std::to_string(i) + "]", count, item, kind));
    }
    return OkStatus();
  }
  if (!value.is_string() || !EncString::Parse(value.get<std::string>()).ok()) return OkStatus();
  auto again = RewrapText(value.get<std::string>(), keys);
  if (!again.ok()) {
    return InvalidArgumentError(Describe(item, kind, path) + ": does not open under the current user key (" +
                                again.status().message() + ")");
  }
  value = *std::move(again);
  ++count;
  return OkStatus();
}

// The single user-key-bound member `name` of `item`, re-encrypted (absent or null: unchanged).
Status RewrapMember(nlohmann::json& item, std::string_view name, const RewrapKeys& keys, std::size_t& count,
                    std::string_view kind) {
  const auto found = item.find(name);
  if (found == item.end() || found->is_null()) return OkStatus();
  if (!found->is_string()) return InvalidArgumentError(Describe(item, kind, name) + ": is not an EncString");
  auto again = RewrapText(found->get<std::string>(), keys);
  if (!again.ok()) {
    return InvalidArgumentError(Describe(item, kind, name) + ": does not open under the current user key (" +
                                again.status().message() + ")");
  }
  *found = *std::move(again);
  ++count;
  return OkStatus();
}

Status RefuseOrganizationItem(const nlohmann::json& item, std::string_view kind) {
  const auto organization = item.find("organizationId");
  if (organization != item.end() && !organization->is_null()) {
    return InvalidArgumentError(Describe(item, kind, "organizationId") +
                                ": belongs to an organisation, not to the user key");
  }
  return OkStatus();
}

Result<nlohmann::json> Finish(nlohmann::json item, const Status& status, std::size_t count, std::size_t* rewrapped) {
  KW_RETURN_IF_ERROR(status);
  if (rewrapped != nullptr) *rewrapped += count;
  return item;
}

// An item with one user-key-bound member, `member`.
Result<nlohmann::json> RewrapOneMember(const nlohmann::json& item, std::string_view member, std::string_view kind,
                                       const RewrapKeys& keys, std::size_t* rewrapped) {
  if (!item.is_object()) return InvalidArgumentError("a " + std::string(kind) + " must be a JSON object");
  nlohmann::json out = item;
  std::size_t count = 0;
  const Status status = RewrapMember(out, member, keys, count, kind);
  return Finish(std::move(out), status, count, rewrapped);
}

}  // namespace

Result<nlohmann::json> RewrapCipher(const nlohmann::json& cipher, const RewrapKeys& keys, std::size_t* rewrapped) {
  if (!cipher.is_object()) return InvalidArgumentError("a cipher must be a JSON object");
  KW_RETURN_IF_ERROR(RefuseOrganizationItem(cipher, "cipher"));
  nlohmann::json out = cipher;
  std::size_t count = 0;
  const auto own_key = out.find("key");
  const Status status = own_key != out.end() && !own_key->is_null() ? RewrapMember(out, "key", keys, count, "cipher")
                                                                    : RewrapAll(out, keys, "", count, cipher, "cipher");
  return Finish(std::move(out), status, count, rewrapped);
}

Result<nlohmann::json> RewrapFolder(const nlohmann::json& folder, const RewrapKeys& keys, std::size_t* rewrapped) {
  return RewrapOneMember(folder, "name", "folder", keys, rewrapped);
}

Result<nlohmann::json> RewrapSend(const nlohmann::json& send, const RewrapKeys& keys, std::size_t* rewrapped) {
  return RewrapOneMember(send, "key", "Send", keys, rewrapped);
}

}  // namespace keywarden::cli::admin
