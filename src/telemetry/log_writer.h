// LogWriter: hands finished log lines to a thread of its own that writes them to a file
// descriptor, so that a slow or stalled reader of the log (a full pipe, a paused journal, a
// terminal on hold) never blocks the thread that logs: a request thread only appends to memory.
//
//  - Lines wait in a queue of at most `max_pending_bytes`; a line that does not fit is dropped
//    and counted (dropped_lines()), never waited for.
//  - The writer writes when a batch is worth a system call (32 KiB), when a line is urgent
//    (warnings and errors), and at least every `batch_interval` (audit lines, one per request,
//    are batched).
//  - It never blocks in write(2) for long: it waits for the descriptor to be writable in short
//    polls and writes at most PIPE_BUF bytes at a time, so Flush and the destructor keep their
//    deadlines even when the reader never reads again. A write error (EPIPE: the reader is gone;
//    the writer thread blocks SIGPIPE, so this never kills the process) drops what was being
//    written, counted.
//
// Thread-safe.
#ifndef KEYWARDEN_TELEMETRY_LOG_WRITER_H_
#define KEYWARDEN_TELEMETRY_LOG_WRITER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>

#include "base/mutex.h"

namespace keywarden::telemetry {

class LogWriter {
 public:
  LogWriter(int fd, std::size_t max_pending_bytes, std::chrono::milliseconds batch_interval);
  // Writes what is queued for at most kShutdownDrain, then stops (what is left is dropped).
  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  static constexpr std::chrono::milliseconds kShutdownDrain{2000};

  // Queues `lines` (one or more whole lines, each ending in '\n'); `urgent` wakes the writer now.
  // Never blocks on the descriptor. False when they were dropped (the queue is full).
  bool Append(std::string_view lines, bool urgent);

  // Waits until everything appended before the call has been written (or dropped), at most
  // `timeout`. True when it was.
  bool Flush(std::chrono::milliseconds timeout);

  // Lines dropped so far: the queue was full, or the descriptor failed.
  std::uint64_t dropped_lines() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  void Run();
  // Writes `data` in PIPE_BUF pieces, each after the descriptor polls writable; stops early once
  // `give_up` has passed (stopping) or on an error. Returns the bytes written.
  std::size_t WriteAll(std::string_view data);

  const int fd_;
  const std::size_t max_pending_bytes_;
  const std::chrono::milliseconds batch_interval_;
  std::atomic<std::uint64_t> dropped_{0};

  Mutex mu_;
  std::condition_variable wake_;     // the writer: work to do
  std::condition_variable written_;  // flushers: a batch is done
  std::string pending_ KW_GUARDED_BY(mu_);
  bool urgent_ KW_GUARDED_BY(mu_) = false;
  bool stopping_ KW_GUARDED_BY(mu_) = false;
  std::uint64_t appended_batches_ KW_GUARDED_BY(mu_) = 0;  // bumped by each Append
  std::uint64_t done_batches_ KW_GUARDED_BY(mu_) = 0;      // appended_batches_ as of the last write
  std::chrono::steady_clock::time_point give_up_ KW_GUARDED_BY(mu_) = std::chrono::steady_clock::time_point::max();
  std::thread thread_;
};

}  // namespace keywarden::telemetry

#endif  // KEYWARDEN_TELEMETRY_LOG_WRITER_H_
