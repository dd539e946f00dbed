// Clock: the wall clock as a dependency, so that code whose behaviour depends on the time (token
// lifetimes, stored dates, pacing) can be tested at any time without sleeping.
//
// Production code takes a `const Clock&` and is given Clock::System(); tests give a FakeClock and
// move it. Code that only measures durations (deadlines, timeouts) uses std::chrono::steady_clock
// directly: a wall clock may jump, and a fake one has no business in a timeout.
#ifndef KEYWARDEN_BASE_CLOCK_H_
#define KEYWARDEN_BASE_CLOCK_H_

#include <atomic>
#include <chrono>

#include "base/time.h"

namespace keywarden {

class Clock {
 public:
  virtual ~Clock() = default;

  virtual TimePoint Now() const = 0;
  // Now(), as stored dates are written.
  TimeMs NowMs() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Now().time_since_epoch()).count();
  }

  // The system's wall clock. Lives for the whole process.
  static const Clock& System();
};

// A clock that stands still until told to move. Safe to read and move from several threads.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start) : now_(start.time_since_epoch().count()) {}

  TimePoint Now() const override { return TimePoint(TimePoint::duration(now_.load(std::memory_order_acquire))); }
  void Set(TimePoint when) { now_.store(when.time_since_epoch().count(), std::memory_order_release); }
  void Advance(TimePoint::duration by) { now_.fetch_add(by.count(), std::memory_order_acq_rel); }

 private:
  std::atomic<TimePoint::rep> now_;
};

}  // namespace keywarden

#endif  // KEYWARDEN_BASE_CLOCK_H_
