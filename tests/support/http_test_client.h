// A deliberately simple HTTP/1.1 client over a real loopback socket, for API tests: one request
// per connection ("Connection: close"), the whole response read until the server closes.
#ifndef KEYWARDEN_TESTS_SUPPORT_HTTP_TEST_CLIENT_H_
#define KEYWARDEN_TESTS_SUPPORT_HTTP_TEST_CLIENT_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace keywarden::testing {

struct TestResponse {
  int status = 0;                              // 0: no parsable response (connection refused or closed early)
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
  // The body as JSON, or a discarded value when it is not JSON.
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
};

// Sends `raw` bytes as they are and reads until the server closes (or 10 s pass).
TestResponse SendRaw(std::uint16_t port, std::string_view raw);

// A well-formed request. `headers` are sent in order; Host, Content-Length (when a body is given)
// and Connection: close are added.
TestResponse SendRequest(std::uint16_t port, std::string_view method, std::string_view path,
                         const std::vector<std::pair<std::string, std::string>>& headers = {},
                         std::string_view body = {});

}  // namespace keywarden::testing

#endif  // KEYWARDEN_TESTS_SUPPORT_HTTP_TEST_CLIENT_H_
