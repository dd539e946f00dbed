// HttpGet: a small synchronous HTTPS client for OIDC discovery and JWKS documents; HttpSend,
// the same client for any method, headers and body (the admin command line's API calls).
//
// Secure by default: https with certificate and host-name verification (SNI set), TLS 1.2+.
// Plain http is refused unless allowed explicitly or the host is loopback (local test
// identity servers). Every call is bounded by one overall timeout and a body size limit,
// and never follows redirects.
#ifndef KEYWARDEN_HTTP_HTTP_CLIENT_H_
#define KEYWARDEN_HTTP_HTTP_CLIENT_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "keywarden/status.h"

namespace keywarden::http {

struct HttpClientOptions {
  // The whole call: resolve, connect, TLS, request, response. (A hung DNS lookup can only be
  // abandoned when the system resolver gives up, so host names can overrun it; literals cannot.)
  std::chrono::milliseconds timeout{5'000};
  std::size_t max_body_bytes = std::size_t{1024} * 1024;
  bool allow_plain_http = false;       // loopback hosts may always use http
  std::optional<std::string> ca_file;  // PEM trust anchors; default: the system store
};

// The body of a 200 response. A non-200 status is kUnavailable "GET <url>: HTTP 404";
// connection, TLS and timeout failures are kUnavailable with the reason; a refused URL is
// kInvalidArgument (net::ParseHttpUrl's rules).
Result<std::string> HttpGet(const std::string& url, const HttpClientOptions& options);

struct HttpClientRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // Host, User-Agent and Content-Length are set
  std::string body;
};

struct HttpClientResponse {
  unsigned status = 0;
  std::string content_type;
  std::string body;
};

// One request and its response, whatever the status: the caller reads the status. Failures to
// talk to the server (and refused URLs) are reported as HttpGet reports them.
Result<HttpClientResponse> HttpSend(const HttpClientRequest& request, const HttpClientOptions& options);

}  // namespace keywarden::http

#endif  // KEYWARDEN_HTTP_HTTP_CLIENT_H_
