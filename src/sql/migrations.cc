#include "sql/migrations.h"

#include <string>
#include <utility>

namespace keywarden::sql {

Status CheckMigrationSteps(std::span<const MigrationStep> steps) {
  if (steps.empty()) return InternalError("no schema migration steps");
  if (steps.front().version < 1) return InternalError("schema migration versions start at 1");
  for (std::size_t i = 1; i < steps.size(); ++i) {
    if (steps[i].version != steps[i - 1].version + 1) {
      return InternalError("schema migration " + std::to_string(steps[i].version) + " does not follow " +
                           std::to_string(steps[i - 1].version));
    }
  }
  return OkStatus();
}

Status RunMigrations(std::span<const MigrationStep> steps, MigrationTarget& target) {
  KW_RETURN_IF_ERROR(CheckMigrationSteps(steps));
  const int latest = LatestVersion(steps);
  Status status = [&]() -> Status {
    KW_RETURN_IF_ERROR(target.Lock());
    KW_ASSIGN_OR_RETURN(int version, target.CurrentVersion());
    if (version > latest) {
      return InvalidArgumentError("database schema version " + std::to_string(version) +
                                  " is newer than this keywarden supports (" + std::to_string(latest) + ")");
    }
    for (const MigrationStep& step : steps) {
      if (step.version <= version) continue;
      KW_RETURN_IF_ERROR(target.Apply(step));
    }
    return OkStatus();
  }();
  return target.Unlock(std::move(status));
}

}  // namespace keywarden::sql
