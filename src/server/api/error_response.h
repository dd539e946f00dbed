// The reference server's error answers, which the official clients read.
//
// The API's body (ErrorResponseModel):
//   {"message": "...", "validationErrors": {"Field": ["..."]} | null, "exceptionMessage": null,
//    "exceptionStackTrace": null, "innerExceptionMessage": null, "object": "error"}
// The CLI prints the first validation error when there is one, else `message`.
//
// Which status to use matters more than the text: the official CLI logs the user out on a 401 or
// a 403 from any authenticated call, so "not yours" or "not allowed" is 404 (another user's
// object is simply not found) or 400, never 403; 401 is only for a missing or bad token.
//
// Thread-safe; no state.
#ifndef KEYWARDEN_SERVER_API_ERROR_RESPONSE_H_
#define KEYWARDEN_SERVER_API_ERROR_RESPONSE_H_

#include <string_view>

#include "http/http_types.h"
#include "keywarden/status.h"

namespace keywarden::server::api {

// 400 {"message": message, "validationErrors": null, ...}.
http::HttpResponse BadRequest(std::string_view message);

// 400 "The model state is invalid." with validationErrors {field: [message]}: a malformed field,
// named as the client spells it ("Login.Password", "Name").
http::HttpResponse InvalidField(std::string_view field, std::string_view message);

// 404 "Resource not found.": absent, deleted, or someone else's.
http::HttpResponse NotFound();

// 401 for a missing or refused access token (the only 401 the API gives).
http::HttpResponse Unauthorized();

// 429 "Too many requests." with Retry-After in whole seconds (at least 1).
http::HttpResponse TooManyRequests(long retry_after_seconds);

// A failed Status as the API answers it: kInvalidArgument, kOutOfRange and kAlreadyExists 400
// with its message, kNotFound 404; kUnavailable 503 and anything else 500, with a fixed message
// (the real one goes to the log, never to the client).
http::HttpResponse FromStatus(const Status& status);

}  // namespace keywarden::server::api

#endif  // KEYWARDEN_SERVER_API_ERROR_RESPONSE_H_
