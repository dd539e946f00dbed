// `keywarden server serve --dev` as the end-to-end tests of the official CLI start it: the
// process, its URL, its test account and the CA its TLS certificate chains to, read from its
// banner; and the small text helpers those tests share.
#ifndef KEYWARDEN_TESTS_E2E_DEV_SERVER_H_
#define KEYWARDEN_TESTS_E2E_DEV_SERVER_H_

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <regex>
#include <span>
#include <string>

#include "e2e/child_process.h"
#include "keywarden/crypto/encoding.h"

namespace keywarden::testing {

struct DevServer {
  ChildProcess process;
  std::string url;
  std::string email;
  std::string password;
  std::string ca_file;
};

inline std::string Capture(const std::string& text, const std::string& pattern) {
  std::smatch match;
  if (std::regex_search(text, match, std::regex(pattern))) return match[1].str();
  return "";
}

// Starts `keywarden server serve --dev` and reads its banner.
inline bool StartDevServer(DevServer& server) {
  const std::uint16_t port = FreePort();
  if (!server.process.Spawn({"server", "serve", "--dev", "--listen", "127.0.0.1:" + std::to_string(port)},
                            ChildEnvironment())) {
    return false;
  }
  if (!server.process.WaitForStdout("bw sync", std::chrono::seconds(60))) {
    ADD_FAILURE() << "no banner; stderr: " << server.process.err();
    return false;
  }
  const std::string banner = server.process.out();
  server.url = Capture(banner, R"(at (https://localhost:\d+))");
  server.email = Capture(banner, R"(test account: (\S+) /)");
  server.password = Capture(banner, R"(test account: \S+ / (\S+))");
  server.ca_file = Capture(banner, R"(NODE_EXTRA_CA_CERTS=(\S+))");
  return !server.url.empty() && !server.email.empty() && !server.password.empty() && !server.ca_file.empty();
}

inline std::string Encode(const nlohmann::json& value) {
  const std::string text = value.dump();
  return Base64Encode(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

inline std::string Trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace keywarden::testing

#endif  // KEYWARDEN_TESTS_E2E_DEV_SERVER_H_
