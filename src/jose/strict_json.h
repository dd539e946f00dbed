// JSON as JOSE reads it. Token headers, token payloads, JWKS and discovery documents all follow the
// same rules, because parsers that disagree about a document let a signed one mean two things:
//  - the text is exactly one JSON object (RFC 8259 syntax, nothing after it);
//  - no object, at any depth, repeats a member name;
//  - objects and arrays nest at most kMaxJsonDepth deep, the root included.
//
// Two ways in. ParseJsonObject builds the whole document (JWKS and discovery documents, read once
// per fetch). ReadJsonMembers checks the whole text but keeps only a few named top-level members and
// builds nothing else (a token's header and claims, read on every request with a new token).
// Neither throws; a refusal is kInvalidArgument with a message "<what> <why>".
#ifndef KEYWARDEN_JOSE_STRICT_JSON_H_
#define KEYWARDEN_JOSE_STRICT_JSON_H_

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "keywarden/status.h"

namespace keywarden::jose {

inline constexpr std::size_t kMaxJsonDepth = 32;  // open objects and arrays

Result<nlohmann::json> ParseJsonObject(std::string_view text, std::string_view what);

// One top-level member as ReadJsonMembers found it.
struct JsonMember {
  enum class Type { kAbsent, kNull, kBool, kNumber, kString, kArray, kObject };

  Type type = Type::kAbsent;
  // kString: the value. kArray: those of its elements that are strings, in order.
  std::vector<std::string> strings;
  // kNumber: the value (always finite; integers beyond 2^53 are rounded).
  double number = 0;

  // True when the member is `wanted` or an array with `wanted` among its elements.
  bool Holds(std::string_view wanted) const;
};

// Checks `text` under the rules above and sets members[i] to the top-level member named names[i];
// `members` must be as long as `names`. Other members are checked but not kept.
Status ReadJsonMembers(std::string_view text, std::string_view what, std::span<const std::string_view> names,
                       std::span<JsonMember> members);

}  // namespace keywarden::jose

#endif  // KEYWARDEN_JOSE_STRICT_JSON_H_
