// The push outbox: notifications for a user's devices, written in the transaction of the change
// that causes them (schema V010), so that none is sent for a change that was rolled back and none
// is lost for one that committed. Every instance of the server reads the feed and delivers each
// row to the hub connections it holds (push_feed.h); housekeeping removes old rows.
#ifndef KEYWARDEN_SERVER_NOTIFICATIONS_PUSH_OUTBOX_H_
#define KEYWARDEN_SERVER_NOTIFICATIONS_PUSH_OUTBOX_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "base/time.h"
#include "keywarden/status.h"
#include "sql/database.h"

namespace keywarden::server::notifications {

// The reference's push types (src/Core/Platform/Push/PushType.cs) that Keywarden sends.
enum class PushType {
  kSyncCipherUpdate = 0,
  kSyncCipherCreate = 1,
  kSyncLoginDelete = 2,
  kSyncFolderDelete = 3,
  kSyncCiphers = 4,
  kSyncVault = 5,
  kSyncOrgKeys = 6,
  kSyncFolderCreate = 7,
  kSyncFolderUpdate = 8,
  kSyncSettings = 10,
  kLogOut = 11,
  kSyncSendCreate = 12,
  kSyncSendUpdate = 13,
  kSyncSendDelete = 14,
  kAuthRequest = 15,
  kAuthRequestResponse = 16,
  kSyncOrganizations = 17,
};

struct PushNotification {
  std::int64_t sequence = 0;  // the feed's order
  std::string id;
  std::string user_id;
  int type = 0;
  std::string payload;     // JSON object, PascalCase as the hub sends it
  std::string context_id;  // the acting device's identifier ("" for none): its own clients skip it
  TimeMs creation_date = 0;
};

// The PostgreSQL channel on which each queued notification is announced, its JSON (ToJson) as
// the payload. NOTIFY is transactional: listeners hear of it once the change commits.
inline constexpr std::string_view kPushChannel = "keywarden_push";

// Queues `type` with `payload` for the devices of `user_id`. `context_id` is the device
// identifier of the request that caused it, or "". On PostgreSQL it also NOTIFYs kPushChannel.
Status Queue(sql::Session& session, std::string_view user_id, PushType type, const nlohmann::json& payload,
             std::string_view context_id, TimeMs now);

// LogOut (11) for every device of `user_id`, the caller's included: payload {UserId, Date}.
Status QueueLogOut(sql::Session& session, std::string_view user_id, TimeMs now);

// AuthRequest (15): a device asks the user's other devices for the user key. Payload {UserId, Id}.
Status QueueAuthRequest(sql::Session& session, std::string_view user_id, std::string_view request_id, TimeMs now);

// AuthRequestResponse (16): the request was answered. Payload {UserId, Id}; the hub delivers it
// on the anonymous hub to the requester, which listens under the request's id.
Status QueueAuthRequestResponse(sql::Session& session, std::string_view user_id, std::string_view request_id,
                                TimeMs now);

// The user's queued notifications, oldest first.
Result<std::vector<PushNotification>> ListQueued(sql::Session& session, std::string_view user_id);

// The feed after `sequence`, in order, at most `limit` rows.
Result<std::vector<PushNotification>> ReadFeedAfter(sql::Session& session, std::int64_t sequence, std::int64_t limit);

// The feed's rows created at or after `since`, in sequence order, at most `limit`: what a
// listener that lost its connection may have missed.
Result<std::vector<PushNotification>> ReadFeedSince(sql::Session& session, TimeMs since, std::int64_t limit);

// The newest sequence in the feed (0 when empty): where a new reader starts.
Result<std::int64_t> LatestSequence(sql::Session& session);

// Removes notifications created before `cutoff`; how many.
Result<std::int64_t> DeleteQueuedBefore(sql::Session& session, TimeMs cutoff);

// A notification as its NOTIFY payload, and back (kInvalidArgument for anything else).
// PostgreSQL refuses a NOTIFY payload of 8,000 bytes or more, so a larger notification (an
// organisation item in hundreds of collections) is announced by its sequence alone:
// FromJson then gives a notification with only `sequence` set, which the listener reads from
// the table (ReadFeedAt).
std::string ToJson(const PushNotification& notification);
Result<PushNotification> FromJson(std::string_view text);
inline constexpr std::size_t kMaxAnnouncementBytes = 7000;

// The notification with `sequence`, if it is still in the feed.
Result<std::optional<PushNotification>> ReadFeedAt(sql::Session& session, std::int64_t sequence);

}  // namespace keywarden::server::notifications

#endif  // KEYWARDEN_SERVER_NOTIFICATIONS_PUSH_OUTBOX_H_
