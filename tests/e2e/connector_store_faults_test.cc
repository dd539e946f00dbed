// The real `keywarden connector serve` when its SQLite database is harmed under it: a file
// deleted while serving, data key rows deleted before a restart, a full disk (a file size limit on
// the process), a database created where one was expected. Nothing is acknowledged that would be
// lost, /health says which part fails in general terms, the reason goes to the log, and a start
// that would lose keys stops with one line saying why.
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "e2e/deployment_fixture.h"

namespace keywarden::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class CliConnectorStoreFaults : public CliDeploymentTest {
 protected:
  TestResponse Put(const std::string& user) {
    return SendRequest(port_, "PUT", "/user-keys", Auth(user, true),
                       nlohmann::json{{"key", Base64Encode(RandomKey(32))}}.dump());
  }
  // A response body a client may see: general words, nothing internal.
  void ExpectGeneral(const TestResponse& response) {
    for (const std::string& internal : {dir_.path().string(), std::string("SQLite"), std::string("sqlite"),
                                        std::string("disk"), std::string("I/O")}) {
      EXPECT_EQ(response.body.find(internal), std::string::npos) << internal << " in " << response.body;
    }
  }
  static void Sql(const std::string& path, const char* sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000);
    EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sql << ": " << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
};

TEST_F(CliConnectorStoreFaults, ADeletedDatabaseIsUnhealthyAndTakesNoWrite) {
  const std::string database = dir_.File("connector.db");
  StartConnector(Config(database, KeyFile()));
  if (HasFatalFailure()) return;
  const std::string user = RandomUserId();
  ASSERT_EQ(Put(user).status, 200);

  fs::remove(database);  // the operator's `rm`; the connector still holds the file open

  const TestResponse health = SendRequest(port_, "GET", "/health");
  EXPECT_EQ(health.status, 503) << health.body;
  EXPECT_EQ(health.json().value("status", ""), "Unhealthy") << health.body;
  EXPECT_EQ(health.json().value("message", ""), "database unavailable") << health.body;
  ExpectGeneral(health);
  const TestResponse put = Put(user);
  EXPECT_EQ(put.status, 503) << put.body;
  EXPECT_TRUE(put.json().contains("message")) << put.body;
  ExpectGeneral(put);
  // The reason is in the log, with the path.
  EXPECT_TRUE(connector_->WaitForStderr("was deleted or moved while in use", 5s)) << connector_->err();
  EXPECT_NE(connector_->err().find(database), std::string::npos) << connector_->err();
}

TEST_F(CliConnectorStoreFaults, DeletedDataKeyRowsStopTheNextStartWithOneLine) {
  const std::string database = dir_.File("connector.db");
  const std::string config = Config(database, KeyFile());
  StartConnector(config);
  if (HasFatalFailure()) return;
  ASSERT_EQ(Put(RandomUserId()).status, 200);
  StopConnector();
  if (HasFatalFailure()) return;
  Sql(database, "DELETE FROM data_key_wrappings; DELETE FROM data_keys");

  ChildProcess child;
  ASSERT_TRUE(child.Spawn({"connector", "serve", "--config", config}, ChildEnvironment()));
  const std::optional<int> code = child.WaitExit(20s);
  ASSERT_TRUE(code.has_value()) << "the connector started on a database whose data key is gone";
  EXPECT_EQ(*code, 1) << child.err();
  const std::string err = child.err();
  ASSERT_FALSE(err.empty());
  EXPECT_EQ(err.find('\n'), err.size() - 1) << err;
  EXPECT_NE(err.find("data key version 1,"), std::string::npos) << err;
  EXPECT_NE(err.find("restore the database from a backup"), std::string::npos) << err;
  // Nothing was minted in its place.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(database.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT count(*) FROM data_key_wrappings", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

// A file size limit on the process fails its writes as a full disk does (EFBIG where ENOSPC
// would be), without root or a small file system to fill.
TEST_F(CliConnectorStoreFaults, AFullDiskIsUnhealthyUntilAWriteSucceedsAgain) {
  const std::string database = dir_.File("connector.db");
  // An ignored SIGXFSZ survives exec: the child's oversized write fails instead of killing it.
  struct sigaction ignore {
  }, previous{};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(::sigaction(SIGXFSZ, &ignore, &previous), 0);
  StartConnector(Config(database, KeyFile()));
  ::sigaction(SIGXFSZ, &previous, nullptr);
  if (HasFatalFailure()) return;
  const std::string user = RandomUserId();
  ASSERT_EQ(Put(user).status, 200);

  // No file of the process may grow: the next commit's WAL frames do not fit.
  const auto wal_size = fs::file_size(database + "-wal");
  rlimit full{static_cast<rlim_t>(wal_size), RLIM_INFINITY};
  if (::prlimit(connector_->pid(), RLIMIT_FSIZE, &full, nullptr) != 0) {
    GTEST_SKIP() << "cannot set the connector's file size limit: " << std::strerror(errno);
  }
  const TestResponse put = Put(user);
  EXPECT_EQ(put.status, 503) << put.body;
  ExpectGeneral(put);
  const TestResponse health = SendRequest(port_, "GET", "/health");
  EXPECT_EQ(health.status, 503) << health.body;
  EXPECT_EQ(health.json().value("message", ""), "database unavailable") << health.body;
  ExpectGeneral(health);
  EXPECT_TRUE(connector_->WaitForStderr("the last write failed", 5s)) << connector_->err();

  // Space again: the next write succeeds and health follows it.
  rlimit room{RLIM_INFINITY, RLIM_INFINITY};
  ASSERT_EQ(::prlimit(connector_->pid(), RLIMIT_FSIZE, &room, nullptr), 0) << std::strerror(errno);
  EXPECT_EQ(SendRequest(port_, "GET", "/health").status, 503) << "healthy before any write succeeded";
  EXPECT_EQ(Put(user).status, 200);
  EXPECT_EQ(SendRequest(port_, "GET", "/health").status, 200);
}

TEST_F(CliConnectorStoreFaults, ANewDatabaseIsAnnouncedOnlyWhenCreated) {
  const std::string database = dir_.File("connector.db");
  const std::string config = Config(database, KeyFile());
  StartConnector(config);
  if (HasFatalFailure()) return;
  EXPECT_TRUE(connector_->WaitForStderr("created a new, empty database at " + database, 5s)) << connector_->err();
  StopConnector();
  if (HasFatalFailure()) return;
  StartConnector(config);
  if (HasFatalFailure()) return;
  // The listening line comes after the one about the database, had there been one.
  EXPECT_TRUE(connector_->WaitForStderr("key connector listening", 5s)) << connector_->err();
  EXPECT_EQ(connector_->err().find("created a new"), std::string::npos) << connector_->err();
  StopConnector();
}

}  // namespace
}  // namespace keywarden::testing
