// The plain request and response types the connector's handlers see.
//
// Nothing here depends on the HTTP library: handlers, the router and tests work with these
// values, and only the server's .cc files translate them to and from the wire.
#ifndef KEYWARDEN_HTTP_HTTP_TYPES_H_
#define KEYWARDEN_HTTP_HTTP_TYPES_H_

#include <algorithm>
#include <cctype>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace keywarden::http {

// Orders header names case-insensitively (HTTP field names are case-insensitive), and allows
// lookups by std::string_view.
struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
      return std::tolower(static_cast<unsigned char>(x)) < std::tolower(static_cast<unsigned char>(y));
    });
  }
};

using HeaderMap = std::map<std::string, std::string, CaseInsensitiveLess>;

struct HttpRequest {
  std::string method;          // "GET", "POST", ... exactly as sent (methods are case-sensitive)
  std::string target;          // the path only, e.g. "/user-keys"; always starts with '/'
  std::string query;           // what followed '?', without it; empty when there was none
  HeaderMap headers;           // repeated fields are joined with ", "
  std::string body;
  std::string client_address;  // the peer's IP address, e.g. "127.0.0.1" or "::1"

  // The header's value, or "" when absent.
  std::string_view header(std::string_view name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string_view() : std::string_view(it->second);
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type;  // the server sends "text/plain; charset=utf-8" when left empty
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra fields, sent in order
};

inline constexpr std::string_view kJsonContentType = "application/json; charset=utf-8";

// `value` serialised as the body, with the JSON content type.
inline HttpResponse JsonResponse(int status, const nlohmann::json& value) {
  HttpResponse response;
  response.status = status;
  response.content_type = std::string(kJsonContentType);
  // Replace invalid UTF-8 rather than throw: a response must always be producible.
  response.body = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

// The error body every non-2xx answer uses: {"message": "..."} (camelCase, like the reference).
inline HttpResponse JsonError(int status, std::string_view message) {
  return JsonResponse(status, nlohmann::json{{"message", std::string(message)}});
}

}  // namespace keywarden::http

#endif  // KEYWARDEN_HTTP_HTTP_TYPES_H_
