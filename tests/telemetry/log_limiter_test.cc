// LogLimiter: one line per kind per interval, the count of lines held back, kinds independent,
// and Reset making the next line news again.
#include "telemetry/log_limiter.h"

#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "telemetry/log.h"

namespace keywarden::telemetry {
namespace {

using namespace std::chrono_literals;

std::size_t Count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(LogLimiterTest, OneLinePerKindPerIntervalWithTheCountHeldBack) {
  LogLimiter log(200ms);
  ::testing::internal::CaptureStderr();
  EXPECT_TRUE(log.Warning("database", "database down: first"));
  EXPECT_FALSE(log.Warning("database", "database down: second"));
  EXPECT_FALSE(log.Error("database", "database down: third"));
  EXPECT_TRUE(log.Error("identity", "identity server down"));  // another kind is not held back
  std::this_thread::sleep_for(250ms);
  EXPECT_TRUE(log.Warning("database", "database down: fourth"));
  EXPECT_TRUE(log.Reset("database"));
  EXPECT_FALSE(log.Reset("database"));
  EXPECT_TRUE(log.Warning("database", "database down: fifth"));  // news after a reset
  ASSERT_TRUE(FlushLogs(std::chrono::seconds(5)));               // lines are written by the log's own thread
  const std::string out = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(Count(out, "database down"), 3u) << out;
  EXPECT_EQ(Count(out, "second"), 0u) << out;
  EXPECT_NE(out.find("database down: fourth (2 more like it since the last such line)"), std::string::npos) << out;
  EXPECT_EQ(Count(out, "identity server down"), 1u) << out;
}

}  // namespace
}  // namespace keywarden::telemetry
