// Where the push feed delivers: the notification hub of this instance (notification_hub.h).
#ifndef KEYWARDEN_SERVER_NOTIFICATIONS_PUSH_SINK_H_
#define KEYWARDEN_SERVER_NOTIFICATIONS_PUSH_SINK_H_

#include "server/notifications/push_outbox.h"

namespace keywarden::server::notifications {

class PushSink {
 public:
  virtual ~PushSink() = default;
  // Sends `notification` to the connections this instance holds that it is for. Called from the
  // feed's thread, once per notification, in feed order; must not block on a slow client.
  virtual void Deliver(const PushNotification& notification) = 0;
};

}  // namespace keywarden::server::notifications

#endif  // KEYWARDEN_SERVER_NOTIFICATIONS_PUSH_SINK_H_
