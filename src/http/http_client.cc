// HttpGet drives Beast's asynchronous operations on a private io_context, one at a time:
// that is the simplest way to put one deadline over resolve, connect, TLS and I/O (the
// synchronous calls have no timeouts).
#include "http/http_client.h"
#include "base/ascii.h"
#include "net/loopback.h"
#include "net/url.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace keywarden::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kMaxResponseHeaderBytes = 64 * 1024;

// Request bodies may carry a password hash or a token.
void WipeBody(std::string& body) {
  if (!body.empty()) OPENSSL_cleanse(body.data(), body.size());
}

std::string Reason(const beast::error_code& ec) {
  if (ec == beast::error::timeout) return "timed out";
  return AsciiLower(ec.message());
}

// The URL as shown in errors: no query string (it could carry something private).
std::string ShownUrl(const net::HttpUrl& url) {
  bool v6 = url.host.find(':') != std::string::npos;
  return std::string(url.https ? "https://" : "http://") + (v6 ? "[" + url.host + "]" : url.host) + ":" +
         std::to_string(url.EffectivePort()) + (url.path.empty() ? "/" : url.path);
}

// Runs the io_context until the operation just started has completed (the stream's expiry
// makes it complete by the deadline).
void RunOne(asio::io_context& io) {
  io.restart();
  io.run();
}

// Connect (endpoints already resolved), optional TLS handshake, request, response.
template <typename Stream>
Result<HttpClientResponse> Exchange(asio::io_context& io, Stream& stream, const tcp::resolver::results_type& endpoints,
                                    const net::HttpUrl& url, const HttpClientRequest& call,
                                    const HttpClientOptions& options, Clock::time_point deadline) {
  const std::string shown = call.method + " " + ShownUrl(url);
  beast::tcp_stream& tcp_layer = beast::get_lowest_layer(stream);
  beast::error_code ec;
  tcp_layer.expires_at(deadline);
  tcp_layer.async_connect(endpoints, [&ec](beast::error_code e, const tcp::endpoint&) { ec = e; });
  RunOne(io);
  if (ec) return UnavailableError(shown + ": cannot connect: " + Reason(ec));

  if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
    stream.async_handshake(asio::ssl::stream_base::client, [&ec](beast::error_code e) { ec = e; });
    RunOne(io);
    if (ec) {
      std::string reason = Reason(ec);
      long verify = SSL_get_verify_result(stream.native_handle());
      if (verify != X509_V_OK) reason = X509_verify_cert_error_string(verify);
      return UnavailableError(shown + ": TLS handshake failed: " + reason);
    }
  }

  bhttp::request<bhttp::string_body> request(bhttp::string_to_verb(call.method), url.RequestTarget(), 11);
  bool default_port = url.EffectivePort() == (url.https ? 443 : 80);
  bool v6 = url.host.find(':') != std::string::npos;
  std::string host = v6 ? "[" + url.host + "]" : url.host;
  request.set(bhttp::field::host, default_port ? host : host + ":" + std::to_string(url.EffectivePort()));
  request.set(bhttp::field::user_agent, "keywarden");
  request.set(bhttp::field::accept, "application/json");
  for (const auto& [name, value] : call.headers) request.set(name, value);
  request.keep_alive(false);
  request.body() = call.body;
  if (!call.body.empty() || call.method != "GET") request.prepare_payload();
  bhttp::async_write(stream, request, [&ec](beast::error_code e, std::size_t) { ec = e; });
  RunOne(io);
  WipeBody(request.body());
  if (ec) return UnavailableError(shown + ": cannot send the request: " + Reason(ec));

  bhttp::response_parser<bhttp::string_body> parser;
  parser.header_limit(kMaxResponseHeaderBytes);
  parser.body_limit(static_cast<std::uint64_t>(options.max_body_bytes));
  beast::flat_buffer buffer;
  bhttp::async_read(stream, buffer, parser, [&ec](beast::error_code e, std::size_t) { ec = e; });
  RunOne(io);
  if (ec == bhttp::error::body_limit) {
    return UnavailableError(shown + ": response body exceeds " + std::to_string(options.max_body_bytes) + " bytes");
  }
  if (ec) return UnavailableError(shown + ": cannot read the response: " + Reason(ec));
  HttpClientResponse response;
  response.status = parser.get().result_int();
  response.content_type = std::string(parser.get()[bhttp::field::content_type]);
  response.body = std::move(parser.get().body());
  return response;
}

}  // namespace

Result<std::string> HttpGet(const std::string& url, const HttpClientOptions& options) {
  HttpClientRequest call;
  call.url = url;
  KW_ASSIGN_OR_RETURN(HttpClientResponse response, HttpSend(call, options));
  if (response.status != 200) {
    // The URL was accepted by HttpSend, so it parses.
    auto parsed = net::ParseHttpUrl(url);
    return UnavailableError("GET " + (parsed.ok() ? ShownUrl(*parsed) : std::string("URL")) + ": HTTP " +
                            std::to_string(response.status));
  }
  return std::move(response.body);
}

Result<HttpClientResponse> HttpSend(const HttpClientRequest& call, const HttpClientOptions& options) {
  if (bhttp::string_to_verb(call.method) == bhttp::verb::unknown) {
    return InvalidArgumentError("unknown HTTP method " + call.method);
  }
  const std::string& url = call.url;
  auto parsed_url = net::ParseHttpUrl(url);
  if (!parsed_url.ok()) return InvalidArgumentError("URL refused: " + parsed_url.status().message());
  const net::HttpUrl& parsed = *parsed_url;
  const std::string shown = call.method + " " + ShownUrl(parsed);
  if (!parsed.https && !options.allow_plain_http && !net::IsLoopbackHost(parsed.host)) {
    return InvalidArgumentError(shown + ": refusing plain http to a non-loopback host; use https");
  }
  Clock::time_point deadline = Clock::now() + options.timeout;

  // Prepare TLS first: a bad CA file is a configuration error, not an outage.
  std::optional<asio::ssl::context> tls;
  if (parsed.https) {
    tls.emplace(asio::ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION);
    tls->set_verify_mode(asio::ssl::verify_peer);
    beast::error_code ec;
    if (options.ca_file) {
      tls->load_verify_file(*options.ca_file, ec);
      if (ec) return InvalidArgumentError("cannot load CA file " + *options.ca_file + ": " + Reason(ec));
    } else {
      tls->set_default_verify_paths(ec);
      if (ec) return InternalError("cannot load the system trust store: " + Reason(ec));
    }
  }

  asio::io_context io;
  tcp::resolver resolver(io);
  beast::error_code ec = asio::error::would_block;
  tcp::resolver::results_type endpoints;
  resolver.async_resolve(parsed.host, std::to_string(parsed.EffectivePort()),
                         [&](beast::error_code e, tcp::resolver::results_type results) {
                           ec = e;
                           endpoints = std::move(results);
                         });
  io.run_until(deadline);
  if (ec == asio::error::would_block) {
    // The system resolver cannot be interrupted: cancel() only discards its eventual answer.
    resolver.cancel();
    return UnavailableError(shown + ": cannot resolve host: timed out");
  }
  if (ec) return UnavailableError(shown + ": cannot resolve host: " + Reason(ec));

  if (!parsed.https) {
    beast::tcp_stream stream(io);
    return Exchange(io, stream, endpoints, parsed, call, options, deadline);
  }
  beast::ssl_stream<beast::tcp_stream> stream(io, *tls);
  SSL* ssl = stream.native_handle();
  beast::error_code not_ip;
  asio::ip::make_address(parsed.host, not_ip);
  if (not_ip) {
    // SNI, and the name the certificate must carry (SAN, or CN without SANs).
    if (SSL_set_tlsext_host_name(ssl, parsed.host.c_str()) != 1 || SSL_set1_host(ssl, parsed.host.c_str()) != 1) {
      return InternalError(shown + ": cannot set the TLS host name");
    }
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  } else if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), parsed.host.c_str()) != 1) {
    return InternalError(shown + ": cannot set the TLS peer address");
  }
  return Exchange(io, stream, endpoints, parsed, call, options, deadline);
}

}  // namespace keywarden::http
