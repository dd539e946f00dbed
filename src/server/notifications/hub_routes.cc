#include "server/notifications/hub_routes.h"

#include <string>
#include <utility>

#include "http/websocket.h"
#include "server/api/error_response.h"
#include "server/identity/form.h"

namespace keywarden::server::notifications {
namespace {

// `handler`, given the request with the access_token query as its Authorization header when it
// has none, as the reference's TokenRetrieval reads the token: the header first, else the query.
http::Handler WithQueryToken(http::Handler handler) {
  return [handler = std::move(handler)](const http::HttpRequest& request) {
    if (!request.header("Authorization").empty()) return handler(request);
    auto query = Form::Parse(request.query);
    if (!query.ok() || query->Get("access_token").empty()) return handler(request);
    http::HttpRequest with_header = request;
    with_header.headers["Authorization"] = "Bearer " + std::string(query->Get("access_token"));
    return handler(with_header);
  };
}

}  // namespace

void AddHubRoutes(http::Router& router, api::ApiContext& api, NotificationHub& hub) {
  // Authentication reads the caller's account (the security stamp): the blocking pool.
  router.AddWebSocket("/notifications/hub",
                      WithQueryToken(api::AuthenticatedDevice(
                          api,
                          [&hub](const http::HttpRequest&, store::User& caller, const std::string& device) {
                            return http::AcceptWebSocket(hub.UserConnection(caller.id, device));
                          })),
                      http::Execution::kBlocking);
  router.AddWebSocket("/notifications/anonymous-hub", [&hub](const http::HttpRequest& request) {
    auto query = Form::Parse(request.query);
    if (!query.ok() || query->Get("Token").empty()) return api::BadRequest("A Token is required.");
    return http::AcceptWebSocket(hub.AnonymousConnection(std::string(query->Get("Token"))));
  });
}

}  // namespace keywarden::server::notifications
