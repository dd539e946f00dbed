// HashingGate: how many password hashes may run at once, and where they run; the rest wait their
// turn.
//
// Each Argon2id verification holds a core and PasswordHashParams::memory_kib of memory for tens of
// milliseconds. A flood of logins (a password-guessing run, or every client of an organisation
// coming back after an outage) would otherwise occupy every request thread with hashing, and the
// sync, vault and token requests of users already logged in would wait behind it. With the gate,
// at most `limit` hashes run; a login waits for a permit until its deadline and then fails fast
// with kUnavailable (the caller answers 503 or 429), while other requests keep their threads.
//
// Run() also moves the hash off the request thread onto one of the gate's own `limit` threads,
// which run at a lower CPU priority (kHashingNice): with every permit in use the hashes would
// still take their fair share of the cores from requests running beside them, doubling a sync's
// latency on two cores; at the lower priority they take what the other requests leave. Each keeps
// its Argon2 memory between hashes, and gives it back after 10 s without one.
//
//   Status hashed = gate.Run(std::chrono::steady_clock::now() + 2s, [&] { ok = hasher.Verify(...); });
#ifndef KEYWARDEN_SERVER_IDENTITY_HASHING_GATE_H_
#define KEYWARDEN_SERVER_IDENTITY_HASHING_GATE_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <optional>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "keywarden/status.h"

namespace keywarden::server::identity {

// Thread-safe. Waiting callers are served in the order they arrived (FIFO): a freed permit goes
// straight to the longest waiter, never to a newcomer, so no login starves under load.
class HashingGate {
 public:
  // The right to run one hash; gives it back when destroyed. Move-only; must not outlive its gate.
  class [[nodiscard]] Permit {
   public:
    Permit(Permit&& other) noexcept : gate_(other.gate_) { other.gate_ = nullptr; }
    Permit& operator=(Permit&& other) noexcept;
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    ~Permit();

   private:
    friend class HashingGate;
    explicit Permit(HashingGate* gate) : gate_(gate) {}
    HashingGate* gate_;
  };

  // The number of cores (at least 1): more hashes at once than cores only makes each one slower.
  static std::size_t DefaultLimit();

  // How much lower than the request threads' the gate's threads run (a nice increment: each
  // step is about 25% less CPU weight). 5 gives a hash about a quarter of a core against a busy
  // request thread, so logins still progress under a storm of syncs.
  static constexpr int kHashingNice = 5;

  // At most `limit` permits out at once (0 is taken as 1), and as many threads for Run().
  explicit HashingGate(std::size_t limit = DefaultLimit());
  // Every permit must have been returned and no caller may still be waiting.
  ~HashingGate();
  HashingGate(const HashingGate&) = delete;
  HashingGate& operator=(const HashingGate&) = delete;

  // A permit as soon as one is free and every earlier caller has had one; kUnavailable when
  // `deadline` passes first (a deadline already past still gets a permit that is free at once).
  // The deadline is on the steady clock: a wall clock can jump.
  Result<Permit> Acquire(std::chrono::steady_clock::time_point deadline) KW_EXCLUDES(mu_);

  // Under a permit (Acquire's rules), runs `work` on one of the gate's threads, at kHashingNice
  // below the caller's priority, and returns once it has finished. kUnavailable, without running
  // it, when `deadline` passes first. `work` must not throw.
  Status Run(std::chrono::steady_clock::time_point deadline, const std::function<void()>& work)
      KW_EXCLUDES(mu_, work_mu_);

  // Run() for work that has a result (a new hash): its result, or Run()'s kUnavailable.
  template <typename T>
  Result<T> Compute(std::chrono::steady_clock::time_point deadline, const std::function<Result<T>()>& work)
      KW_EXCLUDES(mu_, work_mu_) {
    std::optional<Result<T>> result;
    KW_RETURN_IF_ERROR(Run(deadline, [&] { result.emplace(work()); }));
    return *std::move(result);
  }

  std::size_t limit() const { return limit_; }
  // Permits out and callers waiting now (for metrics and tests; stale as soon as returned).
  std::size_t InUse() const KW_EXCLUDES(mu_);
  std::size_t Waiting() const KW_EXCLUDES(mu_);

 private:
  // One caller waiting in Acquire, on its own stack; `granted` is guarded by the gate's mu_ (the
  // analysis cannot name another object's mutex).
  struct Waiter {
    std::condition_variable ready;
    bool granted = false;
  };

  // One Run() call's work, handed to a gate thread; `done` is guarded by work_mu_.
  struct Job {
    explicit Job(const std::function<void()>& w) : work(&w) {}
    const std::function<void()>* work;
    std::condition_variable finished;
    bool done = false;
  };

  void Release() KW_EXCLUDES(mu_);
  void Work() KW_EXCLUDES(work_mu_);  // a gate thread's loop

  const std::size_t limit_;
  mutable Mutex mu_;
  std::size_t in_use_ KW_GUARDED_BY(mu_) = 0;
  std::list<Waiter*> queue_ KW_GUARDED_BY(mu_);  // oldest first

  Mutex work_mu_;
  std::condition_variable work_ready_;
  std::deque<Job*> jobs_ KW_GUARDED_BY(work_mu_);
  bool stopping_ KW_GUARDED_BY(work_mu_) = false;
  std::vector<std::thread> threads_;  // started by the constructor, joined by the destructor
};

}  // namespace keywarden::server::identity

#endif  // KEYWARDEN_SERVER_IDENTITY_HASHING_GATE_H_
