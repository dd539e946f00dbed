#include "auth/bearer.h"

#include <chrono>
#include <utility>

namespace keywarden::auth {

int HttpStatusForTokenFailure(jose::TokenFailure failure) {
  switch (failure) {
    case jose::TokenFailure::kInsufficientScope:
    case jose::TokenFailure::kWrongAmr: return 403;
    case jose::TokenFailure::kKeysUnavailable: return 503;
    default: return 401;
  }
}

http::HttpResponse TokenRefusal(const jose::TokenError& error, const BearerOptions& options) {
  if (options.failures != nullptr) options.failures->Inc({jose::TokenFailureName(error.reason)});
  const int status = HttpStatusForTokenFailure(error.reason);
  http::HttpResponse response = http::JsonError(status, error.message);
  if (status == 401) {
    response.headers.emplace_back("WWW-Authenticate", "Bearer error=\"invalid_token\"");
  } else if (status == 403) {
    response.headers.emplace_back("WWW-Authenticate",
                                  "Bearer error=\"insufficient_scope\", scope=\"" + options.scope + "\"");
  }
  return response;
}

http::Handler Bearer(TokenVerifier& verifier, AuthenticatedHandler handler, BearerOptions options) {
  return [&verifier, handler = std::move(handler), options = std::move(options)](const http::HttpRequest& request) {
    auto principal = verifier.Verify(request.header("Authorization"), options.clock->Now());
    if (!principal.ok()) return TokenRefusal(principal.error(), options);
    return handler(request, *principal);
  };
}

http::BodyGate BearerBodyGate(TokenVerifier& verifier, BearerOptions options) {
  return
      [&verifier, options = std::move(options)](const http::HttpRequest& header) -> std::optional<http::HttpResponse> {
        auto principal = verifier.Verify(header.header("Authorization"), options.clock->Now());
        if (principal.ok()) return std::nullopt;
        return TokenRefusal(principal.error(), options);
      };
}

}  // namespace keywarden::auth
