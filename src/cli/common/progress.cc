#include "cli/common/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace keywarden::cli {
namespace {

// A bar redraws ten times a second; plain lines come once a second.
constexpr std::chrono::milliseconds kTerminalInterval{100};
constexpr std::chrono::milliseconds kLineInterval{1000};
constexpr int kBarWidth = 30;

void WriteAll(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // progress is best effort
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

ProgressReporter::ProgressReporter(int fd, std::string_view title, bool quiet)
    : fd_(fd), title_(title), quiet_(quiet), terminal_(::isatty(fd) == 1) {}

ProgressReporter::~ProgressReporter() {
  if (line_open_) WriteAll(fd_, "\n");
}

void ProgressReporter::Update(std::string_view phase, std::uint64_t done, std::uint64_t total,
                              std::string_view detail) {
  if (quiet_) return;
  const Clock::time_point now = Clock::now();
  if (phase != phase_) {
    phase_ = phase;
    phase_start_ = now;
  } else if (printed_ && now - last_print_ < (terminal_ ? kTerminalInterval : kLineInterval)) {
    return;
  }
  Print(phase, done, total, detail, /*final=*/false);
}

void ProgressReporter::Finish(std::string_view phase, std::uint64_t done, std::uint64_t total,
                              std::string_view detail) {
  if (quiet_) return;
  if (phase != phase_) {
    phase_ = phase;
    phase_start_ = Clock::now();
  }
  Print(phase, done, total, detail, /*final=*/true);
  phase_.clear();
}

void ProgressReporter::Print(std::string_view phase, std::uint64_t done, std::uint64_t total, std::string_view detail,
                             bool final) {
  const Clock::time_point now = Clock::now();
  last_print_ = now;
  printed_ = true;
  const double seconds = std::chrono::duration<double>(now - phase_start_).count();
  const std::uint64_t rate = seconds > 0.05 ? static_cast<std::uint64_t>(static_cast<double>(done) / seconds) : 0;

  std::string figures = std::to_string(done);
  if (total > 0) figures += "/" + std::to_string(total);
  figures += " rows";
  if (!detail.empty()) figures.append(", ").append(detail);
  if (rate > 0) figures += ", " + std::to_string(rate) + " rows/s";

  std::string text;
  if (terminal_) {
    // total is an estimate (rows come and go while serving): the bar stops at full.
    const double fraction = total > 0 ? std::min(1.0, static_cast<double>(done) / static_cast<double>(total)) : 0.0;
    const int filled = static_cast<int>(fraction * kBarWidth);
    text = "\r\x1b[2K" + title_ + " " + std::string(phase) + " [" + std::string(static_cast<std::size_t>(filled), '#') +
           std::string(static_cast<std::size_t>(kBarWidth - filled), '.') + "] " +
           (total > 0 ? std::to_string(static_cast<int>(fraction * 100)) + "% " : std::string()) + figures;
    if (final) text += "\n";
    line_open_ = !final;
  } else {
    text = title_ + ": " + std::string(phase) + ": " + figures + (final ? " (done)" : "") + "\n";
  }
  WriteAll(fd_, text);
}

}  // namespace keywarden::cli
