// Progress of a long admin task on stderr: a bar redrawn in place on a terminal, a plain line at
// most once a second otherwise (logs, pipes), or nothing when quiet. Never writes to stdout,
// which carries the verb's JSON.
#ifndef KEYWARDEN_CLI_COMMON_PROGRESS_H_
#define KEYWARDEN_CLI_COMMON_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace keywarden::cli {

class ProgressReporter {
 public:
  // `fd` is usually 2; whether it is a terminal decides the style.
  ProgressReporter(int fd, std::string_view title, bool quiet);
  ~ProgressReporter();  // ends a bar's line
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

  // `done` of `total` units (total 0: unknown), with `detail` after the figures ("12 re-sealed").
  // Rate-limited: calls in between are cheap and print nothing.
  void Update(std::string_view phase, std::uint64_t done, std::uint64_t total, std::string_view detail);
  // Prints the phase's final state whatever the rate limit, and ends the bar's line.
  void Finish(std::string_view phase, std::uint64_t done, std::uint64_t total, std::string_view detail);

 private:
  using Clock = std::chrono::steady_clock;
  void Print(std::string_view phase, std::uint64_t done, std::uint64_t total, std::string_view detail, bool final);

  const int fd_;
  const std::string title_;
  const bool quiet_;
  const bool terminal_;
  bool line_open_ = false;  // a bar is drawn and its line not yet ended
  bool printed_ = false;
  Clock::time_point last_print_;
  Clock::time_point phase_start_;
  std::string phase_;
};

}  // namespace keywarden::cli

#endif  // KEYWARDEN_CLI_COMMON_PROGRESS_H_
