// The connection registry's admission and eviction (see server_core.h).
#include "http/internal/server_core.h"

#include <string>

namespace keywarden::http::internal {

ServerCore::Admitted ServerCore::Admit(const std::string& address) {
  std::shared_ptr<SessionBase> evict;
  MutexLock lock(mu);
  const std::size_t per_address_cap = options.max_connections_per_address;
  auto from = per_address.find(address);
  if (per_address_cap != 0 && from != per_address.end() && from->second >= per_address_cap) {
    return Admitted{Admission::kTooManyFromAddress, 0, nullptr};
  }
  if (active >= options.max_connections) {
    evict = TakeOldestIdleLocked();
    // The evicted connection still counts until it has closed: `active` may pass the cap by the
    // evictions in flight, which are bounded by the idle connections there were.
    if (evict == nullptr) return Admitted{Admission::kFull, 0, nullptr};
  }
  ++active;
  std::uint64_t id = next_id++;
  sessions.emplace(id, Entry{{}, address});
  ++per_address[address];
  return Admitted{Admission::kAdmitted, id, std::move(evict)};
}

std::shared_ptr<SessionBase> ServerCore::TakeOldestIdle() {
  MutexLock lock(mu);
  return TakeOldestIdleLocked();
}

std::shared_ptr<SessionBase> ServerCore::TakeOldestIdleLocked() {
  // Oldest first (ids grow with age): the connection idle the longest is the least likely to be reused.
  for (auto& [id, entry] : sessions) {
    std::shared_ptr<SessionBase> session = entry.session.lock();
    if (session != nullptr && session->idle.load() && !session->evicting.exchange(true)) return session;
  }
  return nullptr;
}

void ServerCore::Unregister(std::uint64_t id) {
  MutexLock lock(mu);
  auto it = sessions.find(id);
  if (it != sessions.end()) {
    auto from = per_address.find(it->second.address);
    if (from != per_address.end() && --from->second == 0) per_address.erase(from);
    sessions.erase(it);
  }
  --active;
  cv.notify_all();
}

void HandleGate::Open() {
  MutexLock lock(mu_);
  open_ = true;
}

void HandleGate::CloseAndWait() {
  MutexLock lock(mu_);
  open_ = false;
  while (uses_ != 0) cv_.wait(lock.unique_lock());
}

bool HandleGate::Enter() {
  MutexLock lock(mu_);
  if (!open_) return false;
  ++uses_;
  return true;
}

void HandleGate::Leave() {
  MutexLock lock(mu_);
  if (--uses_ == 0) cv_.notify_all();
}

}  // namespace keywarden::http::internal
