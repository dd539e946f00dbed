// PostgresServer: a real PostgreSQL server for tests, in a temporary folder on a loopback port.
//
// Launch() runs initdb into a TempDir and starts the postmaster on a free 127.0.0.1 port (its
// Unix socket in the same folder), with password (SCRAM) authentication for user "keywarden".
// Each test takes a fresh database from CreateDatabase(), so tests stay independent while
// sharing one server per test program (Shared()); outage and crash tests Launch() their own and
// Stop()/Start()/Kill9() it. The destructor stops the server and deletes the folder; if the
// test program dies, the server is told to quit too (parent-death signal).
//
// initdb and postgres refuse to run as root: as root the server runs as the `postgres` user
// (Debian's package creates it), else `nobody`, with the folder given to that user.
#ifndef KEYWARDEN_TESTS_SUPPORT_POSTGRES_SERVER_H_
#define KEYWARDEN_TESTS_SUPPORT_POSTGRES_SERVER_H_

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "keywarden/status.h"
#include "support/skip.h"
#include "support/temp_dir.h"

namespace keywarden::testing {

class PostgresServer {
 public:
  // A new server of the caller's own. kUnavailable (with the reason) when PostgreSQL is not
  // installed or does not start.
  static Result<std::unique_ptr<PostgresServer>> Launch();
  // The test program's shared server, started on first use; nullptr (and *why) if unavailable.
  // Never Stop() it: other tests use it.
  static PostgresServer* Shared(std::string* why);

  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  std::uint16_t port() const { return port_; }
  bool running() const { return pid_ > 0; }
  // The postmaster's process id while running.
  pid_t pid() const { return pid_; }

  // Creates a new, empty database and returns its name.
  Result<std::string> CreateDatabase();
  // The reference's form: "Host=127.0.0.1;Port=...;Database=...;Username=keywarden;Password=...".
  std::string ConnectionString(std::string_view database) const;
  // The same as a postgresql:// URL.
  std::string Url(std::string_view database) const;

  // Runs SQL as the superuser (tests look at or tamper with a store's tables).
  Status Exec(std::string_view database, std::string_view sql);
  // The first column of the first row as text ("" for NULL or no row).
  Result<std::string> QueryValue(std::string_view database, std::string_view sql);

  // Fast shutdown (clients are disconnected, a checkpoint is written); waits for it.
  Status Stop();
  // Starts again on the same data and port; waits until it accepts connections.
  Status Start();
  // SIGKILL to the postmaster and all its processes, as a crashed machine; Start() recovers.
  void Kill9();
  // SIGSTOP / SIGCONT to the postmaster and all its processes: a server that stops answering
  // without closing anything (a hung machine, a network dropping packets).
  Status Pause();
  Status Resume();

 private:
  PostgresServer() = default;
  Status Initialize();
  std::string AdminConnInfo(std::string_view database) const;

  TempDir dir_;
  std::string bin_dir_;
  std::string password_;
  std::uint16_t port_ = 0;
  pid_t pid_ = 0;
  std::atomic<int> databases_{0};
  // Set when running as root: the unprivileged user the server runs as.
  bool drop_privileges_ = false;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
};

}  // namespace keywarden::testing

// In a test body: `KW_SHARED_POSTGRES_OR_SKIP(server);` declares `server`, the shared server.
// Without PostgreSQL the test is skipped, except in CI, where it fails (support/skip.h).
#define KW_SHARED_POSTGRES_OR_SKIP(server)                                                                     \
  std::string server##_why_;                                                                                   \
  ::keywarden::testing::PostgresServer* server = ::keywarden::testing::PostgresServer::Shared(&server##_why_); \
  if (server == nullptr) KW_SKIP_OR_FAIL_IN_CI(server##_why_)

// The same for a server of the test's own (`std::unique_ptr<PostgresServer> server`).
#define KW_OWN_POSTGRES_OR_SKIP(server)                                                        \
  auto server##_launched_ = ::keywarden::testing::PostgresServer::Launch();                    \
  if (!server##_launched_.ok()) KW_SKIP_OR_FAIL_IN_CI(server##_launched_.status().ToString()); \
  std::unique_ptr<::keywarden::testing::PostgresServer> server = std::move(server##_launched_).value()

#endif  // KEYWARDEN_TESTS_SUPPORT_POSTGRES_SERVER_H_
