// The push outbox: notifications for a user's devices, queued in the transaction of the change
// that causes them (schema V005). Until the notification hub delivers them, they are the record
// that a change asked for one: an account recovery logs every device of the member out.
#ifndef KEYWARDEN_SERVER_NOTIFICATIONS_PUSH_OUTBOX_H_
#define KEYWARDEN_SERVER_NOTIFICATIONS_PUSH_OUTBOX_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"
#include "keywarden/status.h"
#include "sql/database.h"

namespace keywarden::server::notifications {

// The reference's push types (src/Core/Platform/Push/PushType.cs) that Keywarden sends.
enum class PushType { kLogOut = 11, kAuthRequest = 15, kAuthRequestResponse = 16 };

struct PushNotification {
  std::string id;
  std::string user_id;
  int type = 0;
  std::string payload;  // JSON
  TimeMs creation_date = 0;
};

// Queues a LogOut for every device of `user_id`: payload {"UserId", "Date"}, as the hub sends it.
Status QueueLogOut(sql::Session& session, std::string_view user_id, TimeMs now);

// Queues an AuthRequest (15) for the user's devices: a device asks one of them for the user key.
// Payload {"UserId", "Id"}. The hub leaves out the connection that caused it, as the reference.
Status QueueAuthRequest(sql::Session& session, std::string_view user_id, std::string_view request_id, TimeMs now);

// Queues an AuthRequestResponse (16): the request `request_id` was approved. Payload {"UserId",
// "Id"}; the hub delivers it to the requesting device, which listens under the request's id.
Status QueueAuthRequestResponse(sql::Session& session, std::string_view user_id, std::string_view request_id,
                                TimeMs now);

// The user's queued notifications, oldest first.
Result<std::vector<PushNotification>> ListQueued(sql::Session& session, std::string_view user_id);

}  // namespace keywarden::server::notifications

#endif  // KEYWARDEN_SERVER_NOTIFICATIONS_PUSH_OUTBOX_H_
