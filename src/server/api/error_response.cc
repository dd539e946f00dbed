#include "server/api/error_response.h"

#include <algorithm>
#include <string>

#include <nlohmann/json.hpp>

#include "http/errors.h"

namespace keywarden::server::api {
namespace {

nlohmann::json ErrorBody(std::string_view message, nlohmann::json validation_errors) {
  nlohmann::json body = nlohmann::json::object();
  body["message"] = std::string(message);
  body["validationErrors"] = std::move(validation_errors);
  body["exceptionMessage"] = nullptr;
  body["exceptionStackTrace"] = nullptr;
  body["innerExceptionMessage"] = nullptr;
  body["object"] = "error";
  return body;
}

}  // namespace

http::HttpResponse BadRequest(std::string_view message) { return http::JsonResponse(400, ErrorBody(message, nullptr)); }

http::HttpResponse InvalidField(std::string_view field, std::string_view message) {
  nlohmann::json errors = nlohmann::json::object();
  errors[std::string(field)] = nlohmann::json::array({std::string(message)});
  return http::JsonResponse(400, ErrorBody("The model state is invalid.", std::move(errors)));
}

http::HttpResponse NotFound() { return http::JsonResponse(404, ErrorBody("Resource not found.", nullptr)); }

http::HttpResponse Unauthorized() { return http::JsonResponse(401, ErrorBody("Unauthorized.", nullptr)); }

http::HttpResponse TooManyRequests(long retry_after_seconds) {
  http::HttpResponse response = http::JsonResponse(429, ErrorBody("Too many requests.", nullptr));
  response.headers.emplace_back("Retry-After", std::to_string(std::max(1L, retry_after_seconds)));
  return response;
}

http::HttpResponse FromStatus(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kOutOfRange:
    case ErrorCode::kAlreadyExists: return BadRequest(status.message());
    case ErrorCode::kNotFound: return NotFound();
    // Two requests changed one record at once; the message says to try again.
    case ErrorCode::kConflict: return http::JsonResponse(409, ErrorBody(status.message(), nullptr));
    default: {
      // The shared mapping logs the real message and answers a fixed one; keep its status and
      // text but in the reference's body.
      const http::HttpResponse shared = http::ErrorResponse(status);
      const int code = shared.status >= 500 ? shared.status : 500;
      return http::JsonResponse(
          code, ErrorBody(code == 503 ? "Service unavailable, try again shortly." : "An error has occurred.", nullptr));
    }
  }
}

}  // namespace keywarden::server::api
