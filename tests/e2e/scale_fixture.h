// Test support for the scale-out and crash tests: several real `keywarden connector serve`
// processes (on SQLite or on one PostgreSQL database), and a key-writing load generator that
// behaves like a load balancer: it retries a request on the next instance only when the
// connection was refused or dropped without an answer, and remembers, per user, the value the
// last acknowledged write stored and the values of writes whose outcome it never learned.
#ifndef KEYWARDEN_TESTS_E2E_SCALE_FIXTURE_H_
#define KEYWARDEN_TESTS_E2E_SCALE_FIXTURE_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "e2e/deployment_fixture.h"
#include "e2e/service_health.h"
#include "keywarden/crypto/random.h"
#include "support/failure_list.h"
#include "support/postgres_server.h"
#include "support/wait.h"

namespace keywarden::testing {

// What the load generator knows of one user's key. Each user is written by one thread only.
struct UserWrites {
  std::string acked;              // value of the last write answered 200
  std::set<std::string> unknown;  // writes since then whose outcome is unknown (no answer, 503)

  void Attempt(const std::string& value) { unknown.insert(value); }
  void Acked(const std::string& value) {
    acked = value;
    unknown.clear();
  }
  bool Possible(const std::string& value) const { return value == acked || unknown.contains(value); }
};

// Counts and the first few failures of a load run, shared by its threads.
struct LoadTally : FailureList {
  std::atomic<int> ok{0};
  std::atomic<int> retried{0};      // requests sent again to another instance
  std::atomic<int> unavailable{0};  // 503 answers
  std::atomic<int> unanswered{0};   // no answer where no retry was allowed
};

class ScaleTest : public CliDeploymentTest {
 protected:
  struct Instance {
    std::uint16_t port = 0;
    std::string config;
    std::unique_ptr<ChildProcess> process;
  };

  void TearDown() override {
    for (Instance& instance : instances_) {
      if (instance.process) instance.process->Kill();
    }
    CliDeploymentTest::TearDown();
  }

  static std::string RandomKeyText() { return Base64Encode(RandomKey(32)); }

  // A configuration for one more instance on `database_lines` (the [database] table's body).
  Instance& AddInstance(const std::string& database_lines) {
    instances_.reserve(8);  // references handed out stay valid
    Instance& instance = instances_.emplace_back();
    instance.port = FreePort();
    instance.config = dir_.File("instance-" + std::to_string(instances_.size()) + ".toml");
    std::ofstream(instance.config) << "identity_server_uri = \"" << IssuerUri() << "\"\n"
                                   << "listen = \"127.0.0.1:" << instance.port << "\"\n"
                                   << "last_access_flush_seconds = 1\n"
                                   << "[database]\n"
                                   << database_lines << "[rsa_key]\nkey_file = \"" << KeyFile() << "\"\n"
                                   << "[log]\naudit = false\n[limits]\nthreads = 2\n";
    return instance;
  }
  static std::string PostgresLines(PostgresServer& server, const std::string& database) {
    // Short timeouts: the outage tests wait for them.
    return "provider = \"postgresql\"\npostgresql = \"" + server.ConnectionString(database) +
           ";Timeout=2;Command Timeout=2\"\nconnections = 8\n";
  }
  static std::string SqliteLines(const std::string& path) { return "sqlite_path = \"" + path + "\"\n"; }

  static void Spawn(Instance& instance) {
    instance.process = std::make_unique<ChildProcess>();
    ASSERT_TRUE(instance.process->Spawn({"connector", "serve", "--config", instance.config}, ChildEnvironment()));
  }
  // Waits until /health answers 200.
  static void WaitHealthy(Instance& instance) { ASSERT_TRUE(ServesHealth(*instance.process, instance.port)); }
  static void Terminate(Instance& instance) {
    ASSERT_TRUE(instance.process->Signal(SIGTERM));
    const std::optional<int> code = instance.process->WaitExit(std::chrono::seconds(20));
    ASSERT_TRUE(code.has_value()) << "still running 20 s after SIGTERM";
    EXPECT_EQ(*code, 0) << instance.process->err();
  }

  std::vector<std::uint16_t> Ports() const {
    std::vector<std::uint16_t> ports;
    for (const Instance& instance : instances_) ports.push_back(instance.port);
    return ports;
  }

  // One request as a load balancer sends it: starting at ports[first], on to the next instance
  // only when the connection is refused or dropped without an answer (status 0), for up to 10 s.
  // With `retry` false, the first answer (or its absence) is returned as it is.
  static TestResponse Send(const std::vector<std::uint16_t>& ports, std::size_t first, const std::string& method,
                           const Headers& headers, const std::string& body, bool retry, LoadTally& tally) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (std::size_t attempt = 0;; ++attempt) {
      const auto start = std::chrono::steady_clock::now();
      TestResponse response = SendRequest(ports[(first + attempt) % ports.size()], method, "/user-keys", headers, body);
      if (std::chrono::steady_clock::now() - start > std::chrono::seconds(8)) {
        tally.Fail(method + " took more than 8 s (status " + std::to_string(response.status) + ")");
        return response;
      }
      if (response.status != 0 || !retry || std::chrono::steady_clock::now() > deadline) return response;
      tally.retried++;
      if (attempt % ports.size() == ports.size() - 1) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  // Makes `count` users with a first key through ports[0]; returns their ids.
  std::vector<std::string> SeedUsers(int count, std::map<std::string, UserWrites>& writes) {
    std::vector<std::string> users;
    for (int i = 0; i < count; ++i) {
      const std::string user = RandomUserId();
      const std::string key = RandomKeyText();
      const TestResponse r =
          SendRequest(instances_[0].port, "POST", "/user-keys", Auth(user, true), nlohmann::json{{"key", key}}.dump());
      EXPECT_EQ(r.status, 200) << r.body;
      writes[user].Acked(key);
      users.push_back(user);
    }
    return users;
  }

  // `threads` threads, each owning users[t], [t + threads], ...: PUT a new key (GET the last one
  // back in between when `reads`) until `stop` is set. `accept` decides, for an answer other
  // than 200, whether it is allowed (the write's outcome then counts as unknown).
  struct LoadOptions {
    int threads = 4;
    bool reads = true;
    bool retry = true;
    std::function<bool(int status)> accept = [](int) { return false; };
  };
  static void RunLoad(const std::vector<std::uint16_t>& ports, const std::vector<std::string>& users,
                      std::map<std::string, UserWrites>& writes, const LoadOptions& options, std::atomic<bool>& stop,
                      LoadTally& tally) {
    std::vector<std::thread> threads;
    for (int t = 0; t < options.threads; ++t) {
      threads.emplace_back([&, t] {
        std::vector<std::pair<std::string, UserWrites*>> mine;
        const auto step = static_cast<std::size_t>(options.threads);
        for (std::size_t i = static_cast<std::size_t>(t); i < users.size(); i += step) {
          mine.emplace_back(users[i], &writes.at(users[i]));
        }
        std::mt19937 random(static_cast<unsigned>(t) * 7919u + 1);
        while (!stop.load() && !mine.empty()) {
          auto& [user, state] = mine[random() % mine.size()];
          const std::size_t first = random() % ports.size();
          if (options.reads && random() % 2 == 0) {
            const TestResponse r = Send(ports, first, "GET", Auth(user), "", options.retry, tally);
            if (r.status == 200) {
              tally.ok++;
              const std::string key = r.json().value("key", "");
              if (!state->Possible(key)) tally.Fail("GET returned a key never written for " + user);
            } else if (r.status == 0 && !options.retry) {
              tally.unanswered++;
            } else if (!options.accept(r.status)) {
              tally.Fail("GET answered " + std::to_string(r.status) + ": " + r.body);
            } else if (r.status == 503) {
              tally.unavailable++;
            }
            continue;
          }
          const std::string key = RandomKeyText();
          state->Attempt(key);
          const TestResponse r =
              Send(ports, first, "PUT", Auth(user, true), nlohmann::json{{"key", key}}.dump(), options.retry, tally);
          if (r.status == 200) {
            tally.ok++;
            state->Acked(key);
          } else if (r.status == 0 && !options.retry) {
            tally.unanswered++;
          } else if (!options.accept(r.status)) {
            tally.Fail("PUT answered " + std::to_string(r.status) + ": " + r.body);
          } else if (r.status == 503) {
            tally.unavailable++;
          }
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
  }

  // Every user's key reads back through `port` as the last acknowledged write left it (or as a
  // write of unknown outcome after it left it): every row opens.
  void ExpectAllReadBack(std::uint16_t port, const std::map<std::string, UserWrites>& writes) {
    int exact = 0;
    for (const auto& [user, state] : writes) {
      const TestResponse r = SendRequest(port, "GET", "/user-keys", Auth(user));
      ASSERT_EQ(r.status, 200) << user << ": " << r.body;
      const std::string key = r.json().value("key", "");
      EXPECT_TRUE(state.Possible(key)) << user << " reads a key that was never written";
      if (key == state.acked) ++exact;
    }
    RecordProperty("users", static_cast<int>(writes.size()));
    RecordProperty("exact", exact);
  }

  std::vector<Instance> instances_;
};

}  // namespace keywarden::testing

#endif  // KEYWARDEN_TESTS_E2E_SCALE_FIXTURE_H_
