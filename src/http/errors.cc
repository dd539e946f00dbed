#include "http/errors.h"

#include <string>

#include "telemetry/log.h"

namespace keywarden::http {

int HttpStatusFor(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kOk: return 200;
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kOutOfRange:
    case ErrorCode::kAlreadyExists: return 400;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kUnsupported: return 415;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kAuthenticationFailed:
    case ErrorCode::kWrongKey:
    case ErrorCode::kInternal: return 500;
  }
  return 500;  // a code added to ErrorCode but not here: the server's fault until mapped
}

HttpResponse ErrorResponse(const Status& status) {
  if (status.ok()) {
    telemetry::LogError("answering 500: an error response was built from an OK status");
    return JsonError(500, "internal error");
  }
  const int code = HttpStatusFor(status);
  if (code == 503) {
    telemetry::LogWarning("answering 503: " + status.ToString());
    return JsonError(503, "service unavailable, try again shortly");
  }
  if (code >= 500) {
    telemetry::LogError("answering " + std::to_string(code) + ": " + status.ToString());
    return JsonError(code, "internal error");
  }
  return JsonError(code, status.message());
}

}  // namespace keywarden::http
