// Test support for the tests of the built server: `keywarden server serve --config F` as child
// processes, each with a TOML configuration written into the test's folder (plain HTTP on a free
// loopback port; the database a SQLite file or a PostgreSQL database; a signing key file), and
// the waits for them to answer, with a deadline each.
#ifndef KEYWARDEN_TESTS_E2E_SERVER_PROCESS_FIXTURE_H_
#define KEYWARDEN_TESTS_E2E_SERVER_PROCESS_FIXTURE_H_

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "custody/file/file_rsa_key_provider.h"
#include "e2e/child_process.h"
#include "support/http_test_client.h"
#include "support/postgres_server.h"
#include "support/server_client.h"
#include "support/temp_dir.h"
#include "support/wait.h"

namespace keywarden::testing {

class ServerProcessTest : public ::testing::Test {
 public:
  struct Instance {
    std::uint16_t port = 0;
    std::string config;
    std::unique_ptr<ChildProcess> process;
  };

 protected:
  void TearDown() override {
    for (Instance& instance : instances_) {
      if (instance.process) instance.process->Kill();
    }
  }

  // A new signing key file in the test's folder.
  std::string NewKeyFile(const std::string& name) {
    const std::string path = dir_.File(name);
    EXPECT_TRUE(custody::CreateKeyFile(path, custody::KeyFileFormat::kPemPkcs8, nullptr).ok());
    return path;
  }

  // The body of a [database] table.
  std::string SqliteLines() { return "sqlite_path = \"" + dir_.File("server.db") + "\"\n"; }
  static std::string PostgresLines(PostgresServer& server, const std::string& database) {
    return "provider = \"postgresql\"\npostgresql = \"" + server.ConnectionString(database) + "\"\nconnections = 8\n";
  }

  // A configuration for one more instance. `public_url` is where clients reach it: behind a
  // load balancer every instance has the balancer's, so that each accepts the others' tokens;
  // empty: this instance's own address.
  Instance& AddInstance(const std::string& database_lines, const std::string& key_file,
                        const std::string& public_url = "") {
    instances_.reserve(4);  // references handed out stay valid
    Instance& instance = instances_.emplace_back();
    instance.port = FreePort();
    instance.config = dir_.File("server-" + std::to_string(instances_.size()) + ".toml");
    const std::string url = public_url.empty() ? "http://127.0.0.1:" + std::to_string(instance.port) : public_url;
    std::ofstream(instance.config) << "public_url = \"" << url << "\"\n"
                                   << "[listen]\nhost = \"127.0.0.1\"\nport = " << instance.port << "\n"
                                   << "[database]\n"
                                   << database_lines << "[signing_key]\nkey_file = \"" << key_file << "\"\n"
                                   << "[password_hash]\nmemory_kib = 8192\niterations = 1\n"
                                   << "[log]\naudit = false\n[limits]\nthreads = 4\n"
                                   // A reused refresh token is theft at once: no grace for
                                   // concurrent refreshes, which these tests do not make.
                                   << "[tokens]\nrefresh_reuse_grace_seconds = 0\n";
    return instance;
  }

  // Starts `server serve --config` and waits until /health answers 200 (30 s: ASan builds start
  // slowly).
  static void Spawn(Instance& instance) {
    instance.process = std::make_unique<ChildProcess>();
    ASSERT_TRUE(instance.process->Spawn({"server", "serve", "--config", instance.config}, ChildEnvironment()));
    bool exited = false;
    const bool healthy = WaitUntil(
        [&] {
          if (SendRequest(instance.port, "GET", "/health").status == 200) return true;
          exited = instance.process->WaitExit(std::chrono::milliseconds(0)).has_value();
          return exited;
        },
        std::chrono::seconds(30), std::chrono::milliseconds(20));
    if (exited) {
      FAIL() << "server on " << instance.port << " exited: " << instance.process->err();
    }
    if (!healthy) {
      FAIL() << "no healthy /health within 30 s: " << instance.process->err();
    }
  }

  // Registers and logs in `email` through `instance`.
  static TestAccount NewAccount(const Instance& instance, const std::string& email) {
    TestAccount account = RegisterAccount(instance.port, email);
    LogIn(instance.port, account);
    EXPECT_FALSE(account.id.empty()) << email;
    return account;
  }

  TempDir dir_;
  std::vector<Instance> instances_;
};

}  // namespace keywarden::testing

#endif  // KEYWARDEN_TESTS_E2E_SERVER_PROCESS_FIXTURE_H_
