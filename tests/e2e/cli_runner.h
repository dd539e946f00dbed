// Test support: runs the built `keywarden` binary (KEYWARDEN_CLI_PATH) as a child process with
// stdin, stdout and stderr on separate pipes, and returns what it printed and its exit code.
#ifndef KEYWARDEN_TESTS_E2E_CLI_RUNNER_H_
#define KEYWARDEN_TESTS_E2E_CLI_RUNNER_H_

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "support/temp_dir.h"
#include "support/wait.h"

extern char** environ;

namespace keywarden::testing {

struct CliResult {
  int exit_code = -1;  // -1 when the child did not exit normally
  std::string out;
  std::string err;
};

// How long one RunCli call may take before the child is killed and the test fails: far beyond
// any verb the tests run (the slowest, key generation under a sanitizer, takes seconds).
inline constexpr std::chrono::seconds kCliDeadline{120};

// Runs `keywarden args...` with `input` on its stdin. A child still running after kCliDeadline
// is killed (exit_code -1) and the test fails, naming the command.
inline CliResult RunCli(const std::vector<std::string>& args, std::string_view input = {}) {
  // A child that exits without reading stdin must not kill the test with SIGPIPE.
  ::signal(SIGPIPE, SIG_IGN);
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe failed";
    return {};
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);

  std::vector<std::string> argv_storage = {KEYWARDEN_CLI_PATH};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);

  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  CliResult result;
  if (spawned != 0) {
    ADD_FAILURE() << "cannot run " << argv[0];
    ::close(in[1]);
    ::close(out[0]);
    ::close(err[0]);
    return result;
  }

  // Feed stdin and drain both outputs together, so no pipe can fill up and stall the child.
  std::size_t written = 0;
  int stdin_fd = in[1];
  if (input.empty()) {
    ::close(stdin_fd);
    stdin_fd = -1;
  }
  pollfd fds[3] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}, {stdin_fd, POLLOUT, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  const auto deadline = std::chrono::steady_clock::now() + kCliDeadline;
  bool killed = false;
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    const int ready = left.count() > 0 ? ::poll(fds, 3, static_cast<int>(left.count())) : 0;
    if (ready == 0) {  // the deadline: stop the child and stop reading (a grandchild may hold the pipes)
      std::string command = "keywarden";
      for (const std::string& arg : args) command += " " + arg;
      ADD_FAILURE() << command << " still running after " << kCliDeadline.count()
                    << " s; killed. stderr so far: " << result.err;
      ::kill(pid, SIGKILL);
      killed = true;
      break;
    }
    if (ready < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[4096];
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
      }
    }
    if (fds[2].fd >= 0 && fds[2].revents != 0) {
      const ssize_t n = ::write(fds[2].fd, input.data() + written, input.size() - written);
      if (n > 0) written += static_cast<std::size_t>(n);
      if ((n < 0 && errno != EINTR) || written == input.size()) {
        ::close(fds[2].fd);
        fds[2].fd = -1;
      }
    }
  }
  for (const pollfd& p : fds) {
    if (p.fd >= 0) ::close(p.fd);
  }
  // The pipes are closed: the child has exited or is exiting (or was killed just now).
  const std::chrono::seconds exit_deadline(killed ? 10 : 30);
  const std::optional<int> status = WaitForExit(pid, exit_deadline);
  if (!status.has_value()) {
    ADD_FAILURE() << "keywarden did not exit within " << exit_deadline.count() << " s of closing its output; killed";
    ::kill(pid, SIGKILL);
    (void)WaitForExit(pid, std::chrono::seconds(10));
  }
  result.exit_code = status.has_value() && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
  return result;
}

// The one JSON object a successful run printed; fails the test on anything else.
inline nlohmann::json SuccessJson(const CliResult& r) {
  EXPECT_EQ(r.exit_code, 0) << "stderr: " << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_FALSE(r.out.empty());
  if (r.out.empty()) return nlohmann::json::object();
  EXPECT_EQ(r.out.back(), '\n');
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << "more than one line on stdout";
  const nlohmann::json json = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(json.is_object()) << r.out;
  return json.is_object() ? json : nlohmann::json::object();
}

// Runs a verb that must succeed and returns its JSON.
inline nlohmann::json RunOk(const std::vector<std::string>& args, std::string_view input = {}) {
  return SuccessJson(RunCli(args, input));
}

// A temporary file with `content`, in a TempDir of its own; removed when the object goes.
class TempFile {
 public:
  explicit TempFile(std::string_view content) : path_(dir_.Write("file", content)) {
    std::error_code error;
    const auto size = std::filesystem::file_size(path_, error);
    if (error || size != content.size()) ADD_FAILURE() << "cannot write " << path_;
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::string& path() const { return path_; }
  std::string arg() const { return "@" + path_; }

 private:
  TempDir dir_;
  std::string path_;
};

}  // namespace keywarden::testing

#endif  // KEYWARDEN_TESTS_E2E_CLI_RUNNER_H_
