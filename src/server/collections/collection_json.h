// Collections and groups as the clients read them (docs core.md 4.4, 7.1; the reference's
// CollectionResponseModel and its subclasses, GroupResponseModel, SelectionReadOnlyResponseModel).
//
// Thread-safe; no state.
#ifndef KEYWARDEN_SERVER_COLLECTIONS_COLLECTION_JSON_H_
#define KEYWARDEN_SERVER_COLLECTIONS_COLLECTION_JSON_H_

#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/collections/collection_store.h"
#include "server/collections/group_store.h"

namespace keywarden::server::collections {

// {"id", "organizationId", "name", "externalId", "type", "defaultUserCollectionEmail",
//  "object": "collection"}.
nlohmann::json CollectionJson(const Collection& collection);

// The sync's element and GET /collections': the above with the caller's "readOnly",
// "hidePasswords", "manage" and "object": "collectionDetails" (what makes the clients count the
// collection as assigned).
nlohmann::json CollectionDetailsJson(const AssignedCollection& assigned);

// "collectionAccessDetails": the collection with who has access ("groups", "users": selections),
// whether the caller is assigned ("assigned") with their rights, and "unmanaged" (nobody
// manages it).
nlohmann::json CollectionAccessDetailsJson(const Collection& collection, const std::optional<CollectionRights>& caller,
                                           const std::vector<AccessGrant>& groups,
                                           const std::vector<AccessGrant>& users);

// {"id", "readOnly", "hidePasswords", "manage"}.
nlohmann::json SelectionJson(const AccessGrant& grant);

// {"id", "organizationId", "name", "externalId", "object": "group"}, and with "collections"
// (selections) as "groupDetails".
nlohmann::json GroupJson(const Group& group);
nlohmann::json GroupDetailsJson(const Group& group, const std::vector<AccessGrant>& collections);

// {"data": [...], "continuationToken": null, "object": "list"}.
nlohmann::json ListJson(nlohmann::json data);

}  // namespace keywarden::server::collections

#endif  // KEYWARDEN_SERVER_COLLECTIONS_COLLECTION_JSON_H_
