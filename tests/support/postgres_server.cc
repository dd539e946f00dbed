#include "support/postgres_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <vector>

#include <gtest/gtest.h>

#include "support/wait.h"

namespace keywarden::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kUser[] = "keywarden";

// Debian keeps the server programs out of PATH, one folder per major version.
std::string FindBinDir() {
  if (const char* dir = std::getenv("KEYWARDEN_POSTGRES_BIN"); dir != nullptr && *dir != '\0') return dir;
  for (int version = 18; version >= 12; --version) {
    const std::string dir = "/usr/lib/postgresql/" + std::to_string(version) + "/bin";
    if (::access((dir + "/initdb").c_str(), X_OK) == 0 && ::access((dir + "/postgres").c_str(), X_OK) == 0) return dir;
  }
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path == nullptr ? "" : path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (::access((dir + "/initdb").c_str(), X_OK) == 0 && ::access((dir + "/postgres").c_str(), X_OK) == 0) return dir;
  }
  return "";
}

std::uint16_t FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof addr;
  std::uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &size) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

std::string RandomPassword() {
  std::random_device random;
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string out;
  for (int i = 0; i < 24; ++i) out.push_back(kAlphabet[random() % (sizeof kAlphabet - 1)]);
  return out;
}

std::string Tail(const std::string& path, std::size_t max = 1500) {
  std::ifstream file(path);
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  return text.size() > max ? text.substr(text.size() - max) : text;
}

struct SpawnOptions {
  std::string log_path;
  std::string cwd;
  bool drop_privileges = false;
  uid_t uid = 0;
  gid_t gid = 0;
  bool die_with_parent = false;
};

// fork + exec without a shell; the child only makes async-signal-safe calls.
Result<pid_t> Spawn(const std::vector<std::string>& args, const SpawnOptions& options) {
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  const int log = ::open(options.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) return UnavailableError("cannot open " + options.log_path);
  if (options.drop_privileges && ::fchown(log, options.uid, options.gid) != 0) {
    ::close(log);
    return UnavailableError("cannot chown " + options.log_path);
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log);
    return UnavailableError("fork failed");
  }
  if (pid == 0) {
    const int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, 0);
    ::dup2(log, 1);
    ::dup2(log, 2);
    if (options.drop_privileges) {
      if (::setgroups(0, nullptr) != 0 || ::setgid(options.gid) != 0 || ::setuid(options.uid) != 0) ::_exit(126);
    }
    // After setuid, which clears it.
    if (options.die_with_parent) {
      ::prctl(PR_SET_PDEATHSIG, SIGQUIT);
      if (::getppid() != parent) ::_exit(125);
    }
    if (!options.cwd.empty() && ::chdir(options.cwd.c_str()) != 0) ::_exit(124);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(log);
  return pid;
}

// Children of `parent`, from /proc.
std::vector<pid_t> ChildrenOf(pid_t parent) {
  std::vector<pid_t> children;
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator("/proc", ignored)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // "pid (comm) state ppid ...": comm may contain spaces, so start after the last ')'.
    const std::size_t close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 1));
    std::string state;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent) children.push_back(static_cast<pid_t>(std::stoi(name)));
  }
  return children;
}

// Whether `pid` has exited: no such process, or a zombie that nobody has reaped yet (a container's
// first process may never reap the orphans it inherits; a zombie holds no shared memory).
bool Exited(pid_t pid) {
  if (::kill(pid, 0) != 0) return true;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  const std::size_t close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

class Connection {
 public:
  explicit Connection(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {}
  ~Connection() { PQfinish(conn_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  Status status() const {
    if (conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK) return OkStatus();
    return UnavailableError(std::string("cannot connect to the test server: ") +
                            (conn_ == nullptr ? "out of memory" : PQerrorMessage(conn_)));
  }
  PGconn* get() const { return conn_; }

 private:
  PGconn* conn_;
};

}  // namespace

Result<std::unique_ptr<PostgresServer>> PostgresServer::Launch() {
  std::unique_ptr<PostgresServer> server(new PostgresServer());
  KW_RETURN_IF_ERROR(server->Initialize());
  return server;
}

PostgresServer* PostgresServer::Shared(std::string* why) {
  static std::once_flag once;
  static std::unique_ptr<PostgresServer> shared;
  static std::string error;
  std::call_once(once, [] {
    auto launched = Launch();
    if (launched.ok()) {
      shared = std::move(launched).value();
    } else {
      error = launched.status().message();
    }
  });
  if (shared == nullptr && why != nullptr) *why = error;
  return shared.get();
}

Status PostgresServer::Initialize() {
  bin_dir_ = FindBinDir();
  if (bin_dir_.empty()) {
    return UnavailableError("PostgreSQL server programs (initdb, postgres) not found; scripts/setup installs them");
  }
  if (::geteuid() == 0) {
    const passwd* user = ::getpwnam("postgres");
    if (user == nullptr) user = ::getpwnam("nobody");
    if (user == nullptr) return UnavailableError("running as root and neither user postgres nor nobody exists");
    drop_privileges_ = true;
    uid_ = user->pw_uid;
    gid_ = user->pw_gid;
    if (::chown(dir_.path().c_str(), uid_, gid_) != 0) return UnavailableError("cannot chown the test folder");
  }

  password_ = RandomPassword();
  const std::string pwfile = dir_.File("pwfile");
  {
    std::ofstream out(pwfile);
    out << password_ << "\n";
  }
  if (drop_privileges_ && ::chown(pwfile.c_str(), uid_, gid_) != 0) return UnavailableError("cannot chown pwfile");

  SpawnOptions spawn{dir_.File("initdb.log"), dir_.path().string(), drop_privileges_, uid_, gid_, false};
  KW_ASSIGN_OR_RETURN(
      pid_t initdb, Spawn({bin_dir_ + "/initdb", "-D", dir_.File("data"), "-U", kUser, "--pwfile=" + pwfile,
                           "--auth-host=scram-sha-256", "--auth-local=trust", "--no-sync", "--no-locale", "-E", "UTF8"},
                          spawn));
  const auto status = WaitForExit(initdb, std::chrono::seconds(60));
  std::filesystem::remove(pwfile);
  if (!status.has_value() || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    if (!status.has_value()) {
      ::kill(initdb, SIGKILL);
      (void)WaitForExit(initdb, std::chrono::seconds(5));
    }
    return UnavailableError("initdb failed: " + Tail(spawn.log_path));
  }

  // A port picked now may be taken before the server binds it: try a few.
  Status started;
  for (int attempt = 0; attempt < 3; ++attempt) {
    port_ = FreeLoopbackPort();
    if (port_ == 0) return UnavailableError("no free loopback port");
    started = Start();
    if (started.ok()) return OkStatus();
  }
  return started;
}

PostgresServer::~PostgresServer() {
  if (!running()) return;
  // Immediate shutdown: the data is deleted next, so the checkpoint of a fast shutdown (seconds,
  // after many CREATE DATABASE) would be wasted.
  ::kill(pid_, SIGQUIT);
  if (!WaitForExit(pid_, std::chrono::seconds(10)).has_value()) Kill9();
}

Status PostgresServer::Start() {
  if (running()) return OkStatus();
  SpawnOptions spawn{dir_.File("server.log"), dir_.path().string(), drop_privileges_, uid_, gid_, true};
  KW_ASSIGN_OR_RETURN(
      pid_, Spawn({bin_dir_ + "/postgres", "-D", dir_.File("data"), "-p", std::to_string(port_), "-k",
                   dir_.path().string(), "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200", "-c",
                   "shared_buffers=16MB", "-c", "logging_collector=off", "-c", "log_min_messages=warning"},
                  spawn));
  const std::string ping = AdminConnInfo("postgres");
  bool exited = false;
  const bool accepting = WaitUntil(
      [&] {
        if (PQping(ping.c_str()) == PQPING_OK) return true;
        int status = 0;
        exited = ::waitpid(pid_, &status, WNOHANG) == pid_;
        return exited;
      },
      std::chrono::seconds(30));
  if (exited) {
    pid_ = 0;
    return UnavailableError("postgres exited at start: " + Tail(spawn.log_path));
  }
  if (accepting) return OkStatus();
  Kill9();
  return UnavailableError("postgres did not accept connections within 30 s: " + Tail(spawn.log_path));
}

Status PostgresServer::Stop() {
  if (!running()) return OkStatus();
  ::kill(pid_, SIGINT);  // fast shutdown
  if (!WaitForExit(pid_, std::chrono::seconds(30)).has_value()) {
    Kill9();
    return UnavailableError("postgres did not stop within 30 s; killed");
  }
  pid_ = 0;
  return OkStatus();
}

void PostgresServer::Kill9() {
  if (!running()) return;
  // Freeze the postmaster so it forks nothing new, then kill its children and it.
  ::kill(pid_, SIGSTOP);
  const std::vector<pid_t> children = ChildrenOf(pid_);
  for (pid_t child : children) ::kill(child, SIGKILL);
  ::kill(pid_, SIGKILL);
  (void)WaitForExit(pid_, std::chrono::seconds(10));
  pid_ = 0;
  // The children are reparented, not ours to reap: wait until they are gone, so that a restart
  // does not find their shared memory still attached.
  const bool gone = WaitUntil(
      [&] {
        for (pid_t child : children) {
          if (!Exited(child)) return false;
        }
        return true;
      },
      std::chrono::seconds(10), std::chrono::milliseconds(5));
  if (!gone) ADD_FAILURE() << "a killed postgres process was still there 10 s after SIGKILL";
}

Status PostgresServer::Pause() {
  if (!running()) return UnavailableError("the test server is not running");
  ::kill(pid_, SIGSTOP);
  for (pid_t child : ChildrenOf(pid_)) ::kill(child, SIGSTOP);
  return OkStatus();
}

Status PostgresServer::Resume() {
  if (!running()) return UnavailableError("the test server is not running");
  for (pid_t child : ChildrenOf(pid_)) ::kill(child, SIGCONT);
  ::kill(pid_, SIGCONT);
  return OkStatus();
}

// Through the Unix socket in our own folder: it can only reach this server (a TCP port picked as
// free might meanwhile belong to another test's server), and it is trusted without a password.
std::string PostgresServer::AdminConnInfo(std::string_view database) const {
  return "host=" + dir_.path().string() + " port=" + std::to_string(port_) + " user=" + kUser +
         " dbname=" + std::string(database) + " connect_timeout=5";
}

std::string PostgresServer::ConnectionString(std::string_view database) const {
  return "Host=127.0.0.1;Port=" + std::to_string(port_) + ";Database=" + std::string(database) + ";Username=" + kUser +
         ";Password=" + password_;
}

std::string PostgresServer::Url(std::string_view database) const {
  return "postgresql://" + std::string(kUser) + ":" + password_ + "@127.0.0.1:" + std::to_string(port_) + "/" +
         std::string(database);
}

Status PostgresServer::Exec(std::string_view database, std::string_view sql) {
  Connection conn(AdminConnInfo(database));
  KW_RETURN_IF_ERROR(conn.status());
  PGresult* result = PQexec(conn.get(), std::string(sql).c_str());
  const ExecStatusType type = PQresultStatus(result);
  std::string error = PQresultErrorMessage(result);
  PQclear(result);
  if (type != PGRES_COMMAND_OK && type != PGRES_TUPLES_OK) return InternalError("test SQL failed: " + error);
  return OkStatus();
}

Result<std::string> PostgresServer::QueryValue(std::string_view database, std::string_view sql) {
  Connection conn(AdminConnInfo(database));
  KW_RETURN_IF_ERROR(conn.status());
  PGresult* result = PQexec(conn.get(), std::string(sql).c_str());
  if (PQresultStatus(result) != PGRES_TUPLES_OK) {
    std::string error = PQresultErrorMessage(result);
    PQclear(result);
    return InternalError("test SQL failed: " + error);
  }
  std::string value = PQntuples(result) > 0 && PQnfields(result) > 0 ? PQgetvalue(result, 0, 0) : "";
  PQclear(result);
  return value;
}

Result<std::string> PostgresServer::CreateDatabase() {
  const std::string name = "kw_test_" + std::to_string(databases_.fetch_add(1) + 1);
  KW_RETURN_IF_ERROR(Exec("postgres", "CREATE DATABASE " + name));
  return name;
}

}  // namespace keywarden::testing
