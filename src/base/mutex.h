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
#include <shared_mutex>

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
#define KW_ACQUIRE_SHARED(...) KW_THREAD_ANNOTATION_(acquire_shared_capability(__VA_ARGS__))
#define KW_RELEASE_SHARED(...) KW_THREAD_ANNOTATION_(release_shared_capability(__VA_ARGS__))
#define KW_RELEASE_GENERIC(...) KW_THREAD_ANNOTATION_(release_generic_capability(__VA_ARGS__))
#define KW_TRY_ACQUIRE(...) KW_THREAD_ANNOTATION_(try_acquire_capability(__VA_ARGS__))
#define KW_ACQUIRED_BEFORE(...) KW_THREAD_ANNOTATION_(acquired_before(__VA_ARGS__))

namespace keywarden {

class KW_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() KW_ACQUIRE() { mu_.lock(); }
  void Unlock() KW_RELEASE() { mu_.unlock(); }
  // True when the mutex was free and is now held; never waits.
  bool TryLock() KW_TRY_ACQUIRE(true) { return mu_.try_lock(); }

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

// A reader/writer mutex: many readers at once, or one writer.
class KW_CAPABILITY("mutex") SharedMutex {
 public:
  SharedMutex() = default;
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;

  void Lock() KW_ACQUIRE() { mu_.lock(); }
  void Unlock() KW_RELEASE() { mu_.unlock(); }
  void LockShared() KW_ACQUIRE_SHARED() { mu_.lock_shared(); }
  void UnlockShared() KW_RELEASE_SHARED() { mu_.unlock_shared(); }

 private:
  std::shared_mutex mu_;
};

// Holds `mu` shared (reading) for its scope.
class KW_SCOPED_CAPABILITY ReaderMutexLock {
 public:
  explicit ReaderMutexLock(SharedMutex& mu) KW_ACQUIRE_SHARED(mu) : mu_(mu) { mu_.LockShared(); }
  ~ReaderMutexLock() KW_RELEASE_GENERIC() { mu_.UnlockShared(); }
  ReaderMutexLock(const ReaderMutexLock&) = delete;
  ReaderMutexLock& operator=(const ReaderMutexLock&) = delete;

 private:
  SharedMutex& mu_;
};

// Holds `mu` exclusively (writing) for its scope.
class KW_SCOPED_CAPABILITY WriterMutexLock {
 public:
  explicit WriterMutexLock(SharedMutex& mu) KW_ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~WriterMutexLock() KW_RELEASE() { mu_.Unlock(); }
  WriterMutexLock(const WriterMutexLock&) = delete;
  WriterMutexLock& operator=(const WriterMutexLock&) = delete;

 private:
  SharedMutex& mu_;
};

}  // namespace keywarden

#endif  // KEYWARDEN_BASE_MUTEX_H_
