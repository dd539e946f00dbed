#include "base/clock.h"

namespace keywarden {
namespace {

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
};

}  // namespace

const Clock& Clock::System() {
  static const SystemClock* const clock = new SystemClock;  // never destroyed: used until exit
  return *clock;
}

}  // namespace keywarden
