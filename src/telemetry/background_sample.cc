#include "telemetry/background_sample.h"

#include <utility>

namespace keywarden::telemetry {

BackgroundSample::BackgroundSample(std::function<std::optional<double>()> sample, std::chrono::milliseconds interval)
    : sample_(std::move(sample)), interval_(interval) {
  thread_ = std::thread([this] { Run(); });
}

BackgroundSample::~BackgroundSample() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void BackgroundSample::Run() {
  for (;;) {
    std::optional<double> sampled;
    try {
      sampled = sample_();
    } catch (...) {
      // A metric must never take the service down; the failure shows as -1.
    }
    value_.store(sampled.value_or(-1.0), std::memory_order_relaxed);
    taken_.fetch_add(1, std::memory_order_relaxed);
    MutexLock lock(mu_);
    if (wake_.wait_for(lock.unique_lock(), interval_, [&]() KW_REQUIRES(mu_) { return stopping_; })) return;
  }
}

}  // namespace keywarden::telemetry
