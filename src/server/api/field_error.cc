#include "server/api/field_error.h"

#include <algorithm>

#include "server/api/error_response.h"

namespace keywarden::server::api {
namespace {

bool IsFieldPath(std::string_view text) {
  if (text.empty() || text.front() < 'A' || text.front() > 'Z') return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '[' ||
           c == ']';
  });
}

}  // namespace

Status FieldErrorStatus(std::string_view field, std::string_view predicate) {
  std::string message;
  message.reserve(field.size() + 1 + predicate.size());
  message.append(field).append(" ").append(predicate);
  return InvalidArgumentError(std::move(message));
}

std::optional<FieldError> AsFieldError(const Status& status) {
  if (status.code() != ErrorCode::kInvalidArgument) return std::nullopt;
  const std::string& message = status.message();
  const std::size_t space = message.find(' ');
  if (space == std::string::npos) return std::nullopt;
  const std::string_view field = std::string_view(message).substr(0, space);
  if (!IsFieldPath(field)) return std::nullopt;
  return FieldError{std::string(field), message};
}

http::HttpResponse RequestErrorResponse(const Status& status) {
  if (auto field_error = AsFieldError(status)) return InvalidField(field_error->field, field_error->message);
  return api::FromStatus(status);
}

}  // namespace keywarden::server::api
