#include "telemetry/log.h"
#include "telemetry/log_writer.h"

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

// Standard error through a LogWriter (telemetry/log_writer.h): a line is appended to memory under
// the sink's lock and written by the writer's thread, so neither a syscall per audit line (one per
// /user-keys request) nor a stalled reader of standard error ever holds up a request. Warnings
// and errors are written at once, audit lines within a second; lines that do not fit in the
// queue are dropped and counted (DroppedLogLines). If the process is killed (SIGKILL, a crash),
// up to a second of audit lines can be lost; a clean stop (FlushLogs) loses none.
class QueuedStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  static constexpr std::size_t kMaxPendingBytes = std::size_t{4} * 1024 * 1024;

  LogWriter& writer() { return writer_; }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    writer_.Append(std::string_view(formatted.data(), formatted.size()), msg.level >= spdlog::level::warn);
  }
  void flush_() override { writer_.Append({}, /*urgent=*/true); }  // never waits for the reader

 private:
  LogWriter writer_{STDERR_FILENO, kMaxPendingBytes, std::chrono::seconds(1)};
};

std::shared_ptr<QueuedStderrSink>& Sink() {
  static auto sink = std::make_shared<QueuedStderrSink>();
  return sink;
}

spdlog::logger& Logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = std::make_shared<spdlog::logger>("keywarden", Sink());
    l->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
    l->flush_on(spdlog::level::warn);
    if (spdlog::get(l->name()) == nullptr) spdlog::register_logger(l);
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

std::uint64_t DroppedLogLines() { return Sink()->writer().dropped_lines(); }

bool FlushLogs(std::chrono::milliseconds timeout) {
  Logger();  // the sink exists
  return Sink()->writer().Flush(timeout);
}

}  // namespace keywarden::telemetry
