#include "server/events/collect_request.h"

#include <limits>
#include <utility>

#include <nlohmann/json.hpp>

#include "base/iso_date.h"
#include "http/json.h"
#include "server/api/ids.h"

namespace keywarden::server::events {
namespace {

// An optional GUID member: "" when missing or null.
Result<std::string> GuidField(const nlohmann::json& element, std::string_view name) {
  const nlohmann::json* value = http::FindField(element, name);
  if (value == nullptr || value->is_null()) return std::string();
  if (!value->is_string()) return InvalidArgumentError(std::string(name) + " must be a GUID");
  auto guid = api::ParseGuid(value->get_ref<const std::string&>());
  if (!guid) return InvalidArgumentError(std::string(name) + " must be a GUID");
  return *std::move(guid);
}

Result<CollectedEvent> ParseElement(const nlohmann::json& element) {
  if (!element.is_object()) return InvalidArgumentError("each event must be a JSON object");
  CollectedEvent event;
  if (const nlohmann::json* type = http::FindField(element, "type"); type != nullptr) {
    if (type->is_number_unsigned()) {
      const auto value = type->get<std::uint64_t>();
      if (value > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) {
        return InvalidArgumentError("type is out of range");
      }
      event.type = static_cast<int>(value);
    } else if (type->is_number_integer()) {
      const auto value = type->get<std::int64_t>();
      if (value < std::numeric_limits<int>::min()) return InvalidArgumentError("type is out of range");
      event.type = static_cast<int>(value);
    } else {
      return InvalidArgumentError("type must be an integer");
    }
  }
  KW_ASSIGN_OR_RETURN(event.cipher_id, GuidField(element, "cipherId"));
  KW_ASSIGN_OR_RETURN(event.organization_id, GuidField(element, "organizationId"));
  if (const nlohmann::json* date = http::FindField(element, "date"); date != nullptr && !date->is_null()) {
    if (!date->is_string()) return InvalidArgumentError("date must be an ISO 8601 date");
    event.date = ParseIsoDate(date->get_ref<const std::string&>());
    if (!event.date) return InvalidArgumentError("date must be an ISO 8601 date");
  }
  return event;
}

}  // namespace

Result<std::vector<CollectedEvent>> ParseCollectRequest(std::string_view body) {
  if (body.size() > kMaxCollectBodyBytes) return InvalidArgumentError("the request body is too large");
  const nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return InvalidArgumentError("the request body is not valid JSON");
  if (!parsed.is_array()) return InvalidArgumentError("the request body must be a JSON array of events");
  if (parsed.empty()) return InvalidArgumentError("the request body holds no events");
  if (parsed.size() > kMaxCollectedEvents) return InvalidArgumentError("the request body holds too many events");
  std::vector<CollectedEvent> events;
  events.reserve(parsed.size());
  for (const nlohmann::json& element : parsed) {
    KW_ASSIGN_OR_RETURN(CollectedEvent event, ParseElement(element));
    events.push_back(std::move(event));
  }
  return events;
}

}  // namespace keywarden::server::events
