#include "http/concurrency_limit.h"

#include <algorithm>
#include <utility>

namespace keywarden::http {

ConcurrencyLimit::ConcurrencyLimit(std::size_t max_running, std::chrono::milliseconds max_wait)
    : max_running_(std::max<std::size_t>(max_running, 1)), max_wait_(max_wait) {}

void ConcurrencyLimit::Enter(std::function<void()> start) {
  {
    MutexLock lock(mu_);
    if (running_ >= max_running_ || !waiting_.empty()) {
      waiting_.push_back(std::move(start));
      return;
    }
    ++running_;
  }
  start();
}

void ConcurrencyLimit::Leave() {
  std::function<void()> next;
  {
    MutexLock lock(mu_);
    if (waiting_.empty()) {
      if (running_ > 0) --running_;
      return;
    }
    // The slot passes to the oldest waiter: running_ stays as it is.
    next = std::move(waiting_.front());
    waiting_.pop_front();
  }
  next();
}

std::size_t ConcurrencyLimit::running() const {
  MutexLock lock(mu_);
  return running_;
}

std::size_t ConcurrencyLimit::waiting() const {
  MutexLock lock(mu_);
  return waiting_.size();
}

}  // namespace keywarden::http
