#include "telemetry/log_limiter.h"

#include "telemetry/log.h"

namespace keywarden::telemetry {

std::string LogLimiter::Admit(std::string_view kind, std::string_view message) {
  const auto now = std::chrono::steady_clock::now();
  MutexLock lock(mu_);
  auto it = kinds_.find(kind);
  if (it == kinds_.end()) {
    kinds_.emplace(std::string(kind), Kind{now, 0});
    return std::string(message);
  }
  Kind& state = it->second;
  if (now - state.last < interval_) {
    ++state.held;
    return "";
  }
  std::string line(message);
  if (state.held > 0) line += " (" + std::to_string(state.held) + " more like it since the last such line)";
  state.last = now;
  state.held = 0;
  return line;
}

bool LogLimiter::Warning(std::string_view kind, std::string_view message) {
  const std::string line = Admit(kind, message);
  if (line.empty()) return false;
  LogWarning(line);  // outside the lock: logging may take a while
  return true;
}

bool LogLimiter::Error(std::string_view kind, std::string_view message) {
  const std::string line = Admit(kind, message);
  if (line.empty()) return false;
  LogError(line);
  return true;
}

bool LogLimiter::Reset(std::string_view kind) {
  MutexLock lock(mu_);
  auto it = kinds_.find(kind);
  if (it == kinds_.end()) return false;
  kinds_.erase(it);
  return true;
}

}  // namespace keywarden::telemetry
