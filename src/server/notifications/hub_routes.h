// The notification hubs on the server's listener, where the reference's nginx mounts its
// Notifications service:
//   GET /notifications/hub            signed in: the access token in the Authorization header
//                                     (Node's SignalR client) or the access_token query (browsers,
//                                     which cannot set headers on a WebSocket), checked exactly
//                                     as the API checks it; missing or invalid: 401.
//   GET /notifications/anonymous-hub  ?Token=<auth request id>: anonymous, as the reference;
//                                     a missing Token: 400.
// There is no negotiate endpoint: Bitwarden's clients skip negotiation, so POST .../negotiate
// stays a 404.
#ifndef KEYWARDEN_SERVER_NOTIFICATIONS_HUB_ROUTES_H_
#define KEYWARDEN_SERVER_NOTIFICATIONS_HUB_ROUTES_H_

#include "http/router.h"
#include "server/api/api_context.h"
#include "server/notifications/notification_hub.h"

namespace keywarden::server::notifications {

// `api` and `hub` must outlive the router's server.
void AddHubRoutes(http::Router& router, api::ApiContext& api, NotificationHub& hub);

}  // namespace keywarden::server::notifications

#endif  // KEYWARDEN_SERVER_NOTIFICATIONS_HUB_ROUTES_H_
