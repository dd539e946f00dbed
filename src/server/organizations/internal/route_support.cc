#include "server/organizations/internal/route_support.h"

#include <charconv>
#include <set>

#include "http/json.h"
#include "server/api/error_response.h"
#include "server/api/field_error.h"
#include "server/api/ids.h"

namespace keywarden::server::organizations::internal {
namespace {

constexpr std::size_t kMaxIds = 500;

}  // namespace

Result<Member> CallerMembership(sql::Session& session, std::string_view organization_id, std::string_view user_id) {
  KW_ASSIGN_OR_RETURN(std::optional<Member> member, FindMembershipOf(session, organization_id, user_id));
  if (!member) return NotFoundError("organization");
  return *std::move(member);
}

http::HttpResponse Answer(const Status& status, const nlohmann::json& body) {
  if (!status.ok()) return api::FromStatus(status);
  return http::JsonResponse(200, body);
}

http::HttpResponse AnswerEmpty(const Status& status) {
  if (!status.ok()) return api::FromStatus(status);
  http::HttpResponse response;
  response.status = 200;
  return response;
}

events::Event OrganizationEvent(events::EventType type, std::string_view organization_id, std::string_view actor,
                                const http::HttpRequest& request, TimeMs now) {
  events::Event event;
  event.type = static_cast<int>(type);
  event.date = now;
  event.organization_id = organization_id;
  event.acting_user_id = actor;
  event.ip_address = request.client_address;
  const std::string_view device = request.header("Device-Type");
  int device_type = 0;
  const auto [end, error] = std::from_chars(device.data(), device.data() + device.size(), device_type);
  if (error == std::errc() && end == device.data() + device.size() && !device.empty()) event.device_type = device_type;
  return event;
}

Result<std::vector<std::string>> ParseIds(const nlohmann::json& body) {
  const nlohmann::json* ids = http::FindField(body, "ids");
  if (ids == nullptr || !ids->is_array()) return api::FieldErrorStatus("Ids", "is required.");
  if (ids->size() > kMaxIds) return api::FieldErrorStatus("Ids", "may hold at most 500 ids.");
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const nlohmann::json& id : *ids) {
    std::optional<std::string> guid;
    if (id.is_string()) guid = api::ParseGuid(id.get<std::string>());
    if (!guid) return api::FieldErrorStatus("Ids", "must hold ids.");
    if (seen.insert(*guid).second) out.push_back(*guid);
  }
  return out;
}

}  // namespace keywarden::server::organizations::internal
