#include "telemetry/log.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

namespace keywarden::telemetry {
namespace {

std::atomic<bool> g_json{false};
std::atomic<bool> g_audit{true};

// Standard error with a buffer in front. Audit lines (one per /user-keys request) are appended to
// the buffer and written when it fills, and at least once a second (flush_every below), instead
// of one write(2) per line made under the sink's lock: under load that write was a syscall per
// request and the point where request threads queued. Operational messages (start-up, warnings,
// errors) flush at once, as does process exit. The trade-off: if the process is killed
// (SIGKILL, a crash), up to a second of audit lines can be lost; a clean stop loses none.
class BufferedStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  ~BufferedStderrSink() override {
    std::lock_guard<std::mutex> lock(mutex_);
    WriteOut();
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    buffer_.append(formatted.data(), formatted.size());
    if (buffer_.size() >= kFlushBytes) WriteOut();
  }
  void flush_() override { WriteOut(); }

 private:
  static constexpr std::size_t kFlushBytes = 32 * 1024;

  void WriteOut() {
    std::size_t done = 0;
    while (done < buffer_.size()) {
      const ssize_t n = ::write(STDERR_FILENO, buffer_.data() + done, buffer_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // nowhere to log to: drop the lines rather than block requests
      done += static_cast<std::size_t>(n);
    }
    buffer_.clear();
  }

  std::string buffer_;
};

spdlog::logger& Logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = std::make_shared<spdlog::logger>("keywarden", std::make_shared<BufferedStderrSink>());
    l->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
    l->flush_on(spdlog::level::warn);
    // flush_every flushes the registered loggers from spdlog's own thread.
    if (spdlog::get(l->name()) == nullptr) spdlog::register_logger(l);
    spdlog::flush_every(std::chrono::seconds(1));
    return l;
  }();
  return *logger;
}

// In JSON mode each line is one object; the message fields are escaped by nlohmann-json.
// `flush`: write it out now rather than with the next batch (see BufferedStderrSink).
void Emit(spdlog::level::level_enum level, nlohmann::json fields, std::string_view plain, bool flush = true) {
  spdlog::logger& logger = Logger();
  if (!logger.should_log(level)) return;
  if (g_json.load(std::memory_order_relaxed)) {
    fields["level"] = spdlog::level::to_string_view(level).data();
    logger.log(level, "{}", fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  } else {
    logger.log(level, "{}", plain);
  }
  if (flush) logger.flush();
}

}  // namespace

Status InitLogging(std::string_view format, std::string_view level, bool audit_enabled) {
  if (format != "plain" && format != "json") return InvalidArgumentError("log format must be plain or json");
  const spdlog::level::level_enum parsed = spdlog::level::from_str(std::string(level));
  if (parsed == spdlog::level::off && level != "off") return InvalidArgumentError("unknown log level");
  g_json = format == "json";
  g_audit = audit_enabled;
  Logger().set_level(parsed);
  // JSON lines carry their own time and level.
  Logger().set_pattern(g_json ? "%v" : "%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  return OkStatus();
}

void AuditKeyAccess(std::string_view action, std::string_view user_id, std::string_view client_address,
                    std::string_view result) {
  if (!g_audit.load(std::memory_order_relaxed)) return;
  spdlog::logger& logger = Logger();
  if (!logger.should_log(spdlog::level::info)) return;
  if (g_json.load(std::memory_order_relaxed)) {
    nlohmann::json fields = {
        {"event", "audit"}, {"action", action}, {"user_id", user_id}, {"client", client_address}, {"result", result}};
    Emit(spdlog::level::info, std::move(fields), {}, /*flush=*/false);
    return;
  }
  logger.info("audit action={} user={} client={} result={}", action, user_id, client_address, result);
}

void LogInfo(std::string_view message) { Emit(spdlog::level::info, {{"message", message}}, message); }
void LogWarning(std::string_view message) { Emit(spdlog::level::warn, {{"message", message}}, message); }
void LogError(std::string_view message) { Emit(spdlog::level::err, {{"message", message}}, message); }

}  // namespace keywarden::telemetry
