#include "server/api/api_context.h"

#include <optional>
#include <utility>

#include "auth/bearer.h"
#include "server/api/error_response.h"

namespace keywarden::server::api {

TimeMs NowMs(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch()).count();
}

namespace {

using PrincipalHandler =
    std::function<http::HttpResponse(const http::HttpRequest&, store::User&, const auth::Principal&)>;

http::Handler WithCaller(ApiContext& context, PrincipalHandler handler) {
  auth::BearerOptions options;
  options.clock = &context.clock;
  return auth::Bearer(
      context.verifier,
      [&context, handler = std::move(handler)](const http::HttpRequest& request, const auth::Principal& principal) {
        std::optional<store::User> user;
        const Status read = context.database.Read([&](sql::Session& session) -> Status {
          KW_ASSIGN_OR_RETURN(user, store::FindUserById(session, principal.user_id));
          return OkStatus();
        });
        if (!read.ok()) return FromStatus(read);
        if (!user || user->security_stamp != principal.security_stamp) return Unauthorized();
        return handler(request, *user, principal);
      },
      options);
}

}  // namespace

http::Handler Authenticated(ApiContext& context, UserHandler handler) {
  return WithCaller(context, [handler = std::move(handler)](const http::HttpRequest& request, store::User& user,
                                                            const auth::Principal&) { return handler(request, user); });
}

http::Handler AuthenticatedDevice(ApiContext& context, DeviceUserHandler handler) {
  return WithCaller(context, [handler = std::move(handler)](const http::HttpRequest& request, store::User& user,
                                                            const auth::Principal& principal) {
    const std::string device =
        principal.device.empty() ? std::string(request.header("Device-Identifier")) : principal.device;
    return handler(request, user, device);
  });
}

http::Router::RouteHandle UserRoutes::operator()(std::string method, std::string_view path, UserHandler handler) const {
  return router_.Add(std::move(method), path, Authenticated(context_, std::move(handler)), http::Execution::kBlocking);
}

}  // namespace keywarden::server::api
