#include "server/notifications/push_outbox.h"

#include <cstdint>
#include <utility>

#include <nlohmann/json.hpp>

#include "auth/user_id.h"
#include "base/iso_date.h"

namespace keywarden::server::notifications {
namespace {

constexpr sql::Statement kInsert = {
    "server_queue_push",
    "INSERT INTO push_notifications(id, user_id, type, payload, context_id, creation_date) "
    "VALUES ($1, $2, $3, $4, NULLIF($5, ''), $6) RETURNING sequence",
    nullptr, nullptr, "to queue a notification"};
// Only PostgreSQL has listeners; on SQLite the one instance reads the feed itself.
constexpr sql::Statement kAnnounce = {"server_announce_push", "SELECT pg_notify('keywarden_push', $1)", nullptr,
                                      "SELECT $1 WHERE 0", "to announce a notification"};
#define KW_PUSH_COLUMNS "sequence, id, user_id, type, payload, context_id, creation_date"
constexpr sql::Statement kListForUser = {"server_list_pushes",
                                         "SELECT " KW_PUSH_COLUMNS
                                         " FROM push_notifications "
                                         "WHERE user_id = $1 ORDER BY sequence",
                                         nullptr, nullptr, "to read queued notifications"};
constexpr sql::Statement kReadAfter = {"server_read_push_feed",
                                       "SELECT " KW_PUSH_COLUMNS
                                       " FROM push_notifications "
                                       "WHERE sequence > $1 ORDER BY sequence LIMIT $2",
                                       nullptr, nullptr, "to read the push feed"};
constexpr sql::Statement kReadSince = {"server_read_push_feed_since",
                                       "SELECT " KW_PUSH_COLUMNS
                                       " FROM push_notifications "
                                       "WHERE creation_date >= $1 ORDER BY sequence LIMIT $2",
                                       nullptr, nullptr, "to read the push feed"};
constexpr sql::Statement kReadAt = {"server_read_push_at",
                                    "SELECT " KW_PUSH_COLUMNS " FROM push_notifications WHERE sequence = $1", nullptr,
                                    nullptr, "to read a notification"};
#undef KW_PUSH_COLUMNS
constexpr sql::Statement kLatest = {"server_latest_push", "SELECT COALESCE(MAX(sequence), 0) FROM push_notifications",
                                    nullptr, nullptr, "to find the end of the push feed"};
constexpr sql::Statement kDeleteBefore = {"server_delete_old_pushes",
                                          "DELETE FROM push_notifications WHERE creation_date < $1", nullptr, nullptr,
                                          "to remove delivered notifications"};

Result<std::vector<PushNotification>> ReadRows(const sql::Rows& rows) {
  std::vector<PushNotification> read;
  read.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    KW_ASSIGN_OR_RETURN(const std::int64_t sequence, rows.Int(i, 0));
    KW_ASSIGN_OR_RETURN(const std::int64_t type, rows.Int(i, 3));
    KW_ASSIGN_OR_RETURN(const TimeMs date, rows.Int(i, 6));
    read.push_back({.sequence = sequence,
                    .id = std::string(rows.Text(i, 1)),
                    .user_id = std::string(rows.Text(i, 2)),
                    .type = static_cast<int>(type),
                    .payload = std::string(rows.Text(i, 4)),
                    .context_id = std::string(rows.Text(i, 5)),
                    .creation_date = date});
  }
  return read;
}

}  // namespace

Status Queue(sql::Session& session, std::string_view user_id, PushType type, const nlohmann::json& payload,
             std::string_view context_id, TimeMs now) {
  PushNotification notification{.sequence = 0,
                                .id = {},
                                .user_id = std::string(user_id),
                                .type = static_cast<int>(type),
                                .payload = payload.dump(),
                                .context_id = std::string(context_id),
                                .creation_date = now};
  KW_ASSIGN_OR_RETURN(notification.id, auth::NewGuid());
  KW_ASSIGN_OR_RETURN(sql::Rows inserted, session.Execute(kInsert, sql::Params()
                                                                       .Text(notification.id)
                                                                       .Text(user_id)
                                                                       .Int(notification.type)
                                                                       .Text(notification.payload)
                                                                       .Text(context_id)
                                                                       .Int(now)));
  if (inserted.size() != 1) return InternalError("queuing a notification returned no sequence");
  KW_ASSIGN_OR_RETURN(notification.sequence, inserted.Int(0, 0));
  std::string announcement = ToJson(notification);
  if (announcement.size() > kMaxAnnouncementBytes) {
    announcement = nlohmann::json{{"sequence", notification.sequence}}.dump();
  }
  return session.Execute(kAnnounce, sql::Params().Text(announcement)).status();
}

Status QueueLogOut(sql::Session& session, std::string_view user_id, TimeMs now) {
  return Queue(session, user_id, PushType::kLogOut, {{"UserId", user_id}, {"Date", FormatIsoDate(now)}}, "", now);
}

Status QueueAuthRequest(sql::Session& session, std::string_view user_id, std::string_view request_id, TimeMs now) {
  return Queue(session, user_id, PushType::kAuthRequest, {{"UserId", user_id}, {"Id", request_id}}, "", now);
}

Status QueueAuthRequestResponse(sql::Session& session, std::string_view user_id, std::string_view request_id,
                                TimeMs now) {
  return Queue(session, user_id, PushType::kAuthRequestResponse, {{"UserId", user_id}, {"Id", request_id}}, "", now);
}

Result<std::vector<PushNotification>> ListQueued(sql::Session& session, std::string_view user_id) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kListForUser, sql::Params().Text(user_id)));
  return ReadRows(rows);
}

Result<std::vector<PushNotification>> ReadFeedAfter(sql::Session& session, std::int64_t sequence, std::int64_t limit) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kReadAfter, sql::Params().Int(sequence).Int(limit)));
  return ReadRows(rows);
}

Result<std::vector<PushNotification>> ReadFeedSince(sql::Session& session, TimeMs since, std::int64_t limit) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kReadSince, sql::Params().Int(since).Int(limit)));
  return ReadRows(rows);
}

Result<std::optional<PushNotification>> ReadFeedAt(sql::Session& session, std::int64_t sequence) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kReadAt, sql::Params().Int(sequence)));
  KW_ASSIGN_OR_RETURN(std::vector<PushNotification> read, ReadRows(rows));
  if (read.empty()) return std::optional<PushNotification>();
  return std::optional<PushNotification>(std::move(read.front()));
}

Result<std::int64_t> LatestSequence(sql::Session& session) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kLatest));
  if (rows.size() != 1) return InternalError("the push feed's end has no row");
  return rows.Int(0, 0);
}

Result<std::int64_t> DeleteQueuedBefore(sql::Session& session, TimeMs cutoff) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kDeleteBefore, sql::Params().Int(cutoff)));
  return static_cast<std::int64_t>(rows.affected());
}

std::string ToJson(const PushNotification& notification) {
  return nlohmann::json{{"sequence", notification.sequence},
                        {"id", notification.id},
                        {"userId", notification.user_id},
                        {"type", notification.type},
                        {"payload", notification.payload},
                        {"contextId", notification.context_id},
                        {"creationDate", notification.creation_date}}
      .dump();
}

Result<PushNotification> FromJson(std::string_view text) {
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return InvalidArgumentError("a push announcement is not a JSON object");
  PushNotification notification;
  try {
    notification.sequence = json.at("sequence").get<std::int64_t>();
    if (json.size() == 1) return notification;  // announced by its sequence alone
    notification.id = json.at("id").get<std::string>();
    notification.user_id = json.at("userId").get<std::string>();
    notification.type = json.at("type").get<int>();
    notification.payload = json.at("payload").get<std::string>();
    notification.context_id = json.at("contextId").get<std::string>();
    notification.creation_date = json.at("creationDate").get<TimeMs>();
  } catch (const nlohmann::json::exception&) {
    return InvalidArgumentError("a push announcement lacks a field or has one of the wrong type");
  }
  return notification;
}

}  // namespace keywarden::server::notifications
