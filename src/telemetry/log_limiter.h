// LogLimiter: at most one log line per kind per interval, for failures that repeat with every
// request or probe. A database that is down fails every call; one line per call would drown the
// rest of the log and cost a write per request, while one line per interval still says what is
// wrong and since when. Lines held back are counted, and the next line of their kind says how many.
//
// Kinds are a small set the caller names in code ("health: database", "answering 503"), never
// text taken from a request, so the table of kinds stays bounded. Safe to use from any thread.
#ifndef KEYWARDEN_TELEMETRY_LOG_LIMITER_H_
#define KEYWARDEN_TELEMETRY_LOG_LIMITER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "base/mutex.h"

namespace keywarden::telemetry {

class LogLimiter {
 public:
  static constexpr std::chrono::milliseconds kDefaultInterval{30'000};

  explicit LogLimiter(std::chrono::milliseconds interval = kDefaultInterval) : interval_(interval) {}

  // Logs `message` at warning (or error) level unless a line of `kind` was logged less than the
  // interval ago; true when it logged.
  bool Warning(std::string_view kind, std::string_view message) KW_EXCLUDES(mu_);
  bool Error(std::string_view kind, std::string_view message) KW_EXCLUDES(mu_);

  // Forgets `kind`, so that its next line is logged at once (a failure that ended and came back
  // is news). True when `kind` had logged since it was last forgotten.
  bool Reset(std::string_view kind) KW_EXCLUDES(mu_);

 private:
  struct Kind {
    std::chrono::steady_clock::time_point last;
    std::uint64_t held = 0;
  };
  // The line to log for `message`, or "" when it is held back.
  std::string Admit(std::string_view kind, std::string_view message) KW_EXCLUDES(mu_);

  const std::chrono::milliseconds interval_;
  Mutex mu_;
  std::map<std::string, Kind, std::less<>> kinds_ KW_GUARDED_BY(mu_);
};

}  // namespace keywarden::telemetry

#endif  // KEYWARDEN_TELEMETRY_LOG_LIMITER_H_
