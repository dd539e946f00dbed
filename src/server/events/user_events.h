// User events (1000-1011: logged in, changed password, two-step login changed, ...), logged as
// the reference's EventService.LogUserEventAsync logs them: one event for the account itself
// (user and acting user the account, no organisation), which GET /api/events lists, and a copy
// for each organisation where the account is a confirmed member and which logs events
// (event_subjects.h), which that organisation's event log lists.
//
// The request's cost is one small indexed read (the account's organisations); the writes are
// queued on the EventLog, never waited for. A failed read still logs the account's own event.
//
// Thread-safe.
#ifndef KEYWARDEN_SERVER_EVENTS_USER_EVENTS_H_
#define KEYWARDEN_SERVER_EVENTS_USER_EVENTS_H_

#include <string_view>
#include <vector>

#include "base/time.h"
#include "http/http_types.h"
#include "keywarden/status.h"
#include "server/api/api_context.h"
#include "server/events/event_log.h"
#include "server/events/event_origin.h"
#include "sql/database.h"

namespace keywarden::server::events {

// The events to record, the account's own first, read in `session`: for a caller already inside a unit of work, which
// records them (EventLog::Record) only once its work has committed, since the work may run
// again. `date` is the account's own event's date; the organisations' copies carry `now`, as
// the reference's (they differ only for a client-reported event, such as an export).
Result<std::vector<Event>> UserEvents(sql::Session& session, std::string_view user_id, EventType type,
                                      const EventOrigin& origin, TimeMs date, TimeMs now);

// Reads and records the events, in one call: what routes use after their change succeeded.
// Returns the read's failure (for the caller's log), having recorded the account's own event.
Status LogUserEvent(sql::Database& database, EventLog& log, std::string_view user_id, EventType type,
                    const EventOrigin& origin, TimeMs now);

// The same, for an event the client reported with its own date.
Status LogUserEvent(sql::Database& database, EventLog& log, std::string_view user_id, EventType type,
                    const EventOrigin& origin, TimeMs date, TimeMs now);

// The same, for an API route after its change succeeded: from `request`'s origin, now by the
// context's clock; a failed read is a warning in the log, never the request's failure.
void LogUserEvent(api::ApiContext& context, const http::HttpRequest& request, std::string_view user_id, EventType type);

}  // namespace keywarden::server::events

#endif  // KEYWARDEN_SERVER_EVENTS_USER_EVENTS_H_
