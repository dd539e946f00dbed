// The process's logs: plain text or JSON lines, through spdlog, to standard error.
//
// Nothing logged here ever contains key material or a bearer token: audit lines carry the
// user id, the client address, the action and its result only.
#ifndef KEYWARDEN_TELEMETRY_LOG_H_
#define KEYWARDEN_TELEMETRY_LOG_H_

#include <string_view>

#include "keywarden/status.h"

namespace keywarden::telemetry {

// Sets up the process's loggers once (format "plain" or "json"; level trace..error).
Status InitLogging(std::string_view format, std::string_view level, bool audit_enabled);

// One audit line per key read, write and delete: action is "read", "create", "replace", "delete".
void AuditKeyAccess(std::string_view action, std::string_view user_id, std::string_view client_address,
                    std::string_view result);

// Operational messages (start-up, shutdown, dependency failures).
void LogInfo(std::string_view message);
void LogWarning(std::string_view message);
void LogError(std::string_view message);

}  // namespace keywarden::telemetry

#endif  // KEYWARDEN_TELEMETRY_LOG_H_
