// An event caused by an API request (server/events/event_log.h): who did it, when, from which
// device type (the clients' Device-Type header) and address. The caller fills in what it is about.
#ifndef KEYWARDEN_SERVER_COLLECTIONS_REQUEST_EVENT_H_
#define KEYWARDEN_SERVER_COLLECTIONS_REQUEST_EVENT_H_

#include <charconv>
#include <string>
#include <string_view>

#include "base/time.h"
#include "http/http_types.h"
#include "server/events/event_log.h"

namespace keywarden::server::collections {

inline events::Event RequestEvent(const http::HttpRequest& request, std::string_view acting_user_id,
                                  events::EventType type, TimeMs now) {
  events::Event event;
  event.type = static_cast<int>(type);
  event.date = now;
  event.acting_user_id = std::string(acting_user_id);
  event.ip_address = request.client_address;
  const std::string_view device = request.header("Device-Type");
  int device_type = 0;
  const auto [end, error] = std::from_chars(device.data(), device.data() + device.size(), device_type);
  if (error == std::errc() && end == device.data() + device.size() && !device.empty()) event.device_type = device_type;
  return event;
}

}  // namespace keywarden::server::collections

#endif  // KEYWARDEN_SERVER_COLLECTIONS_REQUEST_EVENT_H_
