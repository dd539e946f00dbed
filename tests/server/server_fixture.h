// Test support: a Keywarden server on a loopback port (plain HTTP, a fresh database and signing
// key in a temporary folder), and clients that register and log in the way the official clients
// do, with the key hierarchy computed by libkeywarden.
//
// The database is a SQLite file (ServerTest), or, for suites built on ServerTestOnEachDatabase,
// a SQLite file in one instance of each test and a new database on the test program's shared
// PostgreSQL server in the other (support/postgres_server.h: skipped without PostgreSQL, failed
// in CI), so that every statement the server runs is proven on both dialects.
#ifndef KEYWARDEN_TESTS_SERVER_SERVER_FIXTURE_H_
#define KEYWARDEN_TESTS_SERVER_SERVER_FIXTURE_H_

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "custody/file/file_rsa_key_provider.h"
#include "keywarden/crypto/encoding.h"
#include "net/loopback.h"
#include "server/notifications/push_outbox.h"
#include "server/server_service.h"
#include "server/store/server_database.h"
#include "support/http_test_client.h"
#include "support/postgres_server.h"
#include "support/server_client.h"
#include "support/temp_dir.h"

namespace keywarden::server::testing {

using keywarden::testing::ClientHash;
using keywarden::testing::FormEncode;
using keywarden::testing::KdfJson;
using keywarden::testing::RegistrationBody;
using keywarden::testing::SendRequest;
using keywarden::testing::TestAccount;
using keywarden::testing::TestKdf;
using keywarden::testing::TestResponse;

// Which database a test's server runs on.
enum class TestDatabase { kSqlite, kPostgres };

inline std::string DatabaseName(const ::testing::TestParamInfo<TestDatabase>& info) {
  return info.param == TestDatabase::kSqlite ? "Sqlite" : "Postgres";
}

class ServerTest : public ::testing::Test {
 protected:
  explicit ServerTest(TestDatabase database = TestDatabase::kSqlite) : database_(database) {}

  void SetUp() override { StartServer(); }

  // Starts the server; `adjust` may change the configuration first. A restart keeps the
  // database. Skips the test (fails it in CI) when it needs PostgreSQL and there is none.
  void StartServer(const std::function<void(ServerConfig&)>& adjust = nullptr) {
    // A restart keeps the port, and so the issuer its tokens name.
    const bool restart = config_ != nullptr;
    const std::uint16_t kept_port = restart ? config_->listen.port : 0;
    // A free port can be taken before the server listens on it: outbound connections of other
    // tests get ports from the same range. A first start then moves to another port; a restart
    // waits a moment for its own.
    for (int attempt = 1;; ++attempt) {
      auto port = restart ? Result<std::uint16_t>(kept_port) : net::FreeLoopbackPort();
      ASSERT_TRUE(port.ok());
      config_ = std::make_unique<ServerConfig>();
      config_->listen = {"127.0.0.1", *port};
      config_->public_url = "http://127.0.0.1:" + std::to_string(*port);
      ChooseDatabase(config_->database);
      if (IsSkipped() || HasFatalFailure()) return;
      config_->signing_key.key_file = dir_.File("signing-key.pem");
      if (!std::filesystem::exists(config_->signing_key.key_file)) {
        ASSERT_TRUE(
            custody::CreateKeyFile(config_->signing_key.key_file, custody::KeyFileFormat::kPemPkcs8, nullptr).ok());
      }
      config_->password_hash.memory_kib = 8192;
      config_->password_hash.iterations = 1;
      config_->metrics.sample_seconds = 1;
      if (adjust) adjust(*config_);
      ServerServiceOptions options;
      options.clock = clock_;
      options.hub = hub_options_;
      auto service = ServerService::Start(*config_, options);
      if (service.ok()) {
        service_ = std::move(service).value();
        return;
      }
      const bool port_taken = service.status().message().find("address in use") != std::string::npos;
      ASSERT_TRUE(port_taken && attempt < 5) << service.status().message();
      if (restart) std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }

  void StopServer() { service_.reset(); }

  // Sends the server's mail, in clear text, to the test's SMTP server on `smtp_port`.
  static void MailTo(ServerConfig& c, std::uint16_t smtp_port) {
    c.mail.host = "127.0.0.1";
    c.mail.port = smtp_port;
    c.mail.security = ::keywarden::mail::MailSettings::Security::kNone;
    c.mail.from_address = "keywarden@example.com";
  }

  // The [database] section of this test's database: a SQLite file in the test's folder, or a
  // database of its own on the shared PostgreSQL server, made on first use.
  void ChooseDatabase(config::DatabaseSection& section) {
    section.sqlite_path = dir_.File("server.db");
    if (database_ == TestDatabase::kSqlite) return;
    if (postgres_database_.empty()) {
      KW_SHARED_POSTGRES_OR_SKIP(server);
      auto name = server->CreateDatabase();
      ASSERT_TRUE(name.ok()) << name.status().ToString();
      postgres_ = server;
      postgres_database_ = *name;
    }
    section.provider = config::DatabaseProvider::kPostgresql;
    section.postgresql = postgres_->ConnectionString(postgres_database_);
  }

  std::uint16_t port() const { return config_->listen.port; }

  TestResponse Post(const std::string& path, const nlohmann::json& body, const std::string& token = "") {
    return Send("POST", path, body.dump(), token);
  }
  TestResponse Send(const std::string& method, const std::string& path, const std::string& body = "",
                    const std::string& token = "") {
    return keywarden::testing::SendApi(port(), method, path, body, token);
  }
  TestResponse Token(const std::vector<std::pair<std::string, std::string>>& fields) {
    return keywarden::testing::SendTokenRequest(port(), fields);
  }

  // Registers `email` as the web vault does; the account's password is "password of <email>".
  TestAccount Register(const std::string& email) { return keywarden::testing::RegisterAccount(port(), email); }

  TestResponse PasswordGrant(const TestAccount& account, const std::string& device = "device-1") {
    return keywarden::testing::SendPasswordGrant(port(), account, device);
  }

  // The push notifications queued for `user_id`'s devices, oldest first, read from the database.
  std::vector<notifications::PushNotification> QueuedPushes(const std::string& user_id) {
    std::vector<notifications::PushNotification> queued;
    auto database = OpenServerDatabase(config_->database);
    EXPECT_TRUE(database.ok()) << database.status().ToString();
    if (!database.ok()) return queued;
    const Status read = (*database)->Read([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(queued, notifications::ListQueued(session, user_id));
      return OkStatus();
    });
    EXPECT_TRUE(read.ok()) << read.ToString();
    return queued;
  }

  // Registers and logs in.
  TestAccount NewUser(const std::string& email) {
    TestAccount account = Register(email);
    keywarden::testing::LogIn(port(), account);
    return account;
  }

  const TestDatabase database_;
  keywarden::testing::TempDir dir_;
  keywarden::testing::PostgresServer* postgres_ = nullptr;  // the shared server, for kPostgres
  std::string postgres_database_;
  // The server's clock from the next StartServer() on; a test that moves time sets its own
  // FakeClock (which must outlive the server) and restarts.
  const Clock* clock_ = &Clock::System();
  // The notification hubs' timings from the next StartServer() on.
  notifications::HubOptions hub_options_;
  std::unique_ptr<ServerConfig> config_;
  std::unique_ptr<ServerService> service_;
};

// A suite whose tests run once on SQLite and once on PostgreSQL: declare it with
// `class MyTest : public ServerTestOnEachDatabase {};`, write TEST_P, and instantiate it with
// KW_SERVER_TEST_ON_EACH_DATABASE(MyTest). Test names end in /Sqlite or /Postgres.
class ServerTestOnEachDatabase : public ServerTest, public ::testing::WithParamInterface<TestDatabase> {
 protected:
  ServerTestOnEachDatabase() : ServerTest(GetParam()) {}
};

#define KW_SERVER_TEST_ON_EACH_DATABASE(suite)                                                       \
  INSTANTIATE_TEST_SUITE_P(Database, suite,                                                          \
                           ::testing::Values(::keywarden::server::testing::TestDatabase::kSqlite,    \
                                             ::keywarden::server::testing::TestDatabase::kPostgres), \
                           ::keywarden::server::testing::DatabaseName)

}  // namespace keywarden::server::testing

#endif  // KEYWARDEN_TESTS_SERVER_SERVER_FIXTURE_H_
