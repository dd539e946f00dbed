// The process's limit on open files, which bounds the connections a server can hold.
//
// The usual soft limit (1024) suits an interactive shell, not a server that holds a descriptor
// per client: a service raises its soft limit to the hard limit at start-up (which needs no
// privilege) and warns when its connection cap would not fit in what it got.
#ifndef KEYWARDEN_SERVICE_OPEN_FILE_LIMIT_H_
#define KEYWARDEN_SERVICE_OPEN_FILE_LIMIT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "keywarden/status.h"

namespace keywarden::service {

struct OpenFileLimit {
  std::uint64_t soft = 0;  // in force
  std::uint64_t hard = 0;  // the most an unprivileged process may raise `soft` to
};

// Descriptors a service needs besides its connections: listeners, log, database files and
// pools, the blocking pool's work, the HSM library. Generous, so the warning below is early.
inline constexpr std::uint64_t kReservedDescriptors = 256;

// Raises the soft limit to the hard limit ("unlimited" hard limits are capped at what the
// kernel allows, fs.nr_open). Returns the limits in force afterwards.
Result<OpenFileLimit> RaiseOpenFileLimit();

// A warning when `max_connections` plus kReservedDescriptors exceed `limit.soft`, naming both
// settings to change; nullopt when the connections fit.
std::optional<std::string> ConnectionCapWarning(const OpenFileLimit& limit, std::size_t max_connections);

}  // namespace keywarden::service

#endif  // KEYWARDEN_SERVICE_OPEN_FILE_LIMIT_H_
