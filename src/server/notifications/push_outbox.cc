#include "server/notifications/push_outbox.h"

#include <cstdint>

#include <nlohmann/json.hpp>

#include "auth/user_id.h"
#include "base/iso_date.h"

namespace keywarden::server::notifications {
namespace {

constexpr sql::Statement kInsert = {
    "server_queue_push",
    "INSERT INTO push_notifications(id, user_id, type, payload, creation_date) VALUES ($1, $2, $3, $4, $5)", nullptr,
    nullptr, "to queue a notification"};
constexpr sql::Statement kList = {"server_list_pushes",
                                  "SELECT id, user_id, type, payload, creation_date FROM push_notifications "
                                  "WHERE user_id = $1 ORDER BY creation_date, id",
                                  nullptr, nullptr, "to read queued notifications"};

Status Queue(sql::Session& session, std::string_view user_id, PushType type, const nlohmann::json& payload,
             TimeMs now) {
  KW_ASSIGN_OR_RETURN(std::string id, auth::NewGuid());
  return session
      .Execute(kInsert, sql::Params().Text(id).Text(user_id).Int(static_cast<int>(type)).Text(payload.dump()).Int(now))
      .status();
}

}  // namespace

Status QueueLogOut(sql::Session& session, std::string_view user_id, TimeMs now) {
  return Queue(session, user_id, PushType::kLogOut, {{"UserId", user_id}, {"Date", FormatIsoDate(now)}}, now);
}

Status QueueAuthRequest(sql::Session& session, std::string_view user_id, std::string_view request_id, TimeMs now) {
  return Queue(session, user_id, PushType::kAuthRequest, {{"UserId", user_id}, {"Id", request_id}}, now);
}

Status QueueAuthRequestResponse(sql::Session& session, std::string_view user_id, std::string_view request_id,
                                TimeMs now) {
  return Queue(session, user_id, PushType::kAuthRequestResponse, {{"UserId", user_id}, {"Id", request_id}}, now);
}

Result<std::vector<PushNotification>> ListQueued(sql::Session& session, std::string_view user_id) {
  KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kList, sql::Params().Text(user_id)));
  std::vector<PushNotification> queued;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    KW_ASSIGN_OR_RETURN(const std::int64_t type, rows.Int(i, 2));
    KW_ASSIGN_OR_RETURN(const TimeMs date, rows.Int(i, 4));
    queued.push_back({rows.Text(i, 0), rows.Text(i, 1), static_cast<int>(type), rows.Text(i, 3), date});
  }
  return queued;
}

}  // namespace keywarden::server::notifications
