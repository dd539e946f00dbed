#include "server/identity/hashing_gate.h"
#include "server/identity/internal/argon2_memory.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
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

namespace {

// How long a gate thread keeps its Argon2 block after a hash (internal/argon2_memory.h).
constexpr std::chrono::seconds kKeepMemoryFor{10};

// Lowers the calling thread's CPU priority by `increment` (Linux: the nice value is per thread).
// Best effort: a thread that cannot be lowered still hashes.
void LowerThisThreadsPriority(int increment) {
  const auto tid = static_cast<id_t>(::gettid());
  errno = 0;
  const int current = ::getpriority(PRIO_PROCESS, tid);
  if (current == -1 && errno != 0) return;
  (void)::setpriority(PRIO_PROCESS, tid, std::min(current + increment, 19));
}

}  // namespace

HashingGate::HashingGate(std::size_t limit) : limit_(std::max<std::size_t>(limit, 1)) {
  threads_.reserve(limit_);
  for (std::size_t i = 0; i < limit_; ++i) threads_.emplace_back([this] { Work(); });
}

HashingGate::~HashingGate() {
  {
    MutexLock lock(mu_);
    assert(in_use_ == 0 && queue_.empty() && "a HashingGate destroyed while in use");
  }
  {
    MutexLock lock(work_mu_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

void HashingGate::Work() {
  LowerThisThreadsPriority(kHashingNice);
  internal::KeepArgon2MemoryOnThisThread();
  MutexLock lock(work_mu_);
  while (true) {
    // The Argon2 block kept from the last hash goes back to the system after a while without one.
    const auto idle_until = std::chrono::steady_clock::now() + kKeepMemoryFor;
    while (!stopping_ && jobs_.empty()) {
      if (work_ready_.wait_until(lock.unique_lock(), idle_until) == std::cv_status::timeout && jobs_.empty()) {
        internal::ReleaseArgon2MemoryOfThisThread();
        while (!stopping_ && jobs_.empty()) work_ready_.wait(lock.unique_lock());
      }
    }
    if (jobs_.empty()) return;  // stopping, nothing left
    Job* job = jobs_.front();
    jobs_.pop_front();
    lock.Unlock();
    (*job->work)();
    lock.Lock();
    job->done = true;
    // Notified with work_mu_ held: once it is let go, the caller may return and `job` be gone.
    job->finished.notify_one();
  }
}

Status HashingGate::Run(std::chrono::steady_clock::time_point deadline, const std::function<void()>& work) {
  KW_ASSIGN_OR_RETURN(Permit permit, Acquire(deadline));
  Job job(work);
  {
    MutexLock lock(work_mu_);
    jobs_.push_back(&job);
  }
  work_ready_.notify_one();
  MutexLock lock(work_mu_);
  // No deadline: the work is one bounded hash, already started or next in line (a permit is held,
  // and there are as many threads as permits).
  while (!job.done) job.finished.wait(lock.unique_lock());
  return OkStatus();
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
