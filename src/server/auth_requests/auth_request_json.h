// Auth requests as the clients read them (member-decryption.md 2.2, 3.1): the reference's
// AuthRequestResponseModel (object "auth-request"), its pending form with the requesting
// device's id, and PendingOrganizationAuthRequestResponseModel (object
// "pending-org-auth-request"). The access code never leaves the server.
#ifndef KEYWARDEN_SERVER_AUTH_REQUESTS_AUTH_REQUEST_JSON_H_
#define KEYWARDEN_SERVER_AUTH_REQUESTS_AUTH_REQUEST_JSON_H_

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "server/auth_requests/auth_request_store.h"

namespace keywarden::server::auth_requests {

// `origin`: the host of the server's public URL, which the approving client shows.
nlohmann::json AuthRequestJson(const AuthRequest& request, std::string_view origin);
// With "requestDeviceId": the id of the requesting device (null when the user has none by
// that identifier).
nlohmann::json PendingAuthRequestJson(const AuthRequest& request, std::string_view origin,
                                      const std::string& request_device_id);
nlohmann::json OrganizationAuthRequestJson(const OrganizationAuthRequest& pending);

// {"object": "list", "data": items, "continuationToken": null}.
nlohmann::json ListJson(nlohmann::json items);

// The host of `public_url` ("https://vault.example.com:8443/x" -> "vault.example.com").
std::string OriginOf(std::string_view public_url);

}  // namespace keywarden::server::auth_requests

#endif  // KEYWARDEN_SERVER_AUTH_REQUESTS_AUTH_REQUEST_JSON_H_
