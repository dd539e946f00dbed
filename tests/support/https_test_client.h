// An HTTP client for end-to-end tests of servers that run over TLS (the server under test as a
// process, with its development certificate): libcurl, one request per call, the certificate
// checked against the CA file the test names (no system store), no redirects followed, and a
// deadline on the whole call. Plain http URLs work too (loopback servers without TLS).
#ifndef KEYWARDEN_TESTS_SUPPORT_HTTPS_TEST_CLIENT_H_
#define KEYWARDEN_TESTS_SUPPORT_HTTPS_TEST_CLIENT_H_

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/http_test_client.h"

namespace keywarden::testing {

struct HttpsCall {
  std::string method = "GET";
  std::string url;  // https://localhost:PORT/path or http://127.0.0.1:PORT/path
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string ca_file;  // the PEM CA the server's certificate chains to; empty for plain http
  std::chrono::milliseconds timeout{30'000};
};

// The response (status, lower-cased headers, body). status 0 when no response came (refused,
// TLS failure, timeout); `body` then holds libcurl's reason.
TestResponse SendHttps(const HttpsCall& call);

}  // namespace keywarden::testing

#endif  // KEYWARDEN_TESTS_SUPPORT_HTTPS_TEST_CLIENT_H_
