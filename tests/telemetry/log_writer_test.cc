// LogWriter against real pipes: a reader that stalls or vanishes never blocks the logging thread,
// and what is not dropped arrives whole.
#include "telemetry/log_writer.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace keywarden::telemetry {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class Pipe {
 public:
  Pipe() {
    int fds[2];
    ok_ = ::pipe2(fds, O_CLOEXEC) == 0;
    read_ = fds[0];
    write_ = fds[1];
    ::fcntl(write_, F_SETPIPE_SZ, 4096);  // the smallest pipe: it fills after a few lines
  }
  ~Pipe() {
    CloseRead();
    if (write_ >= 0) ::close(write_);
  }
  bool ok() const { return ok_; }
  int write_end() const { return write_; }
  void CloseRead() {
    if (read_ >= 0) ::close(read_);
    read_ = -1;
  }
  // Reads what arrives until nothing has come for `quiet`.
  std::string Drain(std::chrono::milliseconds quiet) {
    std::string got;
    char buffer[8192];
    for (;;) {
      pollfd p{read_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(quiet.count())) <= 0) return got;
      ssize_t n = ::read(read_, buffer, sizeof(buffer));
      if (n <= 0) return got;
      got.append(buffer, static_cast<std::size_t>(n));
    }
  }

 private:
  bool ok_ = false;
  int read_ = -1;
  int write_ = -1;
};

std::string Line(int i) { return "audit line " + std::to_string(i) + std::string(80, '.') + "\n"; }

TEST(LogWriterTest, AStalledReaderCostsDroppedLinesNeverABlockedCaller) {
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  LogWriter writer(pipe.write_end(), 16 * 1024, 50ms);
  constexpr int kLines = 20'000;  // about 1.8 MB, far beyond the pipe and the queue
  const auto start = Clock::now();
  for (int i = 0; i < kLines; ++i) writer.Append(Line(i), /*urgent=*/i % 100 == 0);
  // Blocking on the pipe would never end (nobody reads); 10 s is only a bound for a broken build.
  EXPECT_LT(Clock::now() - start, 10s);
  EXPECT_GT(writer.dropped_lines(), 0u);
  // Once the reader reads again, everything that was kept arrives, in whole lines.
  std::string got;
  std::thread reader([&] { got = pipe.Drain(1000ms); });
  EXPECT_TRUE(writer.Flush(10s));
  reader.join();
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.back(), '\n');
  const auto received = static_cast<std::uint64_t>(std::count(got.begin(), got.end(), '\n'));
  EXPECT_EQ(received + writer.dropped_lines(), static_cast<std::uint64_t>(kLines));
  EXPECT_EQ(got.substr(0, Line(0).size()), Line(0));
}

TEST(LogWriterTest, AVanishedReaderIsAnErrorNotADeadProcess) {
  // SIGPIPE is left at its default, which would end this test binary: the writer must not raise it.
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  pipe.CloseRead();
  LogWriter writer(pipe.write_end(), 1024 * 1024, 50ms);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(writer.Append(Line(i), /*urgent=*/true));
  EXPECT_TRUE(writer.Flush(10s));
  EXPECT_EQ(writer.dropped_lines(), 100u);
}

TEST(LogWriterTest, UrgentLinesAreWrittenAtOnceAuditLinesInBatches) {
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  LogWriter writer(pipe.write_end(), 1024 * 1024, 60s);
  writer.Append("batched\n", /*urgent=*/false);
  EXPECT_EQ(pipe.Drain(300ms), "");  // waits for the batch (60 s here)
  writer.Append("warning\n", /*urgent=*/true);
  EXPECT_EQ(pipe.Drain(2000ms), "batched\nwarning\n");
}

TEST(LogWriterTest, ShutdownGivesUpOnAStalledReaderAfterItsDrainTime) {
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  const auto start = Clock::now();
  {
    LogWriter writer(pipe.write_end(), 1024 * 1024, 50ms);
    for (int i = 0; i < 1000; ++i) writer.Append(Line(i), false);
  }
  EXPECT_LT(Clock::now() - start, LogWriter::kShutdownDrain + 5s);
}

}  // namespace
}  // namespace keywarden::telemetry
