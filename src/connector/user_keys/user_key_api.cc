#include "connector/user_keys/user_key_api.h"

#include <chrono>
#include <ctime>
#include <string>
#include <utility>

#include "auth/bearer.h"
#include "connector/user_keys/key_body.h"
#include "http/errors.h"
#include "keywarden/crypto/encoding.h"
#include "telemetry/log.h"
#include "telemetry/log_limiter.h"

namespace keywarden::connector {
namespace {

using http::HttpRequest;
using http::HttpResponse;

// A failure of the service's own (a dependency unavailable, the database failing) is logged with
// its detail, which may name database hosts, files or SQLite's own words, at most once per
// interval however many requests meet it, and answered in general terms; other failures
// describe the client's own request.
HttpResponse Failure(const Status& status) {
  static telemetry::LogLimiter log;
  const int code = http::HttpStatusFor(status);
  if (code == 503) {
    log.Warning("answering 503", "answering 503: " + status.message());
    return http::JsonError(503, "the key store is unavailable; try again shortly");
  }
  if (code >= 500) {
    log.Error("answering 500", "answering " + std::to_string(code) + ": " + status.message());
    return http::JsonError(code, "internal error");
  }
  return http::JsonError(code, status.message());
}

std::string_view ResultName(const Status& status) { return status.ok() ? "ok" : ErrorCodeName(status.code()); }

auth::BearerOptions BearerOptionsOf(const UserKeyApi& api) {
  return auth::BearerOptions{api.token_failures, "api", api.clock};
}

// A route for verified callers only (auth::Bearer answers any other): `action(request, user_id,
// outcome)` runs with the token's user id, and one audit line records the outcome.
template <typename Action>
http::Handler Authenticated(const UserKeyApi& api, std::string_view audit_action, Action action) {
  return auth::Bearer(
      api.verifier,
      [action, audit_action](const HttpRequest& request, const auth::Principal& caller) {
        Status outcome;
        HttpResponse response = action(request, caller.user_id, outcome);
        telemetry::AuditKeyAccess(audit_action, caller.user_id, request.client_address, ResultName(outcome));
        return response;
      },
      BearerOptionsOf(api));
}

// A route that stores the key in the request body with `write(user_id, key)`.
template <typename Write>
http::Handler WriteKey(const UserKeyApi& api, std::string_view audit_action, Write write) {
  return Authenticated(api, audit_action,
                       [write](const HttpRequest& request, const std::string& user_id, Status& outcome) {
                         auto key = ParseKeyBody(request.header("Content-Type"), request.body);
                         if (!key.ok()) {
                           outcome = key.status();
                           return Failure(outcome);
                         }
                         outcome = write(user_id, key->span());
                         if (!outcome.ok()) return Failure(outcome);
                         HttpResponse ok;
                         ok.status = 200;
                         return ok;
                       });
}

}  // namespace

void AddUserKeyRoutes(http::Router& router, const UserKeyApi& api) {
  router.Add(
      "GET", "/user-keys",
      Authenticated(api, "read",
                    [api](const HttpRequest&, const std::string& user_id, Status& outcome) {
                      auto key = api.service.Get(user_id);
                      outcome = key.status();
                      if (!key.ok()) {
                        if (outcome.code() == ErrorCode::kNotFound)
                          return http::JsonError(404, "no key is stored for this user");
                        if (outcome.code() == ErrorCode::kAuthenticationFailed) {
                          telemetry::LogError("the stored key of user " + user_id + " failed its integrity check");
                          return http::JsonError(500, "the stored key failed its integrity check");
                        }
                        return Failure(outcome);
                      }
                      // Built by hand rather than through a JSON library, which would leave unwiped copies of
                      // the key behind (base64 needs no escaping). The server wipes the body once sent.
                      static constexpr std::string_view kOpen = "{\"key\":\"";
                      static constexpr std::string_view kClose = "\"}";
                      std::string encoded = Base64EncodeSecret(*key);
                      HttpResponse response;
                      response.status = 200;
                      response.content_type = std::string(http::kJsonContentType);
                      response.body.reserve(kOpen.size() + encoded.size() + kClose.size());
                      response.body.append(kOpen).append(encoded).append(kClose);
                      WipeString(encoded);
                      return response;
                    }),
      api.reads_block ? http::Execution::kBlocking : http::Execution::kInline);
  router
      .Add("POST", "/user-keys",
           WriteKey(api, "create",
                    [api](const std::string& user_id, std::span<const std::uint8_t> key) {
                      Status status = api.service.Create(user_id, key);
                      if (status.code() == ErrorCode::kAlreadyExists)
                        return AlreadyExistsError("a key is already stored for this user");
                      return status;
                    }),
           http::Execution::kBlocking)
      .GateBody(auth::BearerBodyGate(api.verifier, BearerOptionsOf(api)));
  router
      .Add("PUT", "/user-keys",
           WriteKey(api, "replace",
                    [api](const std::string& user_id, std::span<const std::uint8_t> key) {
                      return api.service.Replace(user_id, key);
                    }),
           http::Execution::kBlocking)
      .GateBody(auth::BearerBodyGate(api.verifier, BearerOptionsOf(api)));
  router.Add("DELETE", "/user-keys",
             Authenticated(api, "delete",
                           [api](const HttpRequest&, const std::string& user_id, Status& outcome) {
                             outcome = api.service.Delete(user_id);
                             if (outcome.code() == ErrorCode::kNotFound)
                               return http::JsonError(404, "no key is stored for this user");
                             if (!outcome.ok()) return Failure(outcome);
                             HttpResponse ok;
                             ok.status = 200;
                             return ok;
                           }),
             http::Execution::kBlocking);
}

}  // namespace keywarden::connector
