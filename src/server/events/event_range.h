// Which events a list asks for: the query of every event route,
//   ?start=<ISO date>&end=<ISO date>&continuationToken=<token>
// read with the reference's rules (ApiHelpers.GetDateRange): without both dates, the last 30 days
// (from midnight UTC 30 days ago to the end of today); dates in the wrong order are swapped; more
// than 367 days is 400 "Range too large.". With a continuation token the page starts after the
// token's position instead of at `end`, as the reference's (the date range still bounds it below).
//
// Thread-safe; no state.
#ifndef KEYWARDEN_SERVER_EVENTS_EVENT_RANGE_H_
#define KEYWARDEN_SERVER_EVENTS_EVENT_RANGE_H_

#include <optional>
#include <string_view>

#include "base/time.h"
#include "keywarden/status.h"
#include "server/events/continuation_token.h"

namespace keywarden::server::events {

struct EventRange {
  TimeMs start = 0;                   // inclusive
  TimeMs end = 0;                     // inclusive
  std::optional<PagePosition> after;  // from the continuation token: only events before it
};

// The two refusals that are not about one field (the others are field errors, api/field_error.h).
inline constexpr std::string_view kRangeTooLarge = "Range too large.";
inline constexpr std::string_view kMalformedQuery = "The query string is not valid.";

// `query` is the request's query string (without '?'); names are matched without regard to case.
// Errors are kInvalidArgument: a field error ("Start is not a valid date.", "End ...",
// "ContinuationToken is not valid.") or "Range too large.".
Result<EventRange> ParseEventRange(std::string_view query, TimeMs now);

}  // namespace keywarden::server::events

#endif  // KEYWARDEN_SERVER_EVENTS_EVENT_RANGE_H_
