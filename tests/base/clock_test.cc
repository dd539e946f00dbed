#include "base/clock.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

namespace keywarden {
namespace {

using namespace std::chrono_literals;

TEST(ClockTest, SystemFollowsTheSystemClock) {
  const TimePoint before = std::chrono::system_clock::now();
  const TimePoint now = Clock::System().Now();
  const TimePoint after = std::chrono::system_clock::now();
  EXPECT_LE(before, now);
  EXPECT_LE(now, after);
  EXPECT_EQ(&Clock::System(), &Clock::System());
}

TEST(ClockTest, NowMsIsMillisecondsSinceTheEpoch) {
  const FakeClock clock(TimePoint(1'700'000'000'123ms + 999us));
  EXPECT_EQ(clock.NowMs(), 1'700'000'000'123);
}

TEST(FakeClockTest, StandsStillUntilMoved) {
  const TimePoint start(1'000'000s);
  FakeClock clock(start);
  EXPECT_EQ(clock.Now(), start);
  EXPECT_EQ(clock.Now(), start);
  clock.Advance(90s);
  EXPECT_EQ(clock.Now(), start + 90s);
  clock.Set(start - 1h);
  EXPECT_EQ(clock.Now(), start - 1h);
}

TEST(FakeClockTest, AdvancesFromSeveralThreadsLoseNoStep) {
  FakeClock clock(TimePoint{});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&clock] {
      for (int i = 0; i < 1000; ++i) clock.Advance(1ms);
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(clock.Now(), TimePoint(4000ms));
}

}  // namespace
}  // namespace keywarden
