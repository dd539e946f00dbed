// HashingGate: never more permits than the limit, a deadline that is kept, and first come, first
// served; Run() does the work on the gate's own lower-priority threads.
#include "server/identity/hashing_gate.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace keywarden::server::identity {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr auto kLongWait = std::chrono::seconds(30);

// Polls `done` until it holds or 10 s have passed; true when it held.
template <typename Predicate>
bool WaitFor(Predicate done) {
  const auto deadline = steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(1));
  }
  return true;
}

TEST(HashingGateTest, DefaultLimitIsTheCoreCount) {
  EXPECT_EQ(HashingGate::DefaultLimit(), std::max(1U, std::thread::hardware_concurrency()));
  EXPECT_EQ(HashingGate().limit(), HashingGate::DefaultLimit());
  EXPECT_EQ(HashingGate(0).limit(), 1U);
}

TEST(HashingGateTest, PermitsNeverExceedTheLimitUnderManyThreads) {
  constexpr std::size_t kLimit = 3;
  constexpr int kThreads = 16;
  constexpr int kRounds = 25;
  HashingGate gate(kLimit);
  std::atomic<int> holding{0};
  std::atomic<int> most{0};
  std::atomic<int> granted{0};
  std::atomic<int> over_count{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < kRounds; ++round) {
        auto permit = gate.Acquire(steady_clock::now() + kLongWait);
        if (!permit.ok()) continue;
        ++granted;
        const int now_holding = ++holding;
        int seen = most.load();
        while (now_holding > seen && !most.compare_exchange_weak(seen, now_holding)) {
        }
        if (gate.InUse() > kLimit) ++over_count;
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        --holding;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(granted.load(), kThreads * kRounds);
  EXPECT_GE(most.load(), 1);
  EXPECT_LE(most.load(), static_cast<int>(kLimit));
  EXPECT_EQ(over_count.load(), 0);
  EXPECT_EQ(gate.InUse(), 0U);
  EXPECT_EQ(gate.Waiting(), 0U);
}

TEST(HashingGateTest, DeadlineIsKept) {
  HashingGate gate(1);
  auto held = gate.Acquire(steady_clock::now());
  ASSERT_TRUE(held.ok());
  const auto start = steady_clock::now();
  auto refused = gate.Acquire(start + milliseconds(100));
  const auto waited = steady_clock::now() - start;
  EXPECT_EQ(refused.status().code(), ErrorCode::kUnavailable);
  EXPECT_GE(waited, milliseconds(100));
  EXPECT_LT(waited, std::chrono::seconds(10));
  EXPECT_EQ(gate.Waiting(), 0U);  // a caller that gave up leaves the line
  EXPECT_EQ(gate.InUse(), 1U);
}

TEST(HashingGateTest, AFreePermitIsGrantedEvenPastTheDeadline) {
  HashingGate gate(1);
  auto permit = gate.Acquire(steady_clock::now() - std::chrono::seconds(1));
  ASSERT_TRUE(permit.ok()) << permit.status().ToString();
  EXPECT_EQ(gate.InUse(), 1U);
  EXPECT_EQ(gate.Acquire(steady_clock::now() - std::chrono::seconds(1)).status().code(), ErrorCode::kUnavailable);
}

TEST(HashingGateTest, WaitersAreServedInArrivalOrder) {
  constexpr std::size_t kWaiters = 6;
  HashingGate gate(1);
  std::optional<HashingGate::Permit> held;
  {
    auto first = gate.Acquire(steady_clock::now());
    ASSERT_TRUE(first.ok());
    held.emplace(std::move(*first));
  }
  std::mutex order_mu;
  std::vector<std::size_t> order;
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < kWaiters; ++i) {
    threads.emplace_back([&, i] {
      auto permit = gate.Acquire(steady_clock::now() + kLongWait);
      if (!permit.ok()) return;
      std::lock_guard<std::mutex> lock(order_mu);
      order.push_back(i);
    });
    // The next caller starts only once this one is in line, so arrival order is known.
    if (!WaitFor([&] { return gate.Waiting() == i + 1; })) {
      ADD_FAILURE() << "waiter " << i << " never queued";
      break;
    }
  }
  held.reset();
  for (auto& thread : threads) thread.join();
  std::vector<std::size_t> arrival(threads.size());
  for (std::size_t i = 0; i < arrival.size(); ++i) arrival[i] = i;
  EXPECT_EQ(order, arrival);
}

// A freed permit passes straight to the oldest waiter: a caller arriving just after the release,
// before that waiter has even woken, finds no permit free.
TEST(HashingGateTest, AFreedPermitGoesToTheLineNotToANewcomer) {
  HashingGate gate(1);
  std::optional<HashingGate::Permit> held;
  {
    auto first = gate.Acquire(steady_clock::now());
    ASSERT_TRUE(first.ok());
    held.emplace(std::move(*first));
  }
  std::atomic<bool> waiter_served{false};
  std::atomic<bool> newcomer_tried{false};
  std::thread waiter([&] {
    auto permit = gate.Acquire(steady_clock::now() + kLongWait);
    waiter_served = permit.ok();
    WaitFor([&] { return newcomer_tried.load(); });  // holds the permit until then
  });
  EXPECT_TRUE(WaitFor([&] { return gate.Waiting() == 1; }));
  held.reset();
  EXPECT_EQ(gate.Acquire(steady_clock::now()).status().code(), ErrorCode::kUnavailable);
  newcomer_tried = true;
  waiter.join();
  EXPECT_TRUE(waiter_served.load());
  EXPECT_EQ(gate.InUse(), 0U);
}

TEST(HashingGateTest, AWaiterThatTimesOutDoesNotHoldUpTheOnesBehindIt) {
  HashingGate gate(1);
  std::optional<HashingGate::Permit> held;
  {
    auto first = gate.Acquire(steady_clock::now());
    ASSERT_TRUE(first.ok());
    held.emplace(std::move(*first));
  }
  std::optional<ErrorCode> impatient_result;
  std::thread impatient(
      [&] { impatient_result = gate.Acquire(steady_clock::now() + milliseconds(100)).status().code(); });
  EXPECT_TRUE(WaitFor([&] { return gate.Waiting() == 1; }));
  bool patient_served = false;
  std::thread patient([&] { patient_served = gate.Acquire(steady_clock::now() + kLongWait).ok(); });
  impatient.join();
  EXPECT_EQ(impatient_result, ErrorCode::kUnavailable);
  EXPECT_TRUE(WaitFor([&] { return gate.Waiting() == 1; }));  // only the patient one is left
  held.reset();
  patient.join();
  EXPECT_TRUE(patient_served);
  EXPECT_EQ(gate.InUse(), 0U);
}

TEST(HashingGateTest, MovingAPermitKeepsOneCount) {
  HashingGate gate(2);
  auto a = gate.Acquire(steady_clock::now());
  auto b = gate.Acquire(steady_clock::now());
  ASSERT_TRUE(a.ok() && b.ok());
  HashingGate::Permit moved(std::move(*a));
  EXPECT_EQ(gate.InUse(), 2U);
  moved = std::move(*b);  // the permit `moved` held goes back
  EXPECT_EQ(gate.InUse(), 1U);
  {
    HashingGate::Permit last(std::move(moved));
    EXPECT_EQ(gate.InUse(), 1U);
  }
  EXPECT_EQ(gate.InUse(), 0U);
}

// The nice value of the calling thread.
int ThisThreadsNice() {
  errno = 0;
  return ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
}

TEST(HashingGateTest, RunDoesTheWorkOnAThreadOfLowerPriorityAndWaitsForIt) {
  HashingGate gate(1);
  const int caller_nice = ThisThreadsNice();
  const std::thread::id caller = std::this_thread::get_id();
  std::thread::id worker;
  int worker_nice = caller_nice;
  bool finished = false;
  const Status ran = gate.Run(steady_clock::now() + kLongWait, [&] {
    std::this_thread::sleep_for(milliseconds(20));
    worker = std::this_thread::get_id();
    worker_nice = ThisThreadsNice();
    finished = true;
  });
  ASSERT_TRUE(ran.ok()) << ran.ToString();
  EXPECT_TRUE(finished);  // Run returned after the work, not before
  EXPECT_NE(worker, caller);
  EXPECT_EQ(worker_nice, std::min(caller_nice + HashingGate::kHashingNice, 19));
  EXPECT_EQ(gate.InUse(), 0U);
}

TEST(HashingGateTest, RunNeverRunsMoreThanTheLimitAtOnce) {
  HashingGate gate(2);
  std::atomic<int> running{0};
  std::atomic<int> most{0};
  std::atomic<int> done{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < 8; ++i) {
    callers.emplace_back([&] {
      const Status ran = gate.Run(steady_clock::now() + kLongWait, [&] {
        const int now = ++running;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(milliseconds(10));
        --running;
      });
      if (ran.ok()) ++done;
    });
  }
  for (auto& caller : callers) caller.join();
  EXPECT_EQ(done.load(), 8);
  EXPECT_LE(most.load(), 2);
  EXPECT_GE(most.load(), 1);
}

TEST(HashingGateTest, RunPastItsDeadlineIsUnavailableAndDoesNotRunTheWork) {
  HashingGate gate(1);
  auto held = gate.Acquire(steady_clock::now());
  ASSERT_TRUE(held.ok());
  bool ran = false;
  const Status status = gate.Run(steady_clock::now() + milliseconds(50), [&] { ran = true; });
  EXPECT_EQ(status.code(), ErrorCode::kUnavailable);
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace keywarden::server::identity
