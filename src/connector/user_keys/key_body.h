// The JSON body of POST and PUT /user-keys: {"key": "<base64>"}.
//
// Read as the reference reads it (property names case-insensitive: "key", "Key", ...), but
// strictly: the content type must be JSON, the body one JSON object, the key a base64 string of
// a plausible size. Every failure is kInvalidArgument with a message fit for the 4xx body, except
// a wrong content type, which is kUnsupported (415).
#ifndef KEYWARDEN_CONNECTOR_USER_KEYS_KEY_BODY_H_
#define KEYWARDEN_CONNECTOR_USER_KEYS_KEY_BODY_H_

#include <string_view>

#include "keywarden/crypto/secure_buffer.h"
#include "keywarden/status.h"

namespace keywarden::connector {

// `content_type` is the request's Content-Type header value ("" when absent).
Result<SecureBuffer> ParseKeyBody(std::string_view content_type, std::string_view body);

}  // namespace keywarden::connector

#endif  // KEYWARDEN_CONNECTOR_USER_KEYS_KEY_BODY_H_
