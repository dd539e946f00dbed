// Test support: the built `keywarden` binary as a long-running child process (a connector under
// test), with its stdout and stderr collected by a reader thread, signals, and a bounded wait
// for its exit; and a free loopback port to give it.
#ifndef KEYWARDEN_TESTS_E2E_CHILD_PROCESS_H_
#define KEYWARDEN_TESTS_E2E_CHILD_PROCESS_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cctype>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "e2e/cli_runner.h"
#include "support/wait.h"

namespace keywarden::testing {

// A loopback port nobody listens on right now (it could be taken in between; unlikely).
inline std::uint16_t FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  const bool ok = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  if (fd >= 0) ::close(fd);
  EXPECT_TRUE(ok) << "cannot find a free port";
  return ok ? ntohs(address.sin_port) : 0;
}

// This process's environment without any connector setting, plus `extra` ("NAME=value").
inline std::vector<std::string> ChildEnvironment(const std::vector<std::string>& extra = {}) {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string text = *entry;
    std::string lower = text.substr(0, text.find('='));
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower.starts_with("keywarden_") || lower.starts_with("keyconnectorsettings__")) continue;
    env.push_back(std::move(text));
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

// Runs `keywarden args...` in `env`, like RunCli but with a chosen environment and no stdin.
inline CliResult RunCliWithEnv(const std::vector<std::string>& args, const std::vector<std::string>& env);

// ---- a child process that keeps running ----

class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess() { Kill(); }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts the CLI (or `program`) with `args` and exactly `env`. Its standard error is collected
  // (err()), or, when `stderr_fd` is given, is that descriptor (a pipe the test controls) and is
  // not collected.
  bool Spawn(const std::vector<std::string>& args, const std::vector<std::string>& env, int stderr_fd = -1,
             const std::string& program = KEYWARDEN_CLI_PATH) {
    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return false;
    if (::pipe2(err, O_CLOEXEC) != 0) {
      ::close(out[0]);
      ::close(out[1]);
      return false;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, stderr_fd >= 0 ? stderr_fd : err[1], 2);
    // A clean signal state: nothing blocked, SIGTERM/SIGINT/SIGPIPE at their defaults (the test
    // runner may ignore SIGPIPE, and an ignored disposition survives exec).
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::vector<std::string> argv_storage = {program};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& arg : argv_storage) argv.push_back(arg.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_storage = env;
    std::vector<char*> envp;
    for (std::string& entry : env_storage) envp.push_back(entry.data());
    envp.push_back(nullptr);

    const int spawned = posix_spawn(&pid_, argv[0], &actions, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(out[1]);
    ::close(err[1]);
    if (spawned != 0) {
      pid_ = -1;
      ::close(out[0]);
      ::close(err[0]);
      return false;
    }
    reader_ = std::thread([this, o = out[0], e = err[0]] { ReadLoop(o, e); });
    return true;
  }

  // Waits until stdout contains `needle` (true), or the child closes it or `timeout` passes.
  bool WaitForStdout(std::string_view needle, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return out_.find(needle) != std::string::npos || eof_; });
    return out_.find(needle) != std::string::npos;
  }
  bool WaitForStderr(std::string_view needle, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return err_.find(needle) != std::string::npos || eof_; });
    return err_.find(needle) != std::string::npos;
  }

  std::string out() {
    std::lock_guard lock(mu_);
    return out_;
  }
  std::string err() {
    std::lock_guard lock(mu_);
    return err_;
  }

  bool Signal(int signal_number) { return pid_ > 0 && !reaped_ && ::kill(pid_, signal_number) == 0; }
  // The child's process id (-1 before Spawn), for calls such as prlimit(2) on it.
  pid_t pid() const { return pid_; }

  // The exit code (-1 if killed by a signal), or nullopt if still running after `timeout`.
  std::optional<int> WaitExit(std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return std::nullopt;
    if (!reaped_) {
      const std::optional<int> status = WaitForExit(pid_, timeout, std::chrono::milliseconds(20));
      if (!status.has_value() || *status == -1) return std::nullopt;
      reaped_ = true;
      exit_code_ = WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
    }
    if (reader_.joinable()) reader_.join();  // the pipes close with the child
    return exit_code_;
  }

  void Kill() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      if (!WaitForExit(pid_, std::chrono::seconds(30)).has_value()) {
        ADD_FAILURE() << KEYWARDEN_CLI_PATH << " (pid " << pid_ << ") was still there 30 s after SIGKILL";
      }
      reaped_ = true;
    }
    if (reader_.joinable()) reader_.join();
  }

 private:
  void ReadLoop(int out_fd, int err_fd) {
    pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
    std::string* sinks[2] = {&out_, &err_};
    while (fds[0].fd >= 0 || fds[1].fd >= 0) {
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      for (int i = 0; i < 2; ++i) {
        if (fds[i].fd < 0 || fds[i].revents == 0) continue;
        char buffer[4096];
        const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
        if (n > 0) {
          std::lock_guard lock(mu_);
          sinks[i]->append(buffer, static_cast<std::size_t>(n));
        } else if (n == 0 || errno != EINTR) {
          ::close(fds[i].fd);
          fds[i].fd = -1;
        }
      }
      cv_.notify_all();
    }
    for (pollfd& p : fds) {
      if (p.fd >= 0) ::close(p.fd);
    }
    {
      std::lock_guard lock(mu_);
      eof_ = true;
    }
    cv_.notify_all();
  }

  pid_t pid_ = -1;
  bool reaped_ = false;
  int exit_code_ = -1;
  std::thread reader_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string out_;
  std::string err_;
  bool eof_ = false;
};

inline CliResult RunCliWithEnv(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  ChildProcess child;
  CliResult result;
  if (!child.Spawn(args, env)) {
    ADD_FAILURE() << "cannot run " << KEYWARDEN_CLI_PATH;
    return result;
  }
  const std::optional<int> code = child.WaitExit(std::chrono::seconds(60));
  EXPECT_TRUE(code.has_value()) << "still running after 60 s";
  result.exit_code = code.value_or(-1);
  result.out = child.out();
  result.err = child.err();
  return result;
}

}  // namespace keywarden::testing

#endif  // KEYWARDEN_TESTS_E2E_CHILD_PROCESS_H_
