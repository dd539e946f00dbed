// One mapping from Keywarden's Status codes to HTTP answers, for every API route.
//
//   kInvalidArgument, kOutOfRange  400  the request itself is malformed or out of bounds
//   kAlreadyExists                 400  what the reference Key Connector answers to a second POST
//                                       /user-keys; 409 would change an answer clients already see
//   kUnsupported                   415  well-formed but not supported; the one a request can reach
//                                       today is a body that is not application/json, hence
//                                       "Unsupported Media Type" (not 501, which is for methods)
//   kNotFound                      404
//   kUnavailable                   503  a dependency (database, key provider) cannot be reached now
//   kAuthenticationFailed          500  stored data failed its MAC: the server's fault, not the
//                                       client's (a rejected bearer token answers 401 through
//                                       jose::HttpStatusFor(TokenFailure), not through here)
//   kWrongKey, kInternal           500
//   kOk                            200
// These are exactly the answers of the connector's own mapping
// (connector::HttpStatusFor in user_key_api.cc), which is to switch over to this one.
//
// 5xx answers never carry the Status message, which may name hosts, files or library errors:
// the message is logged and the client gets a fixed text. 4xx answers carry it, since it
// describes the client's own request (a Status message never holds key material).
//
// Thread-safe; no state.
#ifndef KEYWARDEN_HTTP_ERRORS_H_
#define KEYWARDEN_HTTP_ERRORS_H_

#include "http/http_types.h"
#include "keywarden/status.h"

namespace keywarden::http {

// The status code for `status`, as in the table above (200 for OK).
int HttpStatusFor(const Status& status);

// The JSON error answer {"message": ...} for a failed `status`: its own message for a 4xx,
// "internal error" for a 500 and "service unavailable, try again shortly" for a 503, after
// logging the real message (error for a 500, warning for a 503). An OK `status` is a caller's
// bug and answers like kInternal.
HttpResponse ErrorResponse(const Status& status);

}  // namespace keywarden::http

#endif  // KEYWARDEN_HTTP_ERRORS_H_
