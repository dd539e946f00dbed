// The plain request and response types the connector's handlers see.
//
// Nothing here depends on the HTTP library: handlers, the router and tests work with these
// values, and only the server's .cc files translate them to and from the wire.
#ifndef KEYWARDEN_HTTP_HTTP_TYPES_H_
#define KEYWARDEN_HTTP_HTTP_TYPES_H_

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace keywarden::http {

struct WebSocketHandler;  // http/websocket.h

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

// The values of the `{name}` segments of the route that matched a request, e.g. orgId and id
// for "/organizations/{orgId}/users/{id}". The router fills them before it calls the handler;
// a request no route matched has none. Values are the segments exactly as sent (no
// percent-decoding: a segment holding "%2F" stays one segment, "%2F" included). Names and
// values are copies, not views into the target or the router, so they stay valid however the
// request is moved or copied (the server moves it to the blocking pool and back).
class PathParams {
 public:
  // The value of parameter `name` (case-sensitive, as written in the route), or "" when the
  // route has no such parameter. A matched parameter is never empty.
  std::string_view Get(std::string_view name) const {
    for (const auto& [param_name, value] : values_) {
      if (param_name == name) return value;
    }
    return {};
  }

  // Records a value; the router calls this, in the order the route names the parameters.
  void Add(std::string name, std::string value) { values_.emplace_back(std::move(name), std::move(value)); }

  std::size_t size() const { return values_.size(); }
  bool empty() const { return values_.empty(); }

 private:
  // A route has a handful of parameters at most: a linear scan beats any map.
  std::vector<std::pair<std::string, std::string>> values_;
};

// `method` as a metrics label or log field: one of the methods RFC 9110 and RFC 5789 define, or
// "other" for anything a client made up, so that no sender can add series or values.
constexpr std::string_view MethodLabel(std::string_view method) {
  constexpr std::string_view kKnown[] = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                         "CONNECT", "OPTIONS", "TRACE", "PATCH"};
  for (std::string_view known : kKnown) {
    if (method == known) return known;
  }
  return "other";
}

struct HttpRequest {
  std::string method;  // "GET", "POST", ... exactly as sent (methods are case-sensitive)
  std::string target;  // the path only, e.g. "/user-keys"; always starts with '/'
  std::string query;   // what followed '?', without it; empty when there was none
  HeaderMap headers;   // repeated fields are joined with ", "
  std::string body;
  std::string client_address;  // the peer's IP address, e.g. "127.0.0.1" or "::1"
  PathParams path_params;      // filled by the router from the matched route's pattern

  // The value of the matched route's `{name}` segment, or "" when the route has none by that name.
  std::string_view path_param(std::string_view name) const { return path_params.Get(name); }

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
  // Set only by AcceptWebSocket() (http/websocket.h), with status 101: a WebSocket route's accept
  // callback accepting the upgrade. The server ignores it on any other route or status.
  std::shared_ptr<const WebSocketHandler> websocket;
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
