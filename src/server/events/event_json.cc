#include "server/events/event_json.h"

#include <chrono>

#include <nlohmann/json.hpp>

#include "base/iso_date.h"

namespace keywarden::server::events {
namespace {

nlohmann::json TextOrNull(const std::string& text) { return text.empty() ? nlohmann::json() : nlohmann::json(text); }

nlohmann::json EventJson(const StoredEvent& stored) {
  const Event& e = stored.event;
  nlohmann::json json = nlohmann::json::object();
  json["type"] = e.type;
  json["userId"] = TextOrNull(e.user_id);
  json["organizationId"] = TextOrNull(e.organization_id);
  json["providerId"] = nullptr;
  json["cipherId"] = TextOrNull(e.cipher_id);
  json["collectionId"] = TextOrNull(e.collection_id);
  json["groupId"] = TextOrNull(e.group_id);
  json["policyId"] = TextOrNull(e.policy_id);
  json["organizationUserId"] = TextOrNull(e.organization_user_id);
  json["providerUserId"] = nullptr;
  json["providerOrganizationId"] = nullptr;
  json["actingUserId"] = TextOrNull(e.acting_user_id);
  json["installationId"] = nullptr;
  json["date"] = FormatIsoDate(e.date);
  json["deviceType"] = e.device_type ? nlohmann::json(*e.device_type) : nlohmann::json();
  json["ipAddress"] = TextOrNull(e.ip_address);
  json["systemUser"] = stored.system_user ? nlohmann::json(*stored.system_user) : nlohmann::json();
  json["domainName"] = nullptr;
  json["secretId"] = nullptr;
  json["projectId"] = nullptr;
  json["serviceAccountId"] = nullptr;
  json["grantedServiceAccountId"] = nullptr;
  json["sendId"] = nullptr;
  json["object"] = "event";
  return json;
}

}  // namespace

std::string EventPageJson(const EventPage& page) {
  nlohmann::json data = nlohmann::json::array();
  for (const StoredEvent& stored : page.events) data.push_back(EventJson(stored));
  nlohmann::json body = {
      {"data", std::move(data)},
      {"continuationToken", page.next ? nlohmann::json(EncodeContinuationToken(*page.next)) : nlohmann::json()},
      {"object", "list"}};
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace keywarden::server::events
