// The path of a file below the web vault's folder, taken from a request's target.
//
// The target arrives as sent (the router does no percent-decoding). What comes out is a list of
// plain file names, each safe to open relative to the folder: the only way up or out of the
// folder would be a name the rules below refuse, so no target can reach a file outside it. (Symbolic
// links are the opener's business: static_files.cc never follows one.)
//
// Refused (kInvalidArgument, answered as a 404):
//  - an empty segment ("//", "/a//b"): never produced by a browser, and ambiguous;
//  - a bad percent escape, or one that decodes to '/', '\', NUL or another control character;
//  - ".", ".." and every name starting with '.' ("%2e%2e" is "..", ".git", ".env"): never in a
//    web vault build, often secrets beside one;
//  - more than kMaxSegments segments or kMaxPathBytes bytes.
// One trailing '/' is dropped ("/a/" is "/a"); "/" is no segment at all (the index).
#ifndef KEYWARDEN_SERVER_WEB_VAULT_STATIC_PATH_H_
#define KEYWARDEN_SERVER_WEB_VAULT_STATIC_PATH_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "keywarden/status.h"

namespace keywarden::server::web_vault {

inline constexpr std::size_t kMaxSegments = 16;
inline constexpr std::size_t kMaxPathBytes = 1024;

// `target` (starting with '/', without the query) as decoded file names, outermost first.
Result<std::vector<std::string>> ParseStaticPath(std::string_view target);

}  // namespace keywarden::server::web_vault

#endif  // KEYWARDEN_SERVER_WEB_VAULT_STATIC_PATH_H_
