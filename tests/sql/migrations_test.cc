// The migration runner (sql/migrations.h) against a scripted target: the order of calls, the
// refusals, and that the lock is always given back.
#include "sql/migrations.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace keywarden::sql {
namespace {

constexpr MigrationStep kSteps[] = {
    {1, "first", "step one"},
    {2, "second", "step two"},
    {3, "third", "step three"},
};

// Records every call; fails where told to.
class ScriptedTarget final : public MigrationTarget {
 public:
  int version = 0;
  int fail_at = 0;  // Apply of this version fails
  bool fail_lock = false;
  std::vector<std::string> calls;

  Status Lock() override {
    calls.push_back("lock");
    return fail_lock ? UnavailableError("busy") : OkStatus();
  }
  Result<int> CurrentVersion() override {
    calls.push_back("version");
    return version;
  }
  Status Apply(const MigrationStep& step) override {
    calls.push_back(std::string(step.sql));
    if (step.version == fail_at) return InternalError("step failed");
    version = step.version;
    return OkStatus();
  }
  Status Unlock(Status status) override {
    calls.push_back(status.ok() ? "commit" : "rollback");
    return status;
  }
};

TEST(MigrationsTest, AppliesTheMissingStepsInOrder) {
  ScriptedTarget target;
  target.version = 1;
  ASSERT_TRUE(RunMigrations(kSteps, target).ok());
  EXPECT_EQ(target.calls, (std::vector<std::string>{"lock", "version", "step two", "step three", "commit"}));
  EXPECT_EQ(target.version, 3);
}

TEST(MigrationsTest, AnUpToDateDatabaseIsLeftAlone) {
  ScriptedTarget target;
  target.version = 3;
  ASSERT_TRUE(RunMigrations(kSteps, target).ok());
  EXPECT_EQ(target.calls, (std::vector<std::string>{"lock", "version", "commit"}));
}

TEST(MigrationsTest, RefusesANewerDatabaseNamingBothVersions) {
  ScriptedTarget target;
  target.version = 4;
  const Status status = RunMigrations(kSteps, target);
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "database schema version 4 is newer than this keywarden supports (3)");
  EXPECT_EQ(target.calls, (std::vector<std::string>{"lock", "version", "rollback"}));
}

TEST(MigrationsTest, StopsAtTheFirstFailingStep) {
  ScriptedTarget target;
  target.fail_at = 2;
  const Status status = RunMigrations(kSteps, target);
  EXPECT_EQ(status.message(), "step failed");
  EXPECT_EQ(target.calls, (std::vector<std::string>{"lock", "version", "step one", "step two", "rollback"}));
  EXPECT_EQ(target.version, 1);
}

TEST(MigrationsTest, UnlocksEvenWhenTheLockFailed) {
  ScriptedTarget target;
  target.fail_lock = true;
  EXPECT_EQ(RunMigrations(kSteps, target).code(), ErrorCode::kUnavailable);
  EXPECT_EQ(target.calls, (std::vector<std::string>{"lock", "rollback"}));
}

TEST(MigrationsTest, RefusesStepsThatDoNotCountUpByOne) {
  constexpr MigrationStep kGap[] = {{1, "a", ""}, {3, "c", ""}};
  constexpr MigrationStep kDuplicate[] = {{1, "a", ""}, {1, "b", ""}};
  constexpr MigrationStep kZero[] = {{0, "a", ""}};
  for (std::span<const MigrationStep> steps :
       {std::span<const MigrationStep>(kGap), std::span<const MigrationStep>(kDuplicate),
        std::span<const MigrationStep>(kZero), std::span<const MigrationStep>()}) {
    ScriptedTarget target;
    EXPECT_EQ(RunMigrations(steps, target).code(), ErrorCode::kInternal);
    EXPECT_TRUE(target.calls.empty());  // refused before touching the database
  }
}

TEST(MigrationsTest, MayStartAfterOne) {
  constexpr MigrationStep kFromTwo[] = {{2, "base", "base"}};
  ScriptedTarget target;
  ASSERT_TRUE(RunMigrations(kFromTwo, target).ok());
  EXPECT_EQ(target.version, 2);
  EXPECT_EQ(LatestVersion(kFromTwo), 2);
}

}  // namespace
}  // namespace keywarden::sql
