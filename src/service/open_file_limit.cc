#include "service/open_file_limit.h"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace keywarden::service {
namespace {

// fs.nr_open: the ceiling for RLIMIT_NOFILE when the hard limit says "unlimited".
std::uint64_t KernelOpenFileCeiling() {
  std::ifstream in("/proc/sys/fs/nr_open");
  std::uint64_t ceiling = 0;
  if (in >> ceiling && ceiling > 0) return ceiling;
  return 1u << 20;  // the kernel's default
}

}  // namespace

Result<OpenFileLimit> RaiseOpenFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return InternalError(std::string("cannot read the open-file limit: ") + std::strerror(errno));
  }
  rlim_t target = limit.rlim_max == RLIM_INFINITY ? static_cast<rlim_t>(KernelOpenFileCeiling()) : limit.rlim_max;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < target) {
    rlimit raised = limit;
    raised.rlim_cur = target;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return OpenFileLimit{static_cast<std::uint64_t>(limit.rlim_cur), static_cast<std::uint64_t>(limit.rlim_max)};
}

std::optional<std::string> ConnectionCapWarning(const OpenFileLimit& limit, std::size_t max_connections) {
  if (static_cast<std::uint64_t>(max_connections) + kReservedDescriptors <= limit.soft) return std::nullopt;
  std::uint64_t room = limit.soft > kReservedDescriptors ? limit.soft - kReservedDescriptors : 0;
  return "limits.max_connections is " + std::to_string(max_connections) + " but the open-file limit (" +
         std::to_string(limit.soft) + ") leaves room for about " + std::to_string(room) +
         " connections: raise the limit (LimitNOFILE= in the systemd unit, ulimit -n) or lower "
         "limits.max_connections";
}

}  // namespace keywarden::service
