#include "server/collections/access_request.h"

#include <unordered_set>
#include <utility>

#include "http/json.h"
#include "server/api/field_error.h"
#include "server/vault/internal/field_path.h"
#include "server/vault/internal/field_values.h"

namespace keywarden::server::collections {
namespace {

using json = nlohmann::json;
using vault::internal::FieldPath;
using vault::internal::IsAbsent;

constexpr std::size_t kMaxNameChars = 1000;  // the reference's EncryptedStringLength(1000)
constexpr std::size_t kMaxGroupNameChars = 100;
constexpr std::size_t kMaxExternalIdChars = 300;

Result<bool> OptionalBool(const json& object, const char* json_name, FieldPath& path) {
  const json* value = http::FindField(object, json_name);
  if (IsAbsent(value)) return false;
  FieldPath::Member scope(path, json_name);
  return vault::internal::ReadBool(*value, path);
}

Result<std::string> ExternalId(const json& body) {
  const json* value = http::FindField(body, "externalId");
  if (IsAbsent(value)) return std::string();
  if (!value->is_string() || value->get_ref<const std::string&>().size() > kMaxExternalIdChars) {
    return api::FieldErrorStatus("ExternalId", "must be text of at most 300 characters.");
  }
  return value->get<std::string>();
}

// [selection] at `json_name`; nullopt when absent. Duplicate ids are refused: which grant would
// count is not clear.
Result<std::optional<std::vector<AccessGrant>>> Selections(const json& body, const char* json_name) {
  const json* value = http::FindField(body, json_name);
  if (IsAbsent(value)) return std::optional<std::vector<AccessGrant>>();
  FieldPath path;
  FieldPath::Member scope(path, json_name);
  if (!value->is_array()) return path.Error("must be an array.");
  if (value->size() > kMaxSelections) return path.Error("has too many entries.");
  std::vector<AccessGrant> grants;
  std::unordered_set<std::string> seen;
  for (std::size_t i = 0; i < value->size(); ++i) {
    FieldPath::Index element(path, i);
    const json& selection = (*value)[i];
    if (!selection.is_object()) return path.Error("must be an object.");
    AccessGrant grant;
    {
      FieldPath::Member id_scope(path, "id");
      const json* id = http::FindField(selection, "id");
      if (IsAbsent(id)) return path.Error("is required.");
      KW_ASSIGN_OR_RETURN(grant.id, vault::internal::ReadGuid(*id, path));
    }
    if (!seen.insert(grant.id).second) return path.Error("names an id twice.");
    KW_ASSIGN_OR_RETURN(grant.read_only, OptionalBool(selection, "readOnly", path));
    KW_ASSIGN_OR_RETURN(grant.hide_passwords, OptionalBool(selection, "hidePasswords", path));
    KW_ASSIGN_OR_RETURN(grant.manage, OptionalBool(selection, "manage", path));
    grants.push_back(std::move(grant));
  }
  return std::optional<std::vector<AccessGrant>>(std::move(grants));
}

Result<std::optional<std::vector<std::string>>> Ids(const json& body, const char* json_name) {
  const json* value = http::FindField(body, json_name);
  if (IsAbsent(value)) return std::optional<std::vector<std::string>>();
  FieldPath path;
  FieldPath::Member scope(path, json_name);
  if (!value->is_array()) return path.Error("must be an array.");
  if (value->size() > kMaxSelections) return path.Error("has too many entries.");
  std::vector<std::string> ids;
  std::unordered_set<std::string> seen;
  for (std::size_t i = 0; i < value->size(); ++i) {
    FieldPath::Index element(path, i);
    KW_ASSIGN_OR_RETURN(std::string id, vault::internal::ReadGuid((*value)[i], path));
    if (seen.insert(id).second) ids.push_back(std::move(id));
  }
  return std::optional<std::vector<std::string>>(std::move(ids));
}

}  // namespace

Result<MemberAccessWrite> ParseMemberAccessRequest(const json& body) {
  if (!body.is_object()) return InvalidArgumentError("the request body must be a JSON object");
  MemberAccessWrite write;
  KW_ASSIGN_OR_RETURN(write.collections, Selections(body, "collections"));
  KW_ASSIGN_OR_RETURN(write.groups, Ids(body, "groups"));
  return write;
}

Result<CollectionWrite> ParseCollectionRequest(const json& body, bool creating) {
  if (!body.is_object()) return InvalidArgumentError("the request body must be a JSON object");
  CollectionWrite write;
  const json* name = http::FindField(body, "name");
  if (IsAbsent(name)) {
    if (creating) return api::FieldErrorStatus("Name", "is required.");
  } else {
    FieldPath path("Name");
    KW_ASSIGN_OR_RETURN(write.name, vault::internal::ReadEncString(*name, path, kMaxNameChars));
  }
  KW_ASSIGN_OR_RETURN(write.external_id, ExternalId(body));
  KW_ASSIGN_OR_RETURN(write.groups, Selections(body, "groups"));
  KW_ASSIGN_OR_RETURN(write.users, Selections(body, "users"));
  return write;
}

Result<GroupWrite> ParseGroupRequest(const json& body) {
  if (!body.is_object()) return InvalidArgumentError("the request body must be a JSON object");
  GroupWrite write;
  const json* name = http::FindField(body, "name");
  if (IsAbsent(name) || !name->is_string() || name->get_ref<const std::string&>().empty()) {
    return api::FieldErrorStatus("Name", "is required.");
  }
  write.name = name->get<std::string>();
  if (write.name.size() > kMaxGroupNameChars) return api::FieldErrorStatus("Name", "may hold at most 100 characters.");
  KW_ASSIGN_OR_RETURN(write.external_id, ExternalId(body));
  KW_ASSIGN_OR_RETURN(write.collections, Selections(body, "collections"));
  KW_ASSIGN_OR_RETURN(write.users, Ids(body, "users"));
  return write;
}

Result<BulkAccessWrite> ParseBulkAccessRequest(const json& body) {
  if (!body.is_object()) return InvalidArgumentError("the request body must be a JSON object");
  BulkAccessWrite write;
  KW_ASSIGN_OR_RETURN(write.collection_ids, ParseIdList(body, "collectionIds", true));
  if (write.collection_ids.empty()) return api::FieldErrorStatus("CollectionIds", "must name a collection.");
  KW_ASSIGN_OR_RETURN(auto groups, Selections(body, "groups"));
  KW_ASSIGN_OR_RETURN(auto users, Selections(body, "users"));
  write.groups = groups.value_or(std::vector<AccessGrant>());
  write.users = users.value_or(std::vector<AccessGrant>());
  return write;
}

Result<std::vector<std::string>> ParseIdList(const json& body, const char* json_name, bool required) {
  if (!body.is_object()) return InvalidArgumentError("the request body must be a JSON object");
  KW_ASSIGN_OR_RETURN(auto ids, Ids(body, json_name));
  if (!ids) {
    if (!required) return std::vector<std::string>();
    FieldPath path;
    FieldPath::Member scope(path, json_name);
    return path.Error("is required.");
  }
  return *std::move(ids);
}

}  // namespace keywarden::server::collections
