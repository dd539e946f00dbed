// Test support: `keywarden server serve --config` as a child process, set up the way an operator
// would: a token-signing key from `keywarden server init`, a TOML file, and over TLS a
// development certificate (http::MakeDevelopmentCertificate) whose CA the clients trust. Plain
// http on loopback when asked (the Key Connector tests). Clients register and log in with the
// crypto of tests/support/client_crypto.h, over the wire like the official clients.
#ifndef KEYWARDEN_TESTS_E2E_SERVER_PROCESS_H_
#define KEYWARDEN_TESTS_E2E_SERVER_PROCESS_H_

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "e2e/child_process.h"
#include "e2e/cli_runner.h"
#include "http/self_signed_certificate.h"
#include "support/http_test_client.h"
#include "support/https_test_client.h"
#include "support/server_client.h"
#include "support/temp_dir.h"

namespace keywarden::testing {

struct ServerProcessOptions {
  bool tls = true;  // false: plain http on 127.0.0.1, which the server allows for loopback only
  std::uint32_t access_token_seconds = 3600;
  std::uint32_t refresh_reuse_grace_seconds = 30;
};

class ServerProcess {
 public:
  ServerProcess() = default;
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Makes the key, certificate and configuration, starts the server and waits until it answers
  // /alive. False, with a test failure naming the step, when any of that fails.
  bool Start(const ServerProcessOptions& options = {}) {
    tls_ = options.tls;
    port_ = FreePort();
    key_file_ = dir_.File("signing-key.pem");
    const CliResult init = RunCli({"server", "init", "--key-file", key_file_});
    if (init.exit_code != 0) {
      ADD_FAILURE() << "keywarden server init: " << init.err;
      return false;
    }
    std::string toml;
    if (tls_) {
      auto certificate = http::MakeDevelopmentCertificate(dir_.path());
      if (!certificate.ok()) {
        ADD_FAILURE() << "development certificate: " << certificate.status().ToString();
        return false;
      }
      ca_file_ = certificate->ca_file;
      url_ = "https://localhost:" + std::to_string(port_);
      toml += "[tls]\ncert_file = \"" + certificate->server.cert_file + "\"\nkey_file = \"" +
              certificate->server.key_file + "\"\n";
    } else {
      url_ = "http://127.0.0.1:" + std::to_string(port_);
    }
    // Top-level keys first, then the sections. The password hash is the cheapest the server
    // allows: every login here pays one.
    toml =
        "public_url = \"" + url_ + "\"\n[listen]\nhost = \"127.0.0.1\"\nport = " + std::to_string(port_) + "\n" + toml;
    toml += "[database]\nsqlite_path = \"" + dir_.File("server.db") + "\"\n";
    toml += "[signing_key]\nkey_file = \"" + key_file_ + "\"\n";
    toml += "[tokens]\naccess_token_seconds = " + std::to_string(options.access_token_seconds) + "\n";
    toml += "refresh_reuse_grace_seconds = " + std::to_string(options.refresh_reuse_grace_seconds) + "\n";
    toml += "[password_hash]\nmemory_kib = 8192\niterations = 1\n";
    toml += "[limits]\nthreads = 2\n";
    const std::string config = dir_.Write("server.toml", toml);

    if (!process_.Spawn({"server", "serve", "--config", config}, ChildEnvironment())) {
      ADD_FAILURE() << "cannot start keywarden server serve";
      return false;
    }
    if (!process_.WaitForStderr("keywarden server listening on", std::chrono::seconds(60))) {
      ADD_FAILURE() << "the server did not start; stderr: " << process_.err();
      return false;
    }
    const TestResponse alive = Send("GET", "/alive");
    if (alive.status != 200) {
      ADD_FAILURE() << "GET /alive: " << alive.status << " " << alive.body;
      return false;
    }
    return true;
  }

  const std::string& url() const { return url_; }            // public_url, the clients' server URL
  const std::string& ca_file() const { return ca_file_; }    // empty without TLS
  const std::string& key_file() const { return key_file_; }  // the token-signing key (PEM)
  // The SQLite file it serves from: tests that need an account the API cannot make (one that
  // single sign-on provisions) write it there, as the in-process fixtures do.
  std::string database_file() const { return dir_.File("server.db"); }
  std::uint16_t port() const { return port_; }
  std::string log() { return process_.err(); }

  // One request to `path` (a JSON body when given), with a bearer token when given.
  TestResponse Send(const std::string& method, const std::string& path, const std::string& body = "",
                    const std::string& token = "") const {
    HttpsCall call;
    call.method = method;
    call.url = url_ + path;
    call.ca_file = ca_file_;
    call.body = body;
    if (!body.empty()) call.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
    if (!token.empty()) call.headers.emplace_back("Authorization", "Bearer " + token);
    return SendHttps(call);
  }
  TestResponse Post(const std::string& path, const nlohmann::json& body, const std::string& token = "") const {
    return Send("POST", path, body.dump(), token);
  }
  // POST /identity/connect/token with `fields`, form-encoded, as the CLI sends them.
  TestResponse Token(const std::vector<std::pair<std::string, std::string>>& fields) const {
    HttpsCall call;
    call.method = "POST";
    call.url = url_ + "/identity/connect/token";
    call.ca_file = ca_file_;
    call.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}, {"Device-Type", "25"}};
    call.body = FormEncode(fields);
    return SendHttps(call);
  }

  // Registers `email` as the web vault does (register/finish with libkeywarden's key
  // hierarchy); the password is "password of <email>".
  TestAccount Register(const std::string& email) const {
    TestAccount account;
    account.email = email;
    account.password = "password of " + email;
    const TestResponse finished = Post("/identity/accounts/register/finish", RegistrationBody(email, account.password));
    EXPECT_EQ(finished.status, 200) << finished.body;
    account.client_hash = ClientHash(email, account.password);
    return account;
  }

  TestResponse PasswordGrant(const TestAccount& account, const std::string& device = "e2e-test") const {
    return Token(PasswordGrantFields(account, device));
  }

  // Registers `email`, logs in with the password grant and reads the account's id.
  TestAccount NewUser(const std::string& email) const {
    TestAccount account = Register(email);
    const TestResponse login = PasswordGrant(account);
    EXPECT_EQ(login.status, 200) << login.body;
    const nlohmann::json body = login.json();
    account.access_token = body.value("access_token", "");
    account.refresh_token = body.value("refresh_token", "");
    const TestResponse profile = Send("GET", "/api/accounts/profile", "", account.access_token);
    EXPECT_EQ(profile.status, 200) << profile.body;
    account.id = profile.json().value("id", "");
    return account;
  }

  // keywarden_http_requests_total for `route` answered with `status`, from GET /metrics (-1 when
  // /metrics cannot be read).
  double RequestCount(const std::string& route, int status) const {
    const TestResponse metrics = Send("GET", "/metrics");
    if (metrics.status != 200) {
      ADD_FAILURE() << "GET /metrics: " << metrics.status << " " << metrics.body;
      return -1;
    }
    const std::string route_label = "route=\"" + route + "\"";
    const std::string status_label = "status=\"" + std::to_string(status) + "\"";
    double total = 0;
    std::istringstream lines(metrics.body);
    for (std::string line; std::getline(lines, line);) {
      if (!line.starts_with("keywarden_http_requests_total{") || line.find(route_label) == std::string::npos ||
          line.find(status_label) == std::string::npos) {
        continue;
      }
      total += std::strtod(line.substr(line.rfind(' ') + 1).c_str(), nullptr);
    }
    return total;
  }

 private:
  TempDir dir_;
  ChildProcess process_;
  bool tls_ = true;
  std::uint16_t port_ = 0;
  std::string url_;
  std::string ca_file_;
  std::string key_file_;
};

// A suite whose tests share one ServerProcess, started before the suite's first test and stopped
// after its last (a test that needs a fresh server starts its own):
//   class AdminCliTest : public SharedServerTest<AdminCliTest> { ... server_->NewUser(...) ... };
template <typename Suite>
class SharedServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServerProcess();
    if (!server_->Start()) {
      delete server_;
      server_ = nullptr;
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(server_, nullptr) << "the server did not start"; }

  static inline ServerProcess* server_ = nullptr;
};

}  // namespace keywarden::testing

#endif  // KEYWARDEN_TESTS_E2E_SERVER_PROCESS_H_
