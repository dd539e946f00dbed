// The request bodies of the collection and group routes: names, external ids, and the access
// selections ({"id", "readOnly", "hidePasswords", "manage"}) and id lists they carry.
//
// Member names are matched without regard to case, as the reference's model binding does;
// unknown members are ignored. Errors are field errors (api/field_error.h): "Name must be an
// encrypted string ...", "Users[2].Id is required.".
//
// Thread-safe; no state.
#ifndef KEYWARDEN_SERVER_COLLECTIONS_ACCESS_REQUEST_H_
#define KEYWARDEN_SERVER_COLLECTIONS_ACCESS_REQUEST_H_

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "keywarden/status.h"
#include "server/collections/collection_store.h"

namespace keywarden::server::collections {

// The most selections or ids one request may carry.
inline constexpr std::size_t kMaxSelections = 1000;

// POST|PUT /organizations/{O}/collections[/{id}]: {"name": EncString, "externalId",
// "groups": [selection], "users": [selection]}.
struct CollectionWrite {
  std::optional<std::string> name;  // required to create; an edit without one keeps the name
  std::string external_id;
  std::optional<std::vector<AccessGrant>> groups;  // nullopt when not sent: left as they are
  std::optional<std::vector<AccessGrant>> users;
};
Result<CollectionWrite> ParseCollectionRequest(const nlohmann::json& body, bool creating);

// POST|PUT /organizations/{O}/groups[/{id}]: {"name" (plain, at most 100), "externalId",
// "collections": [selection], "users": [member id]}.
struct GroupWrite {
  std::string name;
  std::string external_id;
  std::optional<std::vector<AccessGrant>> collections;
  std::optional<std::vector<std::string>> users;
};
Result<GroupWrite> ParseGroupRequest(const nlohmann::json& body);

// POST .../collections/bulk-access: {"collectionIds": [id], "groups": [selection], "users": [selection]}.
struct BulkAccessWrite {
  std::vector<std::string> collection_ids;
  std::vector<AccessGrant> groups;
  std::vector<AccessGrant> users;
};
Result<BulkAccessWrite> ParseBulkAccessRequest(const nlohmann::json& body);

// The access part of a member's invite or edit: "collections": [selection], "groups": [id];
// each nullopt when not sent.
struct MemberAccessWrite {
  std::optional<std::vector<AccessGrant>> collections;
  std::optional<std::vector<std::string>> groups;
};
Result<MemberAccessWrite> ParseMemberAccessRequest(const nlohmann::json& body);

// An array of ids at `field` ("Ids", "GroupIds"); required when `required`, else empty when absent.
Result<std::vector<std::string>> ParseIdList(const nlohmann::json& body, const char* json_name, bool required);

}  // namespace keywarden::server::collections

#endif  // KEYWARDEN_SERVER_COLLECTIONS_ACCESS_REQUEST_H_
