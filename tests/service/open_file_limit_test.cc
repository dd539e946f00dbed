#include "service/open_file_limit.h"

#include <sys/resource.h>

#include <gtest/gtest.h>

namespace keywarden::service {
namespace {

TEST(OpenFileLimitTest, RaisesTheSoftLimitToTheHardLimit) {
  rlimit original{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &original), 0);
  if (original.rlim_max != RLIM_INFINITY && original.rlim_max < 512) GTEST_SKIP() << "the hard limit is too low";
  rlimit lowered = original;
  lowered.rlim_cur = 256;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);
  Result<OpenFileLimit> raised = RaiseOpenFileLimit();
  ASSERT_TRUE(raised.ok()) << raised.status().ToString();
  rlimit now{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &now), 0);
  EXPECT_GT(now.rlim_cur, 256u);
  EXPECT_EQ(raised->soft, static_cast<std::uint64_t>(now.rlim_cur));
  if (original.rlim_max != RLIM_INFINITY) {
    EXPECT_EQ(now.rlim_cur, original.rlim_max);
  }
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &original), 0);
}

TEST(OpenFileLimitTest, WarnsOnlyWhenTheCapDoesNotFit) {
  EXPECT_FALSE(ConnectionCapWarning({.soft = 1 << 20, .hard = 1 << 20}, 10'000));
  auto warning = ConnectionCapWarning({.soft = 1024, .hard = 1024}, 10'000);
  ASSERT_TRUE(warning);
  EXPECT_NE(warning->find("limits.max_connections is 10000"), std::string::npos) << *warning;
  EXPECT_NE(warning->find("open-file limit (1024)"), std::string::npos) << *warning;
  EXPECT_FALSE(ConnectionCapWarning({.soft = 1024, .hard = 1024}, 1024 - kReservedDescriptors));
  EXPECT_TRUE(ConnectionCapWarning({.soft = 100, .hard = 100}, 1));
}

}  // namespace
}  // namespace keywarden::service
