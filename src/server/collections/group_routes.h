// The group routes (the reference's GroupsController), for callers who manage groups (owners,
// admins, custom members with ManageGroups) unless said otherwise:
//   GET  /api/organizations/{orgId}/groups              list (also for those who manage users,
//                                                        view every collection or manage one)
//   GET  /api/organizations/{orgId}/groups/details      list with collections (also ManageUsers)
//   GET  /api/organizations/{orgId}/groups/{id}[/details|/users]
//   POST /api/organizations/{orgId}/groups              {name, externalId, collections, users}
//   PUT|POST /api/organizations/{orgId}/groups/{id}
//   DELETE /api/organizations/{orgId}/groups/{id}, POST .../{id}/delete
//   DELETE /api/organizations/{orgId}/groups, POST .../groups/delete     bulk ({ids})
//   PUT|POST /api/organizations/{orgId}/users/{id}/groups                 a member's groups ({groupIds})
// Anything of another organisation in the path answers 404, in a body 400, with nothing changed.
#ifndef KEYWARDEN_SERVER_COLLECTIONS_GROUP_ROUTES_H_
#define KEYWARDEN_SERVER_COLLECTIONS_GROUP_ROUTES_H_

#include "http/router.h"
#include "server/api/api_context.h"

namespace keywarden::server::collections {

void AddGroupRoutes(http::Router& router, api::ApiContext& context);

}  // namespace keywarden::server::collections

#endif  // KEYWARDEN_SERVER_COLLECTIONS_GROUP_ROUTES_H_
