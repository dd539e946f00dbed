#include "base/time.h"

#include <cstdio>
#include <ctime>

namespace keywarden {

std::string FormatUtcIso8601(TimePoint when) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char date[40];
  const std::size_t n = std::strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof(out), "%.*s.%03dZ", static_cast<int>(n), date, static_cast<int>(millis));
  return out;
}

}  // namespace keywarden
