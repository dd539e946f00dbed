// The event lists' answer (the reference's ListResponseModel of EventResponseModel):
//   {"data": [{"type", "userId", "organizationId", "providerId", "cipherId", "collectionId",
//              "groupId", "policyId", "organizationUserId", "providerUserId",
//              "providerOrganizationId", "actingUserId", "installationId", "date", "deviceType",
//              "ipAddress", "systemUser", "domainName", "secretId", "projectId",
//              "serviceAccountId", "grantedServiceAccountId", "sendId", "object": "event"}, ...],
//    "continuationToken": "<token>" | null, "object": "list"}
// Every member is present, null when the event has none (providers, Secrets Manager and Sends do
// not exist on this server).
//
// Thread-safe; no state.
#ifndef KEYWARDEN_SERVER_EVENTS_EVENT_JSON_H_
#define KEYWARDEN_SERVER_EVENTS_EVENT_JSON_H_

#include <string>

#include "server/events/event_store.h"

namespace keywarden::server::events {

std::string EventPageJson(const EventPage& page);

}  // namespace keywarden::server::events

#endif  // KEYWARDEN_SERVER_EVENTS_EVENT_JSON_H_
