#include "keywarden/status.h"

namespace keywarden {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "ok";
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kAuthenticationFailed: return "authentication_failed";
    case ErrorCode::kOutOfRange: return "out_of_range";
    case ErrorCode::kWrongKey: return "wrong_key";
    case ErrorCode::kInternal: return "internal";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kAlreadyExists: return "already_exists";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kConflict: return "conflict";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out(ErrorCodeName(code_));
  out += ": ";
  out += message_;
  return out;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  std::string message(context);
  message.append(": ").append(message_);
  return Status(code_, std::move(message));
}

}  // namespace keywarden
