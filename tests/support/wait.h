// Bounded waits for tests: every wait has a deadline, and a test that runs out of it fails with
// a message naming what it waited for, instead of hanging until CTest's timeout kills it.
//
//   KW_ASSERT_EVENTUALLY(batcher.pending() == 0, 30s) << "the batcher never took its map";
//   if (!WaitUntil([&] { return Ready(); }, 30s)) ...;  // where a fatal assertion cannot go
//   std::optional<int> status = WaitForExit(pid, 10s);   // nullopt: still running
//
// Header-only and free of GoogleTest (the SoftHSM helper, which the benchmarks use too, includes
// it); the KW_*_EVENTUALLY macros need <gtest/gtest.h> where they are used.
#ifndef KEYWARDEN_TESTS_SUPPORT_WAIT_H_
#define KEYWARDEN_TESTS_SUPPORT_WAIT_H_

#include <sys/types.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <functional>
#include <optional>
#include <thread>

namespace keywarden::testing {

// Checks `condition` until it holds (true) or `deadline` has passed (false), sleeping `poll`
// between checks; a zero `poll` only yields (a start line for threads meant to race). The
// condition is always checked at least once, and once more at the deadline.
inline bool WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds deadline,
                      std::chrono::milliseconds poll = std::chrono::milliseconds(10)) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    if (condition()) return true;
    const auto now = std::chrono::steady_clock::now();
    if (now >= end) return false;
    if (poll.count() <= 0) {
      std::this_thread::yield();
    } else {
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(poll, end - now));
    }
  }
}

// Waits up to `deadline` for the child `pid` to exit and reaps it: its wait status (for
// WIFEXITED and friends), -1 when it cannot be waited for (not a child of this process, or
// already reaped), or nullopt while it is still running at the deadline (then it is not reaped:
// kill it and wait again).
inline std::optional<int> WaitForExit(pid_t pid, std::chrono::milliseconds deadline,
                                      std::chrono::milliseconds poll = std::chrono::milliseconds(5)) {
  std::optional<int> result;
  WaitUntil(
      [&] {
        int status = 0;
        const pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid) {
          result = status;
        } else if (done < 0 && errno != EINTR) {
          result = -1;
        }
        return result.has_value();
      },
      deadline, poll);
  return result;
}

}  // namespace keywarden::testing

// KW_ASSERT_EVENTUALLY(condition, deadline) fails the test (and returns from the current void
// function) unless `condition` holds within `deadline` (a std::chrono duration), polling every
// 10 ms; KW_EXPECT_EVENTUALLY records the failure and carries on, for where returning early
// would leave threads running. The message names the condition and the deadline; stream more
// after the macro, as after any GoogleTest assertion.
#define KW_EVENTUALLY_(condition, deadline, fail)                                                             \
  switch (0)                                                                                                  \
  case 0:                                                                                                     \
  default:                                                                                                    \
    if (::keywarden::testing::WaitUntil([&]() -> bool { return static_cast<bool>(condition); },               \
                                        std::chrono::duration_cast<std::chrono::milliseconds>(deadline)))     \
      ;                                                                                                       \
    else                                                                                                      \
      fail() << "timed out after " << std::chrono::duration_cast<std::chrono::milliseconds>(deadline).count() \
             << " ms waiting for " #condition "; "
#define KW_ASSERT_EVENTUALLY(condition, deadline) KW_EVENTUALLY_(condition, deadline, FAIL)
#define KW_EXPECT_EVENTUALLY(condition, deadline) KW_EVENTUALLY_(condition, deadline, ADD_FAILURE)

#endif  // KEYWARDEN_TESTS_SUPPORT_WAIT_H_
