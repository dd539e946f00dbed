// The process's logs: plain text or JSON lines, through spdlog, to standard error.
//
// Logging never blocks the caller on standard error: lines are queued in memory and written by a
// thread of their own (telemetry/log_writer.h). A reader that stalls costs dropped lines, counted
// by DroppedLogLines(), never a stalled request; one that goes away costs EPIPE, provided the
// process ignores SIGPIPE (services do, service/service_host.h).
//
// Nothing logged here ever contains key material or a bearer token: audit lines carry the
// user id, the client address, the action and its result only.
#ifndef KEYWARDEN_TELEMETRY_LOG_H_
#define KEYWARDEN_TELEMETRY_LOG_H_

#include <chrono>
#include <cstdint>
#include <string_view>

#include "keywarden/status.h"

namespace keywarden::telemetry {

// Sets up the process's loggers once (format "plain" or "json"; level trace..error).
Status InitLogging(std::string_view format, std::string_view level, bool audit_enabled);

// One audit line per key read, write and delete: action is "read", "create", "replace", "delete".
void AuditKeyAccess(std::string_view action, std::string_view user_id, std::string_view client_address,
                    std::string_view result);

// One audit line per security event of the server (login, failed login, two-step change, key or
// password change, API key rotation), in the same form: action, user, client, result.
inline void AuditEvent(std::string_view action, std::string_view user_id, std::string_view client_address,
                       std::string_view result) {
  AuditKeyAccess(action, user_id, client_address, result);
}

// Operational messages (start-up, shutdown, dependency failures).
void LogInfo(std::string_view message);
void LogWarning(std::string_view message);
void LogError(std::string_view message);

// Lines dropped since start: the queue was full (a reader too slow) or standard error failed.
std::uint64_t DroppedLogLines();

// Waits until every line logged before the call has been written, at most `timeout` (a shutdown
// drains its log this way). True when it was.
bool FlushLogs(std::chrono::milliseconds timeout);

}  // namespace keywarden::telemetry

#endif  // KEYWARDEN_TELEMETRY_LOG_H_
