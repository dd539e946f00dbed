#include "telemetry/log_writer.h"

#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace keywarden::telemetry {
namespace {

constexpr std::size_t kBatchBytes = std::size_t{32} * 1024;
constexpr int kPollMs = 100;  // how often a blocked writer looks at its deadline

std::uint64_t CountLines(std::string_view data) {
  return static_cast<std::uint64_t>(std::count(data.begin(), data.end(), '\n'));
}

}  // namespace

LogWriter::LogWriter(int fd, std::size_t max_pending_bytes, std::chrono::milliseconds batch_interval)
    : fd_(fd), max_pending_bytes_(max_pending_bytes), batch_interval_(batch_interval) {
  thread_ = std::thread([this] { Run(); });
}

LogWriter::~LogWriter() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
    give_up_ = std::chrono::steady_clock::now() + kShutdownDrain;
  }
  wake_.notify_all();
  thread_.join();
}

bool LogWriter::Append(std::string_view lines, bool urgent) {
  {
    MutexLock lock(mu_);
    if (pending_.size() + lines.size() > max_pending_bytes_) {
      dropped_.fetch_add(CountLines(lines), std::memory_order_relaxed);
      return false;
    }
    // Wake the writer once: when this line makes the batch urgent or full. Waking it again for
    // every line until it runs would cost the logging threads a futex call each.
    const bool was_due = urgent_ || pending_.size() >= kBatchBytes;
    pending_.append(lines);
    ++appended_batches_;
    urgent_ = urgent_ || urgent;
    if (was_due || (!urgent_ && pending_.size() < kBatchBytes)) return true;
  }
  wake_.notify_one();
  return true;
}

bool LogWriter::Flush(std::chrono::milliseconds timeout) {
  MutexLock lock(mu_);
  const std::uint64_t target = appended_batches_;
  urgent_ = true;
  wake_.notify_one();
  return written_.wait_for(lock.unique_lock(), timeout, [&]() KW_REQUIRES(mu_) { return done_batches_ >= target; });
}

void LogWriter::Run() {
  // SIGPIPE goes to the thread that wrote: blocked here, a vanished reader is EPIPE for this
  // thread whatever the process does with the signal (it stays pending, harmlessly).
  sigset_t pipe_signal;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
  std::string batch;
  for (;;) {
    std::uint64_t batch_end = 0;
    {
      MutexLock lock(mu_);
      wake_.wait_for(lock.unique_lock(), batch_interval_,
                     [&]() KW_REQUIRES(mu_) { return stopping_ || urgent_ || pending_.size() >= kBatchBytes; });
      if (pending_.empty()) {
        done_batches_ = appended_batches_;
        written_.notify_all();
        if (stopping_) return;
        urgent_ = false;
        continue;
      }
      batch.swap(pending_);
      pending_.clear();
      urgent_ = false;
      batch_end = appended_batches_;
    }
    std::size_t written = WriteAll(batch);
    if (written < batch.size()) {
      dropped_.fetch_add(CountLines(std::string_view(batch).substr(written)), std::memory_order_relaxed);
    }
    batch.clear();
    MutexLock lock(mu_);
    done_batches_ = batch_end;
    written_.notify_all();
  }
}

std::size_t LogWriter::WriteAll(std::string_view data) {
  std::size_t done = 0;
  while (done < data.size()) {
    pollfd p{fd_, POLLOUT, 0};
    const int ready = ::poll(&p, 1, kPollMs);
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) {
      MutexLock lock(mu_);
      if (std::chrono::steady_clock::now() >= give_up_) break;
      continue;
    }
    if ((p.revents & (POLLERR | POLLNVAL)) != 0) break;
    // At most PIPE_BUF: a pipe that polls writable takes that much without blocking.
    const std::size_t chunk = std::min<std::size_t>(data.size() - done, PIPE_BUF);
    const ssize_t n = ::write(fd_, data.data() + done, chunk);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) break;  // EPIPE: nobody reads the log any more
    done += static_cast<std::size_t>(n);
  }
  return done;
}

}  // namespace keywarden::telemetry
