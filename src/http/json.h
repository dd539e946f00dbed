// JSON request bodies, as every API route reads them.
//
// Bitwarden clients send camelCase field names, but the reference server is ASP.NET, whose
// model binding ignores case, and some clients and scripts rely on that: FindField looks names
// up the same way. Parsing never throws (nlohmann::json with exceptions off); a body that is
// not a JSON object is an InvalidArgument Status, which http::ErrorResponse answers with 400.
//
// Thread-safe; no state.
#ifndef KEYWARDEN_HTTP_JSON_H_
#define KEYWARDEN_HTTP_JSON_H_

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "keywarden/status.h"

namespace keywarden::http {

// `body` parsed as a JSON object. Fails with kInvalidArgument and a message a client can act
// on: "the request body is empty; expected a JSON object", "the request body is not valid
// JSON", "the request body must be a JSON object", "the request body holds a NUL character
// (\u0000)" (no field of any API is binary, and no database text type can hold U+0000).
// Duplicate names keep the last value.
Result<nlohmann::json> ParseJsonObject(std::string_view body);

// The member of `object` named `name`, with ASCII letters compared case-insensitively:
// "masterPasswordHash", "MasterPasswordHash" and "masterpasswordhash" find the same field.
// A member spelt exactly `name` wins; otherwise the first match in the object's (byte-wise
// sorted) member order. nullptr when there is none or `object` is not an object. The value
// may be JSON null: whether that counts as absent is the caller's choice.
const nlohmann::json* FindField(const nlohmann::json& object, std::string_view name);

// `text` as a JSON string, or null when it is empty: how the APIs write an optional text that
// the store keeps as "" (the clients test these fields against null).
inline nlohmann::json NullIfEmpty(const std::string& text) {
  return text.empty() ? nlohmann::json() : nlohmann::json(text);
}

}  // namespace keywarden::http

#endif  // KEYWARDEN_HTTP_JSON_H_
