// BackgroundSample: a metric value that is costly to compute (a count over a table), computed
// on a thread of its own every `interval`, so that a metrics scrape reads a number instead of
// running a query on a request thread: any number of scrapers then cost the service nothing.
//
// The value is the last sample taken; -1 before the first one succeeds and after a failed one
// (a database that does not answer is visible, as it was when the gauge queried on each scrape).
// Thread-safe.
#ifndef KEYWARDEN_TELEMETRY_BACKGROUND_SAMPLE_H_
#define KEYWARDEN_TELEMETRY_BACKGROUND_SAMPLE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <optional>
#include <thread>

#include "base/mutex.h"

namespace keywarden::telemetry {

class BackgroundSample {
 public:
  // `sample` returns the value, or nullopt when it could not be computed. The first sample is
  // taken at once (on the sampling thread).
  BackgroundSample(std::function<std::optional<double>()> sample, std::chrono::milliseconds interval);
  ~BackgroundSample();  // waits for a sample in progress, then stops
  BackgroundSample(const BackgroundSample&) = delete;
  BackgroundSample& operator=(const BackgroundSample&) = delete;

  double value() const { return value_.load(std::memory_order_relaxed); }
  // Samples taken so far, failed ones included (for tests).
  std::uint64_t samples_taken() const { return taken_.load(std::memory_order_relaxed); }

 private:
  void Run();

  const std::function<std::optional<double>()> sample_;
  const std::chrono::milliseconds interval_;
  std::atomic<double> value_{-1.0};
  std::atomic<std::uint64_t> taken_{0};
  Mutex mu_;
  std::condition_variable wake_;
  bool stopping_ KW_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace keywarden::telemetry

#endif  // KEYWARDEN_TELEMETRY_BACKGROUND_SAMPLE_H_
