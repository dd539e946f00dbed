// HashingGate: how many password hashes may run at once; the rest wait their turn.
//
// Each Argon2id verification holds a core and PasswordHashParams::memory_kib of memory for tens of
// milliseconds. A flood of logins (a password-guessing run, or every client of an organisation
// coming back after an outage) would otherwise occupy every request thread with hashing, and the
// sync, vault and token requests of users already logged in would wait behind it. With the gate,
// at most `limit` hashes run; a login waits for a permit until its deadline and then fails fast
// with kUnavailable (the caller answers 503 or 429), while other requests keep their threads.
//
//   KW_ASSIGN_OR_RETURN(auto permit, gate.Acquire(std::chrono::steady_clock::now() + 2s));
//   KW_ASSIGN_OR_RETURN(bool ok, hasher.Verify(stored, secret));  // permit released at scope end
#ifndef KEYWARDEN_SERVER_IDENTITY_HASHING_GATE_H_
#define KEYWARDEN_SERVER_IDENTITY_HASHING_GATE_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <list>

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

  // At most `limit` permits out at once (0 is taken as 1).
  explicit HashingGate(std::size_t limit = DefaultLimit());
  // Every permit must have been returned and no caller may still be waiting.
  ~HashingGate();
  HashingGate(const HashingGate&) = delete;
  HashingGate& operator=(const HashingGate&) = delete;

  // A permit as soon as one is free and every earlier caller has had one; kUnavailable when
  // `deadline` passes first (a deadline already past still gets a permit that is free at once).
  // The deadline is on the steady clock: a wall clock can jump.
  Result<Permit> Acquire(std::chrono::steady_clock::time_point deadline) KW_EXCLUDES(mu_);

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

  void Release() KW_EXCLUDES(mu_);

  const std::size_t limit_;
  mutable Mutex mu_;
  std::size_t in_use_ KW_GUARDED_BY(mu_) = 0;
  std::list<Waiter*> queue_ KW_GUARDED_BY(mu_);  // oldest first
};

}  // namespace keywarden::server::identity

#endif  // KEYWARDEN_SERVER_IDENTITY_HASHING_GATE_H_
