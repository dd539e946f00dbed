// Reading the event log (core.md 9.1; the reference's EventsController):
//   GET /api/organizations/{orgId}/events                     the organisation's events
//   GET /api/organizations/{orgId}/users/{orgUserId}/events   the events a member caused there
//   GET /api/ciphers/{id}/events                              the events about one item
//   GET /api/events                                           the caller's own account events
// each with ?start=&end=&continuationToken= (event_range.h: the last 30 days by default, at most
// 367 days, 400 "Range too large."; a malformed date or token is a 400), answering a page of at
// most 50 events, newest first, with the token of the next page or null (event_json.h).
//
// Who may read: an organisation's lists, a confirmed member who may access event logs (owner,
// admin, or custom with accessEventLogs); an item's, for an organisation item the same in its
// organisation, for a personal item its owner. Anyone else gets 404, as for an organisation, member
// or item that does not exist, before the query is even judged: the answer tells nothing about
// what exists.
#ifndef KEYWARDEN_SERVER_EVENTS_EVENT_ROUTES_H_
#define KEYWARDEN_SERVER_EVENTS_EVENT_ROUTES_H_

#include "http/router.h"
#include "server/api/api_context.h"

namespace keywarden::server {

void AddEventRoutes(http::Router& router, api::ApiContext& context);

}  // namespace keywarden::server

#endif  // KEYWARDEN_SERVER_EVENTS_EVENT_ROUTES_H_
