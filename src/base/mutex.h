// Mutex and MutexLock: std::mutex with clang's thread-safety annotations, so that the compiler
// checks that state marked KW_GUARDED_BY(mu_) is touched only with mu_ held (-Wthread-safety in
// the clang presets). Under g++ the annotations expand to nothing.
//
//   mutable Mutex mu_;
//   std::map<...> entries_ KW_GUARDED_BY(mu_);
//   void ReloadLocked() KW_REQUIRES(mu_);
//   ...
//   MutexLock lock(mu_);
//   cv_.wait(lock.unique_lock(), ...);  // a condition variable waits on the lock's std::unique_lock
#ifndef KEYWARDEN_BASE_MUTEX_H_
#define KEYWARDEN_BASE_MUTEX_H_

#include <mutex>

#if defined(__clang__)
#define KW_THREAD_ANNOTATION_(x) __attribute__((x))
#else
#define KW_THREAD_ANNOTATION_(x)
#endif

#define KW_CAPABILITY(name) KW_THREAD_ANNOTATION_(capability(name))
#define KW_SCOPED_CAPABILITY KW_THREAD_ANNOTATION_(scoped_lockable)
#define KW_GUARDED_BY(mu) KW_THREAD_ANNOTATION_(guarded_by(mu))
#define KW_PT_GUARDED_BY(mu) KW_THREAD_ANNOTATION_(pt_guarded_by(mu))
#define KW_REQUIRES(...) KW_THREAD_ANNOTATION_(requires_capability(__VA_ARGS__))
#define KW_EXCLUDES(...) KW_THREAD_ANNOTATION_(locks_excluded(__VA_ARGS__))
#define KW_ACQUIRE(...) KW_THREAD_ANNOTATION_(acquire_capability(__VA_ARGS__))
#define KW_RELEASE(...) KW_THREAD_ANNOTATION_(release_capability(__VA_ARGS__))
#define KW_ACQUIRED_BEFORE(...) KW_THREAD_ANNOTATION_(acquired_before(__VA_ARGS__))

namespace keywarden {

class KW_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() KW_ACQUIRE() { mu_.lock(); }
  void Unlock() KW_RELEASE() { mu_.unlock(); }

 private:
  friend class MutexLock;
  std::mutex mu_;
};

// Holds `mu` for its scope.
class KW_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) KW_ACQUIRE(mu) : lock_(mu.mu_) {}
  ~MutexLock() KW_RELEASE() {}
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  // Lets go of the mutex for a while, and takes it back.
  void Unlock() KW_RELEASE() { lock_.unlock(); }
  void Lock() KW_ACQUIRE() { lock_.lock(); }

  // For std::condition_variable's waits, which release and retake the lock before returning. The
  // analysis cannot see into a wait's predicate: wait in a loop that tests the guarded state in
  // the caller's own code instead.
  std::unique_lock<std::mutex>& unique_lock() { return lock_; }

 private:
  std::unique_lock<std::mutex> lock_;
};

}  // namespace keywarden

#endif  // KEYWARDEN_BASE_MUTEX_H_
