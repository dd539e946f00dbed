#include "support/mariadb_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <mysql.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <sstream>
#include <vector>

#include "keywarden/crypto/random.h"
#include "support/wait.h"

namespace keywarden::testing {
namespace {

namespace fs = std::filesystem;

// The first executable `name` on PATH or in the sbin folders, which a normal user's PATH lacks.
std::string FindProgram(const std::string& name) {
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH"); path != nullptr) {
    std::stringstream stream(path);
    for (std::string dir; std::getline(stream, dir, ':');) {
      if (!dir.empty()) dirs.push_back(dir);
    }
  }
  for (const char* dir : {"/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin"}) dirs.emplace_back(dir);
  for (const std::string& dir : dirs) {
    const std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

std::string Quote(std::string_view text, char quote) {
  std::string out(1, quote);
  for (char c : text) {
    out.push_back(c);
    if (c == quote) out.push_back(quote);
  }
  out.push_back(quote);
  return out;
}

Result<std::uint16_t> FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return InternalError("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  ::close(fd);
  if (!ok) return InternalError("cannot find a free loopback port");
  return ntohs(address.sin_port);
}

std::string ReadTail(const std::string& path, std::size_t bytes) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.size() > bytes) text = text.substr(text.size() - bytes);
  for (char& c : text) {
    if (c == '\n') c = '|';
  }
  return text;
}

// The settings both mariadb-install-db (its bootstrap server) and mariadbd get. Small and quick
// to start; durability stays at the server's defaults.
const std::vector<std::string>& TuningArguments() {
  static const std::vector<std::string> arguments = {
      "--skip-name-resolve",           "--performance-schema=OFF",
      "--innodb-buffer-pool-size=16M", "--innodb-log-file-size=4M",
      "--innodb-use-native-aio=0",  // io_uring and libaio are often blocked in containers
  };
  return arguments;
}

}  // namespace

bool MariaDbServer::Installed() {
  return !FindProgram("mariadbd").empty() && !FindProgram("mariadb-install-db").empty();
}

namespace {

struct SharedServer {
  std::unique_ptr<MariaDbServer> server;
  std::string reason;
};

SharedServer& TheSharedServer() {
  static SharedServer shared;
  static std::once_flag once;
  std::call_once(once, [] {
    if (!MariaDbServer::Installed()) {
      shared.reason = "MariaDB is not installed (mariadbd, mariadb-install-db; Debian: apt-get install mariadb-server)";
      return;
    }
    auto server = MariaDbServer::Create();
    if (server.ok()) {
      shared.server = std::move(*server);
    } else {
      shared.reason = "MariaDB test server did not start: " + server.status().message();
    }
  });
  return shared;
}

}  // namespace

MariaDbServer* MariaDbServer::Shared() { return TheSharedServer().server.get(); }
std::string MariaDbServer::UnavailableReason() { return TheSharedServer().reason; }

Result<std::unique_ptr<MariaDbServer>> MariaDbServer::Create() {
  std::unique_ptr<MariaDbServer> server(new MariaDbServer());
  server->mariadbd_ = FindProgram("mariadbd");
  server->install_db_ = FindProgram("mariadb-install-db");
  if (server->mariadbd_.empty() || server->install_db_.empty()) return UnavailableError("MariaDB is not installed");
  mysql_library_init(0, nullptr, nullptr);

  server->dir_ = std::make_unique<TempDir>();
  if (::geteuid() == 0) {
    // mariadbd will not run as root; hand it the folder and an unprivileged user.
    const passwd* account = ::getpwnam("mysql");
    if (account == nullptr) account = ::getpwnam("nobody");
    if (account == nullptr) return InternalError("no unprivileged user (mysql or nobody) to run mariadbd as");
    server->drop_privileges_ = true;
    server->run_uid_ = account->pw_uid;
    server->run_gid_ = account->pw_gid;
    server->run_user_ = account->pw_name;
    server->admin_user_ = "root";
    if (::chown(server->dir_->path().c_str(), server->run_uid_, server->run_gid_) != 0) {
      return InternalError("cannot hand the test folder to " + server->run_user_);
    }
  } else {
    const passwd* account = ::getpwuid(::geteuid());
    if (account == nullptr) return InternalError("the current user has no name (unix_socket login needs one)");
    server->run_user_ = account->pw_name;
    server->admin_user_ = account->pw_name;
  }

  std::uint8_t random[12];
  KW_RETURN_IF_ERROR(RandomBytes(random));
  static constexpr char kHex[] = "0123456789abcdef";
  server->password_ = "Kw;'= ";  // characters a connection string must quote
  for (std::uint8_t byte : random) {
    server->password_.push_back(kHex[byte >> 4]);
    server->password_.push_back(kHex[byte & 15]);
  }

  KW_RETURN_IF_ERROR(server->Install());
  KW_RETURN_IF_ERROR(server->Start());
  for (const char* host : {"127.0.0.1", "localhost"}) {
    const std::string account = "'" + server->user_ + "'@'" + host + "'";
    KW_RETURN_IF_ERROR(
        server->AdminExec("CREATE USER " + account + " IDENTIFIED BY " + Quote(server->password_, '\'')));
    KW_RETURN_IF_ERROR(server->AdminExec("GRANT ALL PRIVILEGES ON `kwtest\\_%`.* TO " + account));
  }
  return server;
}

MariaDbServer::~MariaDbServer() { Kill9(); }

std::string MariaDbServer::socket_path() const { return dir_->File("mysqld.sock"); }

namespace {

// Forks and execs `argv` with output to `log`, as `uid`/`gid` when `drop` is set. The child dies
// with the calling thread's process (PR_SET_PDEATHSIG, set after the user change that clears it).
Result<pid_t> Spawn(const std::vector<std::string>& argv, const std::string& cwd, const std::string& log, bool drop,
                    uid_t uid, gid_t gid) {
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out < 0) return InternalError("cannot open " + log);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(out);
    return InternalError("fork failed");
  }
  if (pid == 0) {
    const int in = ::open("/dev/null", O_RDONLY);
    if (in < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(out, 2) < 0 || ::chdir(cwd.c_str()) != 0)
      _exit(120);
    if (drop && (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0)) _exit(121);
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) _exit(122);
    ::execv(args[0], args.data());
    _exit(127);
  }
  ::close(out);
  return pid;
}

}  // namespace

Status MariaDbServer::Install() {
  // A temporary folder of its own: bootstraps running at once collide in a shared /tmp.
  std::error_code error;
  fs::create_directory(dir_->File("tmp"), error);
  if (error || (drop_privileges_ && ::chown(dir_->File("tmp").c_str(), run_uid_, run_gid_) != 0)) {
    return InternalError("cannot create the server's temporary folder");
  }
  const fs::path data = dir_->File("data");

  // Every test program of a run needs the same freshly installed data folder: the first one
  // keeps a copy (staged, then renamed into place, so it is whole or absent), and the others
  // copy it in a few milliseconds instead of running mariadb-install-db for half a second.
  const fs::path cached = TemplatePath();
  if (fs::is_directory(cached / "data", error)) {
    if (CopyDataFolder(cached / "data", data).ok()) return OkStatus();
    fs::remove_all(data, error);
  }

  std::vector<std::string> argv = {install_db_,
                                   "--no-defaults",
                                   "--datadir=" + data.string(),
                                   "--tmpdir=" + dir_->File("tmp"),
                                   "--skip-test-db",
                                   "--auth-root-socket-user=" + run_user_};
  argv.insert(argv.end(), TuningArguments().begin(), TuningArguments().end());
  const std::string log = dir_->File("install.log");
  KW_ASSIGN_OR_RETURN(pid_t pid, Spawn(argv, dir_->path().string(), log, drop_privileges_, run_uid_, run_gid_));
  const std::optional<int> status = WaitForExit(pid, std::chrono::seconds(120));
  if (!status.has_value()) {
    ::kill(pid, SIGKILL);
    (void)WaitForExit(pid, std::chrono::seconds(10));
    return InternalError("mariadb-install-db did not finish within 120 s: " + ReadTail(log, 800));
  }
  if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    return InternalError("mariadb-install-db failed: " + ReadTail(log, 800));
  }

  const fs::path staging = cached.string() + ".tmp-" + std::to_string(::getpid());
  fs::create_directory(staging, error);
  fs::copy(data, staging / "data", fs::copy_options::recursive, error);
  if (error) {
    fs::remove_all(staging, error);
  } else {
    fs::rename(staging, cached, error);  // fails when another program was first: keep theirs
    if (error) fs::remove_all(staging, error);
  }
  return OkStatus();
}

// Named after everything that shapes an installed data folder: the server binary, the
// arguments, and who runs it.
fs::path MariaDbServer::TemplatePath() const {
  std::error_code error;
  const auto size = fs::file_size(mariadbd_, error);
  const auto modified = fs::last_write_time(mariadbd_, error).time_since_epoch().count();
  std::string key = mariadbd_ + ":" + std::to_string(size) + ":" + std::to_string(modified) + ":" + run_user_;
  for (const std::string& argument : TuningArguments()) key += ":" + argument;
  char name[64];
  std::snprintf(name, sizeof name, "keywarden-mariadb-%u-%016zx", static_cast<unsigned>(::geteuid()),
                std::hash<std::string>{}(key));
  return fs::temp_directory_path() / name;
}

Status MariaDbServer::CopyDataFolder(const fs::path& from, const fs::path& to) const {
  std::error_code error;
  fs::copy(from, to, fs::copy_options::recursive, error);
  if (error) return InternalError("cannot copy the MariaDB data folder template");
  if (!drop_privileges_) return OkStatus();
  // Copied by root: hand everything to the server's user.
  if (::lchown(to.c_str(), run_uid_, run_gid_) != 0) return InternalError("cannot hand the data folder over");
  for (const auto& entry : fs::recursive_directory_iterator(to, error)) {
    if (::lchown(entry.path().c_str(), run_uid_, run_gid_) != 0)
      return InternalError("cannot hand the data folder over");
  }
  return error ? InternalError("cannot list the data folder") : OkStatus();
}

Status MariaDbServer::Start() {
  if (pid_ > 0) return OkStatus();
  const bool first = port_ == 0;
  for (int attempt = 0;; ++attempt) {
    if (first) {
      KW_ASSIGN_OR_RETURN(port_, FreeLoopbackPort());
    }
    Status started = StartOnce();
    // Another process may have taken the port between our probe and the server's bind.
    if (started.ok() || !first || attempt == 2 || started.message().find("port") == std::string::npos) return started;
  }
}

Status MariaDbServer::StartOnce() {
  std::vector<std::string> argv = {mariadbd_,
                                   "--no-defaults",
                                   "--datadir=" + dir_->File("data"),
                                   "--socket=" + socket_path(),
                                   "--port=" + std::to_string(port_),
                                   "--bind-address=127.0.0.1",
                                   "--pid-file=" + dir_->File("mysqld.pid"),
                                   "--log-error=" + dir_->File("error.log"),
                                   "--tmpdir=" + dir_->File("tmp"),
                                   "--innodb-temp-data-file-path=ibtmp1:1M:autoextend"};
  argv.insert(argv.end(), TuningArguments().begin(), TuningArguments().end());
  KW_ASSIGN_OR_RETURN(
      pid_, Spawn(argv, dir_->path().string(), dir_->File("server.log"), drop_privileges_, run_uid_, run_gid_));
  return WaitUntilReady();
}

Status MariaDbServer::WaitUntilReady() {
  bool exited = false;
  const bool answered = WaitUntil(
      [&] {
        int status = 0;
        exited = ::waitpid(pid_, &status, WNOHANG) == pid_;
        return exited || AdminQuery("SELECT 1").ok();
      },
      std::chrono::seconds(60));
  if (exited) {
    pid_ = -1;
    return InternalError("mariadbd exited during start-up: " + LogTail());
  }
  if (!answered) {
    Kill9();
    return InternalError("mariadbd did not answer within 60 s: " + LogTail());
  }
  return OkStatus();
}

std::string MariaDbServer::LogTail() const { return ReadTail(dir_->File("error.log"), 800); }

Status MariaDbServer::Stop() {
  if (pid_ <= 0) return OkStatus();
  ::kill(pid_, SIGCONT);  // a paused server cannot shut down
  ::kill(pid_, SIGTERM);
  if (!WaitForExit(pid_, std::chrono::seconds(60)).has_value()) {
    Kill9();
    return InternalError("mariadbd did not shut down within 60 s");
  }
  pid_ = -1;
  return OkStatus();
}

void MariaDbServer::Kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  if (!WaitForExit(pid_, std::chrono::seconds(30)).has_value()) {
    ADD_FAILURE() << "mariadbd (pid " << pid_ << ") was still there 30 s after SIGKILL";
  }
  pid_ = -1;
}

void MariaDbServer::Pause() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGSTOP);
  // kill() returns before the process has stopped; wait until it has (state 'T').
  const std::string stat_path = "/proc/" + std::to_string(pid_) + "/stat";
  const bool stopped = WaitUntil(
      [&] {
        std::ifstream stat(stat_path);
        std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
        const auto paren = text.rfind(')');
        return paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] == 'T';
      },
      std::chrono::seconds(10), std::chrono::milliseconds(1));
  if (!stopped) ADD_FAILURE() << "mariadbd (pid " << pid_ << ") did not stop within 10 s of SIGSTOP";
}

void MariaDbServer::Resume() {
  if (pid_ > 0) ::kill(pid_, SIGCONT);
}

Result<std::string> MariaDbServer::CreateDatabase() {
  const std::string name = "kwtest_" + std::to_string(++databases_);
  KW_RETURN_IF_ERROR(AdminExec("CREATE DATABASE `" + name + "`"));
  return name;
}

std::string MariaDbServer::ConnectionString(const std::string& database) const {
  return "Server=127.0.0.1;Port=" + std::to_string(port_) + ";Database=" + database + ";Uid=" + user_ +
         ";Pwd=" + Quote(password_, '\'');
}

namespace {

// One administrator connection over the socket, closed when it goes.
class AdminConnection {
 public:
  AdminConnection() : mysql_(mysql_init(nullptr)) {}
  ~AdminConnection() { mysql_close(mysql_); }
  AdminConnection(const AdminConnection&) = delete;
  AdminConnection& operator=(const AdminConnection&) = delete;

  Status Connect(const std::string& socket, const std::string& user) {
    const unsigned int protocol = MYSQL_PROTOCOL_SOCKET;
    const unsigned int connect_timeout = 2;
    const unsigned int read_timeout = 30;
    mysql_optionsv(mysql_, MYSQL_OPT_PROTOCOL, &protocol);
    mysql_optionsv(mysql_, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
    mysql_optionsv(mysql_, MYSQL_OPT_READ_TIMEOUT, &read_timeout);
    if (mysql_real_connect(mysql_, "localhost", user.c_str(), nullptr, nullptr, 0, socket.c_str(), 0) == nullptr) {
      return UnavailableError(std::string("admin login failed: ") + mysql_error(mysql_));
    }
    return OkStatus();
  }

  Result<std::string> Query(const std::string& sql) {
    if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) {
      return InternalError("admin statement failed: " + sql + ": " + mysql_error(mysql_));
    }
    MYSQL_RES* result = mysql_store_result(mysql_);
    if (result == nullptr) return std::string();
    std::string value;
    if (MYSQL_ROW row = mysql_fetch_row(result); row != nullptr && mysql_num_fields(result) > 0 && row[0] != nullptr) {
      value = std::string(row[0], mysql_fetch_lengths(result)[0]);
    }
    mysql_free_result(result);
    return value;
  }

 private:
  MYSQL* mysql_;
};

}  // namespace

Status MariaDbServer::AdminExec(const std::string& sql) { return AdminQuery(sql).status(); }

Result<std::string> MariaDbServer::AdminQuery(const std::string& sql) {
  AdminConnection admin;
  KW_RETURN_IF_ERROR(admin.Connect(socket_path(), admin_user_));
  return admin.Query(sql);
}

}  // namespace keywarden::testing
