#include "server/collections/collection_json.h"

#include <utility>

#include "http/json.h"

namespace keywarden::server::collections {
namespace {

using json = nlohmann::json;

json Selections(const std::vector<AccessGrant>& grants) {
  json out = json::array();
  for (const AccessGrant& grant : grants) out.push_back(SelectionJson(grant));
  return out;
}

}  // namespace

json CollectionJson(const Collection& c) {
  return json{{"id", c.id},
              {"organizationId", c.organization_id},
              {"name", c.name},
              {"externalId", http::NullIfEmpty(c.external_id)},
              {"type", c.type},
              {"defaultUserCollectionEmail", http::NullIfEmpty(c.default_user_collection_email)},
              {"object", "collection"}};
}

json CollectionDetailsJson(const AssignedCollection& assigned) {
  json out = CollectionJson(assigned.collection);
  out["readOnly"] = assigned.rights.read_only;
  out["hidePasswords"] = assigned.rights.hide_passwords;
  out["manage"] = assigned.rights.manage;
  out["object"] = "collectionDetails";
  return out;
}

json CollectionAccessDetailsJson(const Collection& collection, const std::optional<CollectionRights>& caller,
                                 const std::vector<AccessGrant>& groups, const std::vector<AccessGrant>& users) {
  json out = CollectionJson(collection);
  const CollectionRights rights = caller.value_or(CollectionRights{});
  bool managed = false;
  for (const AccessGrant& grant : groups) managed = managed || grant.manage;
  for (const AccessGrant& grant : users) managed = managed || grant.manage;
  out["assigned"] = caller.has_value();
  out["readOnly"] = rights.read_only;
  out["hidePasswords"] = rights.hide_passwords;
  out["manage"] = rights.manage;
  out["unmanaged"] = !managed;
  out["groups"] = Selections(groups);
  out["users"] = Selections(users);
  out["object"] = "collectionAccessDetails";
  return out;
}

json SelectionJson(const AccessGrant& grant) {
  return json{{"id", grant.id},
              {"readOnly", grant.read_only},
              {"hidePasswords", grant.hide_passwords},
              {"manage", grant.manage}};
}

json GroupJson(const Group& g) {
  return json{{"id", g.id},
              {"organizationId", g.organization_id},
              {"name", g.name},
              {"externalId", http::NullIfEmpty(g.external_id)},
              {"object", "group"}};
}

json GroupDetailsJson(const Group& group, const std::vector<AccessGrant>& collections) {
  json out = GroupJson(group);
  out["collections"] = Selections(collections);
  out["object"] = "groupDetails";
  return out;
}

json ListJson(json data) { return json{{"data", std::move(data)}, {"continuationToken", nullptr}, {"object", "list"}}; }

}  // namespace keywarden::server::collections
