// The server's public HTTP API as the admin command line calls it: JSON requests to
// {server}/api/..., form requests to {server}/identity/..., each answer turned into JSON or into
// one readable Status.
//
// HTTPS, or plain HTTP to a loopback host only (http::HttpSend's rule, the same as the server's
// configuration). How answers become errors, so that every failure is one line naming what to do:
//   400         kConflict "the server refused: <its message or first validation error>"
//   404         kNotFound "not found: <what>" (the server answers 404 for what the caller may not see)
//   401         kAuthenticationFailed "the session is no longer valid: run keywarden admin login"
//   429, 5xx    kUnavailable, with the status
//   unreachable kUnavailable, from the HTTP client
#ifndef KEYWARDEN_CLI_ADMIN_SERVER_API_H_
#define KEYWARDEN_CLI_ADMIN_SERVER_API_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "keywarden/status.h"

namespace keywarden::cli::admin {

using FormFields = std::vector<std::pair<std::string, std::string>>;

class ServerApi {
 public:
  // `server` as the user gave it: "https://host[:port]" (a trailing '/' is dropped).
  ServerApi(std::string server, std::string ca_file);

  const std::string& server() const { return server_; }

  // `method` `path` (from "/api/..." or "/identity/..."), with `body` as JSON when not null and
  // `bearer` as the access token when not empty. A 2xx answer's JSON (null when empty).
  Result<nlohmann::json> Call(std::string_view method, std::string_view path, const nlohmann::json& body,
                              std::string_view bearer) const;

  // POST /identity/connect/token. The token response, or kAuthenticationFailed with the
  // server's reason (wrong password, wrong API key, two-step login required).
  Result<nlohmann::json> Token(const FormFields& fields) const;

 private:
  std::string server_;
  std::string ca_file_;
};

// A URL the admin commands accept as a server: http(s), a host, no path beyond "/", no query.
// Returns it without a trailing '/'.
Result<std::string> NormalizeServerUrl(std::string_view url);

// "a=b&c=d" with RFC 3986 unreserved characters kept and everything else %-encoded.

}  // namespace keywarden::cli::admin

#endif  // KEYWARDEN_CLI_ADMIN_SERVER_API_H_
