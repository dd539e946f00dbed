// The collection routes (docs core.md 7.1; the reference's CollectionsController):
//   GET  /api/organizations/{orgId}/collections          every collection (ViewsAllCollections),
//                                                         else the caller's, with their rights
//   GET  /api/organizations/{orgId}/collections/details  with who has access
//   GET  /api/collections                                the caller's, in every organisation
//   GET  /api/organizations/{orgId}/collections/{id}[/details|/users]
//   POST /api/organizations/{orgId}/collections          create ({name, externalId, groups, users})
//   PUT|POST /api/organizations/{orgId}/collections/{id} edit (the same body; no name keeps it)
//   DELETE /api/organizations/{orgId}/collections/{id}, POST .../{id}/delete
//   DELETE /api/organizations/{orgId}/collections, POST .../collections/delete   bulk ({ids})
//   POST /api/organizations/{orgId}/collections/bulk-access   add grants to several collections
// Rights: collection_permissions.h. A collection, member or group of another organisation, or
// anything the caller may not touch, answers 404 (or 400 for ids in a body) with nothing changed.
// Every change moves the account revision of the organisation's members and logs an event.
#ifndef KEYWARDEN_SERVER_COLLECTIONS_COLLECTION_ROUTES_H_
#define KEYWARDEN_SERVER_COLLECTIONS_COLLECTION_ROUTES_H_

#include "http/router.h"
#include "server/api/api_context.h"

namespace keywarden::server::collections {

void AddCollectionRoutes(http::Router& router, api::ApiContext& context);

}  // namespace keywarden::server::collections

#endif  // KEYWARDEN_SERVER_COLLECTIONS_COLLECTION_ROUTES_H_
