#include "connector/user_keys/last_access_batcher.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace keywarden::connector {

LastAccessBatcher::LastAccessBatcher(connector::store::KeyStore& store, std::chrono::milliseconds interval,
                                     std::size_t max_pending)
    : store_(store),
      interval_(std::max(interval, std::chrono::milliseconds(1))),
      max_pending_(std::max<std::size_t>(max_pending, 1)),
      thread_([this] { Run(); }) {}

LastAccessBatcher::~LastAccessBatcher() {
  {
    MutexLock lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
  (void)Flush();  // best effort: nobody is left to report a failure to
}

void LastAccessBatcher::Record(std::string_view user_id, TimeMs when) {
  bool wake = false;
  {
    MutexLock lock(mu_);
    auto it = pending_.find(user_id);
    if (it != pending_.end()) {
      it->second = std::max(it->second, when);
      return;
    }
    if (pending_.size() >= max_pending_) {
      ++dropped_;
      return;
    }
    pending_.emplace(user_id, when);
    if (pending_.size() >= max_pending_ && !full_) wake = full_ = true;
  }
  if (wake) wake_.notify_one();
}

Status LastAccessBatcher::Flush() {
  MutexLock flush_lock(flush_mu_);
  PendingMap batch;
  {
    MutexLock lock(mu_);
    batch.swap(pending_);
    full_ = false;
  }
  if (batch.empty()) return OkStatus();

  std::vector<connector::store::LastAccess> accesses;
  accesses.reserve(batch.size());
  for (const auto& [user_id, when] : batch) accesses.push_back({user_id, when});
  Status status = store_.RecordLastAccess(accesses);
  if (!status.ok()) Restore(std::move(batch));
  return status;
}

void LastAccessBatcher::Restore(PendingMap batch) {
  MutexLock lock(mu_);
  for (auto& [user_id, when] : batch) {
    auto it = pending_.find(user_id);
    if (it != pending_.end()) {
      it->second = std::max(it->second, when);
    } else if (pending_.size() < max_pending_) {
      pending_.emplace(user_id, when);
    } else {
      ++dropped_;
    }
  }
}

void LastAccessBatcher::Run() {
  MutexLock lock(mu_);
  while (!stop_) {
    const auto deadline = std::chrono::steady_clock::now() + interval_;
    while (!stop_ && !full_) {
      if (wake_.wait_until(lock.unique_lock(), deadline) == std::cv_status::timeout) break;
    }
    if (stop_) break;
    lock.Unlock();
    // A failure is kept for the next round (Restore); the store reports its own outages.
    (void)Flush();
    lock.Lock();
  }
}

std::size_t LastAccessBatcher::pending() const {
  MutexLock lock(mu_);
  return pending_.size();
}

std::uint64_t LastAccessBatcher::dropped() const {
  MutexLock lock(mu_);
  return dropped_;
}

}  // namespace keywarden::connector
