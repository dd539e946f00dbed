#include "connector/audit_log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

namespace keywarden::connector {
namespace {

std::atomic<bool> g_json{false};
std::atomic<bool> g_audit{true};

spdlog::logger& Logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = std::make_shared<spdlog::logger>("keywarden", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    l->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
    l->flush_on(spdlog::level::info);
    return l;
  }();
  return *logger;
}

// In JSON mode each line is one object; the message fields are escaped by nlohmann-json.
void Emit(spdlog::level::level_enum level, nlohmann::json fields, std::string_view plain) {
  spdlog::logger& logger = Logger();
  if (!logger.should_log(level)) return;
  if (g_json.load(std::memory_order_relaxed)) {
    fields["level"] = spdlog::level::to_string_view(level).data();
    logger.log(level, "{}", fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  } else {
    logger.log(level, "{}", plain);
  }
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
  nlohmann::json fields = {{"event", "audit"},     {"action", action},         {"user_id", user_id},
                           {"client", client_address}, {"result", result}};
  std::string plain = "audit action=";
  plain.append(action).append(" user=").append(user_id).append(" client=").append(client_address);
  plain.append(" result=").append(result);
  Emit(spdlog::level::info, std::move(fields), plain);
}

void LogInfo(std::string_view message) { Emit(spdlog::level::info, {{"message", message}}, message); }
void LogWarning(std::string_view message) { Emit(spdlog::level::warn, {{"message", message}}, message); }
void LogError(std::string_view message) { Emit(spdlog::level::err, {{"message", message}}, message); }

}  // namespace keywarden::connector
