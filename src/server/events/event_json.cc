#include "server/events/event_json.h"

#include <chrono>

#include <nlohmann/json.hpp>

#include "base/iso_date.h"
#include "http/json.h"

namespace keywarden::server::events {
namespace {

nlohmann::json EventJson(const StoredEvent& stored) {
  const Event& e = stored.event;
  nlohmann::json json = nlohmann::json::object();
  json["type"] = e.type;
  json["userId"] = http::NullIfEmpty(e.user_id);
  json["organizationId"] = http::NullIfEmpty(e.organization_id);
  json["providerId"] = nullptr;
  json["cipherId"] = http::NullIfEmpty(e.cipher_id);
  json["collectionId"] = http::NullIfEmpty(e.collection_id);
  json["groupId"] = http::NullIfEmpty(e.group_id);
  json["policyId"] = http::NullIfEmpty(e.policy_id);
  json["organizationUserId"] = http::NullIfEmpty(e.organization_user_id);
  json["providerUserId"] = nullptr;
  json["providerOrganizationId"] = nullptr;
  json["actingUserId"] = http::NullIfEmpty(e.acting_user_id);
  json["installationId"] = nullptr;
  json["date"] = FormatIsoDate(e.date);
  json["deviceType"] = e.device_type ? nlohmann::json(*e.device_type) : nlohmann::json();
  json["ipAddress"] = http::NullIfEmpty(e.ip_address);
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
