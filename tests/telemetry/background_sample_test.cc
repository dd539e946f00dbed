#include "telemetry/background_sample.h"

#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "support/wait.h"

namespace keywarden::telemetry {
namespace {

using namespace std::chrono_literals;

TEST(BackgroundSampleTest, ReadsNeverRunTheSampleAndSeeItsLastValue) {
  std::atomic<int> calls{0};
  std::atomic<double> source{42};
  BackgroundSample sample(
      [&]() -> std::optional<double> {
        ++calls;
        return source.load();
      },
      100ms);
  KW_ASSERT_EVENTUALLY(sample.value() == 42, 5s);
  const int before = calls.load();
  for (int i = 0; i < 100'000; ++i) ASSERT_GE(sample.value(), 0);  // a scrape storm
  EXPECT_LE(calls.load(), before + 1);                             // at most the one the timer took meanwhile
  source = 7;
  KW_ASSERT_EVENTUALLY(sample.value() == 7, 5s);
}

TEST(BackgroundSampleTest, AFailedSampleShowsAsMinusOne) {
  std::atomic<bool> fail{false};
  BackgroundSample sample([&]() -> std::optional<double> { return fail ? std::nullopt : std::optional<double>(3); },
                          50ms);
  KW_ASSERT_EVENTUALLY(sample.value() == 3, 5s);
  fail = true;
  KW_ASSERT_EVENTUALLY(sample.value() == -1, 5s);
}

TEST(BackgroundSampleTest, StopsPromptlyWithALongInterval) {
  const auto start = std::chrono::steady_clock::now();
  {
    BackgroundSample sample([]() -> std::optional<double> { return 1; }, std::chrono::hours(1));
    KW_ASSERT_EVENTUALLY(sample.samples_taken() == 1, 5s);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

}  // namespace
}  // namespace keywarden::telemetry
