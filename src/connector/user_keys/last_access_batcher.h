// LastAccessBatcher: keeps the database write of "last accessed" off the GET path.
//
// The reference writes the row back on every GET. Here a GET only notes (user, time) in memory
// (the latest time per user); a background thread hands the collected times to
// KeyStore::RecordLastAccess in one write every `interval`, sooner when `max_pending` users are
// waiting, and on Flush() or destruction. Record() never waits for the database: it takes a
// mutex that the flush holds only long enough to swap the map out.
//
// Last access is bookkeeping, not security: a batch the database refuses goes back into the map
// for the next round (room permitting), and a user arriving while the map is full is dropped
// (counted in dropped()).
#ifndef KEYWARDEN_CONNECTOR_USER_KEYS_LAST_ACCESS_BATCHER_H_
#define KEYWARDEN_CONNECTOR_USER_KEYS_LAST_ACCESS_BATCHER_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "base/mutex.h"
#include "connector/store/key_store.h"
#include "keywarden/status.h"

namespace keywarden::connector {

class LastAccessBatcher {
 public:
  static constexpr std::size_t kDefaultMaxPending = 100'000;

  // `store` must outlive the batcher. Starts the background thread.
  explicit LastAccessBatcher(connector::store::KeyStore& store,
                             std::chrono::milliseconds interval = std::chrono::seconds(30),
                             std::size_t max_pending = kDefaultMaxPending);
  // Stops the thread and writes what is still pending.
  ~LastAccessBatcher();
  LastAccessBatcher(const LastAccessBatcher&) = delete;
  LastAccessBatcher& operator=(const LastAccessBatcher&) = delete;

  // Notes that `user_id` read its key at `when`; keeps the latest time per user.
  void Record(std::string_view user_id, TimeMs when);

  // Writes everything pending now and returns the store's answer (OK when nothing was pending).
  Status Flush();

  // Users waiting for the next write.
  std::size_t pending() const;
  // Accesses not recorded because the map was full.
  std::uint64_t dropped() const;

 private:
  // Looked up by string_view, so recording a user already pending allocates nothing.
  struct UserIdHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view user_id) const noexcept { return std::hash<std::string_view>{}(user_id); }
  };
  using PendingMap = std::unordered_map<std::string, TimeMs, UserIdHash, std::equal_to<>>;

  void Run();
  // Puts a failed batch back, never overwriting a newer time and never beyond max_pending_.
  void Restore(PendingMap batch);

  connector::store::KeyStore& store_;
  const std::chrono::milliseconds interval_;
  const std::size_t max_pending_;

  Mutex flush_mu_ KW_ACQUIRED_BEFORE(mu_);  // one flush at a time, so batches reach the store in order

  mutable Mutex mu_;
  std::condition_variable wake_;
  PendingMap pending_ KW_GUARDED_BY(mu_);
  std::uint64_t dropped_ KW_GUARDED_BY(mu_) = 0;
  bool full_ KW_GUARDED_BY(mu_) = false;  // asks the thread for an early flush
  bool stop_ KW_GUARDED_BY(mu_) = false;

  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace keywarden::connector

#endif  // KEYWARDEN_CONNECTOR_USER_KEYS_LAST_ACCESS_BATCHER_H_
