// HttpGet: a small synchronous HTTPS client for OIDC discovery and JWKS documents.
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

}  // namespace keywarden::http

#endif  // KEYWARDEN_HTTP_HTTP_CLIENT_H_
