#include "server/identity/hashing_gate.h"

#include <algorithm>
#include <cassert>
#include <thread>

namespace keywarden::server::identity {

HashingGate::Permit& HashingGate::Permit::operator=(Permit&& other) noexcept {
  if (this != &other) {
    if (gate_ != nullptr) gate_->Release();
    gate_ = other.gate_;
    other.gate_ = nullptr;
  }
  return *this;
}

HashingGate::Permit::~Permit() {
  if (gate_ != nullptr) gate_->Release();
}

std::size_t HashingGate::DefaultLimit() { return std::max(1U, std::thread::hardware_concurrency()); }

HashingGate::HashingGate(std::size_t limit) : limit_(std::max<std::size_t>(limit, 1)) {}

HashingGate::~HashingGate() {
  MutexLock lock(mu_);
  assert(in_use_ == 0 && queue_.empty() && "a HashingGate destroyed while in use");
}

Result<HashingGate::Permit> HashingGate::Acquire(std::chrono::steady_clock::time_point deadline) {
  MutexLock lock(mu_);
  if (queue_.empty() && in_use_ < limit_) {
    ++in_use_;
    return Permit(this);
  }
  Waiter waiter;
  const auto place = queue_.insert(queue_.end(), &waiter);
  while (!waiter.granted) {
    if (waiter.ready.wait_until(lock.unique_lock(), deadline) == std::cv_status::timeout) break;
  }
  // Release may have handed over the permit just as the deadline passed: then it is ours.
  if (!waiter.granted) {
    queue_.erase(place);
    return UnavailableError("too many password checks at once; try again shortly");
  }
  return Permit(this);
}

void HashingGate::Release() {
  MutexLock lock(mu_);
  if (queue_.empty()) {
    --in_use_;
    return;
  }
  // The permit passes straight to the oldest waiter, so in_use_ does not change. Notified with
  // mu_ held: once it is let go, the waiter may return and its condition variable be gone.
  Waiter* next = queue_.front();
  queue_.pop_front();
  next->granted = true;
  next->ready.notify_one();
}

std::size_t HashingGate::InUse() const {
  MutexLock lock(mu_);
  return in_use_;
}

std::size_t HashingGate::Waiting() const {
  MutexLock lock(mu_);
  return queue_.size();
}

}  // namespace keywarden::server::identity
