// What every API route of the server needs, and the one way a route learns who is calling.
#ifndef KEYWARDEN_SERVER_API_API_CONTEXT_H_
#define KEYWARDEN_SERVER_API_API_CONTEXT_H_

#include <functional>
#include <string>
#include <string_view>

#include "auth/token_verifier.h"
#include "base/clock.h"
#include "http/http_types.h"
#include "http/middleware.h"
#include "http/router.h"
#include "server/events/event_log.h"
#include "server/store/users.h"
#include "sql/database.h"

namespace keywarden::server::api {

struct ApiContext {
  sql::Database& database;
  auth::TokenVerifier& verifier;  // this server's own tokens
  const Clock& clock;
  events::EventLog& events;  // what routes log (organisation, member, item events)
};

using UserHandler = std::function<http::HttpResponse(const http::HttpRequest&, store::User& caller)>;

// `handler`, run for a caller whose access token verifies and whose account still has the
// security stamp the token was issued with: a changed stamp (new password, "log out all
// sessions", a deleted account) ends every access token at its next use, with 401. Reads the
// caller's account once; the handler gets it. Runs on the blocking pool.
http::Handler Authenticated(ApiContext& context, UserHandler handler);

// Registers routes for a signed-in caller (Authenticated), on the blocking pool: the one way the
// account, vault and organisation routes are added.
//   const api::UserRoutes add(router, context);
//   add("GET", "/api/accounts/profile", handler);
class UserRoutes {
 public:
  UserRoutes(http::Router& router, ApiContext& context) : router_(router), context_(context) {}
  http::Router::RouteHandle operator()(std::string method, std::string_view path, UserHandler handler) const;

 private:
  http::Router& router_;
  ApiContext& context_;
};

// As Authenticated, for routes about the caller's own device: the handler also gets the
// identifier of the device the access token was issued to (its `device` claim), or, for a token
// without one, the request's Device-Identifier header, as the reference's CurrentContext reads
// them; empty when neither is there.
using DeviceUserHandler =
    std::function<http::HttpResponse(const http::HttpRequest&, store::User& caller, const std::string& device)>;
http::Handler AuthenticatedDevice(ApiContext& context, DeviceUserHandler handler);

// The current time in milliseconds since the epoch, by `clock`.
TimeMs NowMs(const Clock& clock);

}  // namespace keywarden::server::api

#endif  // KEYWARDEN_SERVER_API_API_CONTEXT_H_
