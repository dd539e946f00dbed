#include "server/events/event_origin.h"

namespace keywarden::server::events {

std::optional<int> ParseDeviceType(std::string_view text) {
  if (text.empty() || text.size() > 3) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

EventOrigin OriginOf(const http::HttpRequest& request) {
  return EventOrigin{ParseDeviceType(request.header("Device-Type")), request.client_address};
}

void Stamp(Event& event, const EventOrigin& origin) {
  event.device_type = origin.device_type;
  event.ip_address = origin.ip_address;
}

}  // namespace keywarden::server::events
