// Schema migrations: numbered SQL steps, applied in order, once, by one runner for every dialect.
//
// A store owns its steps as files (V001__name.sql, ...) that cmake/EmbedMigrations.cmake compiles
// in as a sorted array of MigrationStep. The database records the last step it has taken; opening
// it applies the steps after that one. Steps are append-only: a released step is never edited,
// a schema change is a new step.
//
// What differs between dialects is behind MigrationTarget: how the version is stored, which lock
// makes several processes opening a new database take turns, and whether a step and its version
// record commit together. RunMigrations holds the order and the refusals.
#ifndef KEYWARDEN_SQL_MIGRATIONS_H_
#define KEYWARDEN_SQL_MIGRATIONS_H_

#include <span>
#include <string_view>

#include "keywarden/status.h"

namespace keywarden::sql {

struct MigrationStep {
  int version;            // from the file name, V003 -> 3
  std::string_view name;  // the rest of the file name, for messages
  std::string_view sql;   // the file's text, as written
};

// One database, as the runner sees it. RunMigrations calls Lock, then CurrentVersion, then Apply
// for each step still to take, stopping at the first failure; and then always Unlock, also when
// Lock itself failed (a lock may be held by then).
class MigrationTarget {
 public:
  virtual ~MigrationTarget() = default;
  // Waits for the lock that makes concurrent openers take turns (and, where the dialect has
  // transactional DDL, begins the transaction the steps share).
  virtual Status Lock() = 0;
  // The version the database records: 0 for a new one.
  virtual Result<int> CurrentVersion() = 0;
  // Runs `step` and records its version: together, so that a failing step leaves the recorded
  // version where it was.
  virtual Status Apply(const MigrationStep& step) = 0;
  // Ends what Lock began, if anything: commits if `status` is ok, else rolls back; releases the
  // lock if held. Returns the outcome to report (`status`, or the failure to commit or release).
  virtual Status Unlock(Status status) = 0;
};

// Brings `target` up to the last of `steps` (ascending, without gaps; see CheckMigrationSteps).
// A database newer than the last step is refused with kInvalidArgument naming both versions;
// the first failing step's error is returned as the target reported it.
Status RunMigrations(std::span<const MigrationStep> steps, MigrationTarget& target);

// kInternal unless `steps` is non-empty, starts at 1 or more and counts up by one.
Status CheckMigrationSteps(std::span<const MigrationStep> steps);

// The version after the last step (0 for none).
inline int LatestVersion(std::span<const MigrationStep> steps) { return steps.empty() ? 0 : steps.back().version; }

}  // namespace keywarden::sql

#endif  // KEYWARDEN_SQL_MIGRATIONS_H_
