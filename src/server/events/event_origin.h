// Where a request that causes an event comes from, as the reference stamps every event it logs
// (EventMessage(ICurrentContext)): the client's device type, from the Device-Type header the
// official clients send, and the client's IP address (after trusted proxies, http/forwarded_for.h).
//
// Thread-safe; no state.
#ifndef KEYWARDEN_SERVER_EVENTS_EVENT_ORIGIN_H_
#define KEYWARDEN_SERVER_EVENTS_EVENT_ORIGIN_H_

#include <optional>
#include <string>
#include <string_view>

#include "http/http_types.h"
#include "server/events/event_log.h"

namespace keywarden::server::events {

struct EventOrigin {
  std::optional<int> device_type;  // none when the header is absent or not a small number
  std::string ip_address;
};

EventOrigin OriginOf(const http::HttpRequest& request);

// A device type as the clients send it ("25"): nullopt unless one to three decimal digits.
std::optional<int> ParseDeviceType(std::string_view text);

// Sets `event`'s device type and address from `origin`.
void Stamp(Event& event, const EventOrigin& origin);

}  // namespace keywarden::server::events

#endif  // KEYWARDEN_SERVER_EVENTS_EVENT_ORIGIN_H_
