// POST /events/collect (core.md 9.3; the reference's Events service, CollectController): events
// that clients report, with a bearer token like the API's but outside /api. Body: collect_request.h.
//
// Accepted, as the reference accepts them, and logged through the EventLog (queued, never
// waited for):
//   1007 the vault exported                       a user event (user_events.h), with the client's date
//   1107-1114, 1117, 1119-1132 an item viewed, a field shown or copied, autofill
//                                                 for an item the caller may see: their own (which
//                                                 the reference does not log: it logs organisation
//                                                 items only) or an item of an organisation where
//                                                 they are a confirmed member
//   1618, 1619, 1522 item-to-organisation prompt accepted or declined, banner clicked
//                                                 a member event, for any member of the organisation
//   1602, 1620, 1621, 1627 organisation export, auto-confirm toggled, invite link copied
//                                                 an organisation event, for any member of it
// Every other type (1118 among them, and 2400-2402: this server has no phishing blocker), and
// any event whose item or organisation the caller may not see or that logs no events (disabled),
// is dropped without a word: the answer is 200 with an empty body either way, so a client learns
// nothing about other people's items. A body that does not bind, or holds no events, is 400.
//
// Item visibility is by organisation membership for now: when collections arrive, an organisation
// item will be visible as the vault shows it (through the member's collections).
#ifndef KEYWARDEN_SERVER_EVENTS_COLLECT_ROUTE_H_
#define KEYWARDEN_SERVER_EVENTS_COLLECT_ROUTE_H_

#include "http/router.h"
#include "server/api/api_context.h"

namespace keywarden::server {

void AddCollectRoute(http::Router& router, api::ApiContext& context);

}  // namespace keywarden::server

#endif  // KEYWARDEN_SERVER_EVENTS_COLLECT_ROUTE_H_
