#include "server/events/user_events.h"

#include <string>
#include <utility>

#include "server/events/event_subjects.h"
#include "telemetry/log.h"

namespace keywarden::server::events {
namespace {

Event OwnEvent(std::string_view user_id, EventType type, const EventOrigin& origin, TimeMs date) {
  Event event;
  event.type = static_cast<int>(type);
  event.date = date;
  event.user_id = std::string(user_id);
  event.acting_user_id = std::string(user_id);
  Stamp(event, origin);
  return event;
}

}  // namespace

Result<std::vector<Event>> UserEvents(sql::Session& session, std::string_view user_id, EventType type,
                                      const EventOrigin& origin, TimeMs date, TimeMs now) {
  KW_ASSIGN_OR_RETURN(const std::vector<std::string> organizations, OrganizationsLoggingUserEvents(session, user_id));
  std::vector<Event> events;
  events.reserve(1 + organizations.size());
  events.push_back(OwnEvent(user_id, type, origin, date));
  for (const std::string& organization_id : organizations) {
    Event copy = OwnEvent(user_id, type, origin, now);
    copy.organization_id = organization_id;
    events.push_back(std::move(copy));
  }
  return events;
}

Status LogUserEvent(sql::Database& database, EventLog& log, std::string_view user_id, EventType type,
                    const EventOrigin& origin, TimeMs now) {
  return LogUserEvent(database, log, user_id, type, origin, now, now);
}

Status LogUserEvent(sql::Database& database, EventLog& log, std::string_view user_id, EventType type,
                    const EventOrigin& origin, TimeMs date, TimeMs now) {
  std::vector<Event> events;
  const Status read = database.Read([&](sql::Session& session) -> Status {
    KW_ASSIGN_OR_RETURN(events, UserEvents(session, user_id, type, origin, date, now));
    return OkStatus();
  });
  if (!read.ok()) {
    log.Record(OwnEvent(user_id, type, origin, date));
    return read;
  }
  for (Event& event : events) log.Record(std::move(event));
  return OkStatus();
}

void LogUserEvent(api::ApiContext& context, const http::HttpRequest& request, std::string_view user_id,
                  EventType type) {
  const Status logged =
      LogUserEvent(context.database, context.events, user_id, type, OriginOf(request), api::NowMs(context.clock));
  if (!logged.ok()) telemetry::LogWarning("user event not copied to organisations: " + logged.message());
}

}  // namespace keywarden::server::events
