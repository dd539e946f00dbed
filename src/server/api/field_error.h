// Field errors: a request field that failed validation, and the 400 answer that names it.
//
// The request parsers (vault bodies, account fields) return an ordinary kInvalidArgument Status whose message is one
// sentence with the field's path as its first word, spelt as the reference's model binding
// spells it (PascalCase segments, zero-based indexes):
//
//   "Login.Uris[0].Uri must be an encrypted string ("2.iv|ct|mac") or null."
//   "Name is required."
//
// So the message reads well in a log and to a user (the official CLI prints the first
// validation error's text and nothing else), and the field can still be recovered for the
// reference's `validationErrors` map. A field path starts with an upper-case ASCII letter and
// holds only letters, digits, '.', '[' and ']'; any other message is not a field error.
//
// Thread-safe; no state.
#ifndef KEYWARDEN_SERVER_API_FIELD_ERROR_H_
#define KEYWARDEN_SERVER_API_FIELD_ERROR_H_

#include <optional>
#include <string>
#include <string_view>

#include "http/http_types.h"
#include "keywarden/status.h"

namespace keywarden::server::api {

struct FieldError {
  std::string field;    // "Login.Uris[0].Uri"
  std::string message;  // the whole sentence, field included
};

// kInvalidArgument "<field> <predicate>", e.g. FieldErrorStatus("Name", "is required.").
Status FieldErrorStatus(std::string_view field, std::string_view predicate);

// The field and sentence of a Status made by FieldErrorStatus; nullopt for an OK Status, another
// code, or a message that does not start with a field path.
std::optional<FieldError> AsFieldError(const Status& status);

// The answer to a failed parse: 400 "The model state is invalid." with validationErrors
// {field: [sentence]} for a field error, else api::FromStatus (a 400 with the message for any
// other kInvalidArgument, such as a body that is not a JSON object).
http::HttpResponse RequestErrorResponse(const Status& status);

}  // namespace keywarden::server::api

#endif  // KEYWARDEN_SERVER_API_FIELD_ERROR_H_
