// Reading the events table (written by EventLog): one page at a time, newest first by (date,
// id), for each list the API offers. Functions run inside a unit of work; each is one indexed
// range read of at most kEventPageSize + 1 rows (the extra row only tells whether a next page
// exists, so the last page carries no token and clients stop without an empty request).
#ifndef KEYWARDEN_SERVER_EVENTS_EVENT_STORE_H_
#define KEYWARDEN_SERVER_EVENTS_EVENT_STORE_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keywarden/status.h"
#include "server/events/continuation_token.h"
#include "server/events/event_log.h"
#include "server/events/event_range.h"
#include "sql/database.h"

namespace keywarden::server::events {

// The reference's page size (PageOptions.PageSize).
inline constexpr std::size_t kEventPageSize = 50;

struct StoredEvent {
  std::string id;
  Event event;
  std::optional<int> system_user;
};

struct EventPage {
  std::vector<StoredEvent> events;
  std::optional<PagePosition> next;  // set when more events follow
};

// Every event of the organisation.
Result<EventPage> ReadOrganizationEvents(sql::Session& session, std::string_view organization_id,
                                         const EventRange& range);
// The events of the organisation that `acting_user_id` caused (a member's list in the admin
// console, as the reference selects it).
Result<EventPage> ReadActingUserEvents(sql::Session& session, std::string_view organization_id,
                                       std::string_view acting_user_id, const EventRange& range);
// The events about one item, under its owner: the organisation's events about it for an
// organisation item (`organization_id` set, `user_id` empty), the account's for a personal one.
Result<EventPage> ReadCipherEvents(sql::Session& session, std::string_view cipher_id, std::string_view organization_id,
                                   std::string_view user_id, const EventRange& range);
// The account's own events outside any organisation (log-ins, password and two-step changes).
Result<EventPage> ReadUserEvents(sql::Session& session, std::string_view user_id, const EventRange& range);

}  // namespace keywarden::server::events

#endif  // KEYWARDEN_SERVER_EVENTS_EVENT_STORE_H_
