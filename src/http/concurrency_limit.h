// ConcurrencyLimit: at most N requests of some routes on the blocking pool at once; the others
// wait their turn without holding a thread.
//
// Every Execution::kBlocking route shares one pool (HttpServerOptions::blocking_threads). A route
// whose requests each take long and may come in a flood would take every thread of it, and all
// other routes' requests would queue behind: 64 clients logging in at once (tens of milliseconds
// of Argon2id each, two at a time on two cores) held all 32 threads for two seconds, during which
// no sync was answered. Routes given a limit (Router::RouteHandle::Limit) run at most
// `max_running` requests at once; later ones wait in arrival order, in this queue rather than on
// a pool thread, and start as running ones finish. One that waited longer than `max_wait` is
// answered 503 (with Retry-After) instead of being run: its client has likely given up.
//
// One limit may be shared by several routes (every route that hashes a password). Limits apply
// to kBlocking routes on a server with a blocking pool; other routes ignore them.
//
// Thread-safe. The server calls Enter and Leave; tests may call them directly.
#ifndef KEYWARDEN_HTTP_CONCURRENCY_LIMIT_H_
#define KEYWARDEN_HTTP_CONCURRENCY_LIMIT_H_

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>

#include "base/mutex.h"

namespace keywarden::http {

class ConcurrencyLimit {
 public:
  // `max_running` 0 is taken as 1.
  ConcurrencyLimit(std::size_t max_running, std::chrono::milliseconds max_wait);
  ConcurrencyLimit(const ConcurrencyLimit&) = delete;
  ConcurrencyLimit& operator=(const ConcurrencyLimit&) = delete;

  std::size_t max_running() const { return max_running_; }
  std::chrono::milliseconds max_wait() const { return max_wait_; }

  // Calls `start` at once, on this thread, when fewer than max_running requests are running and
  // none waits; otherwise queues it, to be called by the Leave() that frees a slot for it. Either
  // way the request then counts as running until its Leave().
  void Enter(std::function<void()> start) KW_EXCLUDES(mu_);

  // A running request has finished: the oldest waiting one, if any, takes its slot and its
  // `start` is called here (outside the lock); otherwise the slot is free.
  void Leave() KW_EXCLUDES(mu_);

  // Requests running and waiting now (metrics, tests; stale as soon as returned).
  std::size_t running() const KW_EXCLUDES(mu_);
  std::size_t waiting() const KW_EXCLUDES(mu_);

 private:
  const std::size_t max_running_;
  const std::chrono::milliseconds max_wait_;
  mutable Mutex mu_;
  std::size_t running_ KW_GUARDED_BY(mu_) = 0;
  std::deque<std::function<void()>> waiting_ KW_GUARDED_BY(mu_);  // oldest first
};

}  // namespace keywarden::http

#endif  // KEYWARDEN_HTTP_CONCURRENCY_LIMIT_H_
