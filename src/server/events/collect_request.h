// The body of POST /events/collect (the reference's IEnumerable<EventModel>): what clients
// report that only they see happen (an item viewed, a password copied, the vault exported),
//   [{"type": 1107, "cipherId": "<guid>", "date": "<ISO date>", "organizationId": "<guid>"}, ...]
// Clients send at most 100 at a time; more than kMaxCollectedEvents, or a body over
// kMaxCollectBodyBytes, is refused rather than worked through.
//
// As the reference's model binding: names match without regard to case, unknown members are
// ignored, a missing or null id is none, a missing type is 0 (which no rule accepts). What cannot
// bind (not an array, an element that is not an object, a type that is not an integer, an id
// that is not a GUID, a date that is not one) refuses the whole body, as does an empty array.
//
// Thread-safe; no state.
#ifndef KEYWARDEN_SERVER_EVENTS_COLLECT_REQUEST_H_
#define KEYWARDEN_SERVER_EVENTS_COLLECT_REQUEST_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"
#include "keywarden/status.h"

namespace keywarden::server::events {

inline constexpr std::size_t kMaxCollectedEvents = 1000;
inline constexpr std::size_t kMaxCollectBodyBytes = 256 * 1024;

struct CollectedEvent {
  int type = 0;
  std::string cipher_id;        // canonical GUID, or empty
  std::string organization_id;  // canonical GUID, or empty
  std::optional<TimeMs> date;   // none when the client sent none
};

// kInvalidArgument with a message for the log when the body does not bind.
Result<std::vector<CollectedEvent>> ParseCollectRequest(std::string_view body);

}  // namespace keywarden::server::events

#endif  // KEYWARDEN_SERVER_EVENTS_COLLECT_REQUEST_H_
