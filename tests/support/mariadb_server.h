// MariaDbServer: a real MariaDB server for the tests of one program, in a temporary folder.
//
// mariadb-install-db creates the data folder, mariadbd serves it on a free loopback port and a
// Unix socket inside the folder. Grant tables are on: the tests log in as a user with a
// password (generated at run time, with ';', '=' and a quote in it so that connection strings
// must quote it), who owns every database named kwtest_*. The harness itself administers the
// server as the operating-system user over the socket (unix_socket authentication).
//
// Run as root, the server runs as the unprivileged `mysql` (or `nobody`) user, which owns the
// folder. The server is killed if the test program dies (PR_SET_PDEATHSIG), so call Start()
// from the main thread.
//
// Start-up is tuned for tests (small InnoDB buffer pool and log, no performance schema, no name
// resolution): about a second for install and start together. Durability settings are the
// server's defaults, so a kill -9 loses nothing that was committed.
#ifndef KEYWARDEN_TESTS_SUPPORT_MARIADB_SERVER_H_
#define KEYWARDEN_TESTS_SUPPORT_MARIADB_SERVER_H_

#include <gtest/gtest.h>
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "keywarden/status.h"
#include "support/skip.h"
#include "support/temp_dir.h"

namespace keywarden::testing {

class MariaDbServer {
 public:
  // The program's one server, installed and started on the first call; nullptr when MariaDB is
  // not installed or did not start (UnavailableReason() says why).
  static MariaDbServer* Shared();
  static std::string UnavailableReason();
  // Whether mariadbd and mariadb-install-db are installed (cheap: starts nothing).
  static bool Installed();

  // A server of its own, installed and started.
  static Result<std::unique_ptr<MariaDbServer>> Create();
  // Kills the server and removes its folder.
  ~MariaDbServer();
  MariaDbServer(const MariaDbServer&) = delete;
  MariaDbServer& operator=(const MariaDbServer&) = delete;

  // Clean shutdown (SIGTERM), waiting until the server has exited.
  Status Stop();
  // Starts the server again on the same data folder and port; returns once it answers.
  Status Start();
  // SIGKILL, as a crash; Start() then runs InnoDB's recovery.
  void Kill9();
  // SIGSTOP / SIGCONT: a server that accepts nothing and answers nothing (a stalled host).
  void Pause();
  void Resume();
  bool running() const { return pid_ > 0; }

  std::uint16_t port() const { return port_; }
  std::string socket_path() const;
  const std::string& user() const { return user_; }
  const std::string& password() const { return password_; }

  // A new, empty database the test user owns, with a name unique in this server.
  Result<std::string> CreateDatabase();
  // "Server=127.0.0.1;Port=...;Database=...;Uid=...;Pwd='...'" for `database`.
  std::string ConnectionString(const std::string& database) const;

  // Runs one statement as the administrator.
  Status AdminExec(const std::string& sql);
  // The first column of the first row of `sql` ("" for NULL), as the administrator.
  Result<std::string> AdminQuery(const std::string& sql);

 private:
  MariaDbServer() = default;
  Status Install();
  std::filesystem::path TemplatePath() const;
  Status CopyDataFolder(const std::filesystem::path& from, const std::filesystem::path& to) const;
  Status StartOnce();
  Status WaitUntilReady();
  std::string LogTail() const;

  std::unique_ptr<TempDir> dir_;
  std::string mariadbd_;
  std::string install_db_;
  uid_t run_uid_ = 0;  // the server's user and group, when the tests run as root
  gid_t run_gid_ = 0;
  bool drop_privileges_ = false;
  std::string run_user_;    // the system user mariadbd runs as
  std::string admin_user_;  // the MariaDB account the harness logs in as, over the socket
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  std::string user_ = "keywarden";
  std::string password_;
  int databases_ = 0;
};

}  // namespace keywarden::testing

// Gets the shared server into `server`. When MariaDB is not installed the test is skipped,
// except in CI, where it fails (support/skip.h); it fails wherever MariaDB is installed but the
// server did not start.
#define KW_REQUIRE_MARIADB(server)                                                          \
  ::keywarden::testing::MariaDbServer* server = nullptr;                                    \
  do {                                                                                      \
    if (!::keywarden::testing::MariaDbServer::Installed()) {                                \
      KW_SKIP_OR_FAIL_IN_CI(::keywarden::testing::MariaDbServer::UnavailableReason());      \
    }                                                                                       \
    server = ::keywarden::testing::MariaDbServer::Shared();                                 \
    ASSERT_NE(server, nullptr) << ::keywarden::testing::MariaDbServer::UnavailableReason(); \
  } while (0)

#endif  // KEYWARDEN_TESTS_SUPPORT_MARIADB_SERVER_H_
