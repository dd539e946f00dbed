// The continuationToken of the event lists: where the next page starts.
//
// Pages are read newest first by (date, id), so a position is the (date, id) of the last event a
// page held; the next page holds the events strictly before it. Ordering by the id as well as the
// date means events that share a millisecond are neither repeated nor skipped across pages (the
// reference pages by date alone, and loses them).
//
// To clients the token is opaque: 48 lower-case hex digits, the date (16, a non-negative 64-bit
// number) then the id's 32. Parsing is strict, so a damaged token is a 400, never a query. A token
// altered into another well-formed one only moves the page's start within the events the caller
// may read anyway: it carries no authority, and the routes check access on every page.
//
// Thread-safe; no state.
#ifndef KEYWARDEN_SERVER_EVENTS_CONTINUATION_TOKEN_H_
#define KEYWARDEN_SERVER_EVENTS_CONTINUATION_TOKEN_H_

#include <string>
#include <string_view>

#include "base/time.h"
#include "keywarden/status.h"

namespace keywarden::server::events {

struct PagePosition {
  TimeMs date = 0;
  std::string id;  // an event id: a canonical lower-case GUID

  bool operator==(const PagePosition&) const = default;
};

// `position` as a token. `position.id` must be a canonical GUID and `date` non-negative.
std::string EncodeContinuationToken(const PagePosition& position);

// kInvalidArgument "ContinuationToken is not valid." for anything EncodeContinuationToken did not
// produce.
Result<PagePosition> ParseContinuationToken(std::string_view token);

}  // namespace keywarden::server::events

#endif  // KEYWARDEN_SERVER_EVENTS_CONTINUATION_TOKEN_H_
