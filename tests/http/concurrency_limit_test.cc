// ConcurrencyLimit on its own (slots, arrival order) and in a server over real sockets: a flood
// of a limited route leaves the blocking pool to the other routes, a request that waited too long
// is answered 503, and only the requests the limit applies to count.
#include "http/concurrency_limit.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "http/server.h"
#include "support/raw_connection.h"
#include "support/wait.h"

namespace keywarden::http {
namespace {

using keywarden::testing::WaitUntil;
using std::chrono::milliseconds;

TEST(ConcurrencyLimitTest, StartsUpToTheLimitAtOnceAndTheRestInArrivalOrder) {
  ConcurrencyLimit limit(2, milliseconds(1000));
  std::vector<int> started;
  for (int i = 0; i < 5; ++i) limit.Enter([&started, i] { started.push_back(i); });
  EXPECT_EQ(started, (std::vector<int>{0, 1}));
  EXPECT_EQ(limit.running(), 2U);
  EXPECT_EQ(limit.waiting(), 3U);

  limit.Leave();  // a slot passes to the oldest waiter
  EXPECT_EQ(started, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(limit.running(), 2U);
  limit.Leave();
  limit.Leave();
  EXPECT_EQ(started, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(limit.waiting(), 0U);
  limit.Leave();
  limit.Leave();
  EXPECT_EQ(limit.running(), 0U);
}

TEST(ConcurrencyLimitTest, ANewcomerWaitsBehindEarlierWaitersEvenWithASlotFree) {
  ConcurrencyLimit limit(0, milliseconds(1000));  // taken as 1
  EXPECT_EQ(limit.max_running(), 1U);
  std::vector<int> started;
  limit.Enter([&] { started.push_back(0); });
  limit.Enter([&] { started.push_back(1); });
  limit.Leave();  // starts 1
  limit.Enter([&] { started.push_back(2); });
  EXPECT_EQ(started, (std::vector<int>{0, 1}));
  limit.Leave();
  EXPECT_EQ(started, (std::vector<int>{0, 1, 2}));
}

// A server whose kBlocking route /slow holds its thread until the test opens the gate, under a
// limit of one (or for requests with "X-Heavy: yes" only), next to an unlimited kBlocking /quick,
// with a blocking pool of two threads.
class LimitedRouteTest : public ::testing::Test {
 protected:
  void Start(milliseconds max_wait, bool only_heavy = false) {
    limit_ = std::make_shared<ConcurrencyLimit>(1, max_wait);
    auto router = std::make_shared<Router>();
    LimitApplies applies;
    if (only_heavy) applies = [](const HttpRequest& r) { return r.header("X-Heavy") == "yes"; };
    router
        ->Add(
            "GET", "/slow",
            [this](const HttpRequest&) {
              ++slow_started_;
              std::unique_lock lock(mu_);
              if (!cv_.wait_for(lock, std::chrono::seconds(10), [this] { return open_; })) {
                return JsonError(500, "the test never opened the gate");
              }
              return JsonResponse(200, {{"slow", true}});
            },
            Execution::kBlocking)
        .Limit(limit_, applies);
    router->Add(
        "GET", "/quick",
        [](const HttpRequest&) {
          return JsonResponse(200, {{"quick", true}});
        },
        Execution::kBlocking);
    HttpServerOptions options;
    options.port = 0;
    options.threads = 1;
    options.blocking_threads = 2;
    server_ = std::make_unique<HttpServer>(options, router);
    const Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }

  void TearDown() override {
    Open();
    if (server_) server_->Stop(milliseconds(2000));
  }

  void Open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }

  static std::string Get(std::string_view path, std::string_view extra = "") {
    return "GET " + std::string(path) + " HTTP/1.1\r\nHost: t\r\n" + std::string(extra) + "\r\n";
  }

  std::shared_ptr<ConcurrencyLimit> limit_;
  std::unique_ptr<HttpServer> server_;
  std::atomic<int> slow_started_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

TEST_F(LimitedRouteTest, AFloodOfALimitedRouteLeavesThePoolToOtherRoutes) {
  Start(milliseconds(10'000));
  // Four slow requests, more than the pool's two threads: one runs, three wait in the limit.
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 4; ++i) {
    slow.push_back(std::make_unique<RawConnection>(server_->port()));
    ASSERT_TRUE(slow.back()->Send(Get("/slow")));
  }
  ASSERT_TRUE(WaitUntil([&] { return slow_started_ == 1 && limit_->waiting() == 3; }, milliseconds(5000)))
      << "started " << slow_started_ << ", waiting " << limit_->waiting();

  // Another route still gets a thread at once.
  RawConnection quick(server_->port());
  ASSERT_TRUE(quick.Send(Get("/quick")));
  auto answer = quick.Read();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(slow_started_.load(), 1);

  Open();
  for (auto& connection : slow) {
    auto done = connection->Read();
    ASSERT_TRUE(done);
    EXPECT_EQ(done->status, 200);
  }
  EXPECT_EQ(slow_started_.load(), 4);
  EXPECT_EQ(limit_->running(), 0U);
}

TEST_F(LimitedRouteTest, ARequestThatWaitedLongerThanMaxWaitIs503WithoutRunning) {
  Start(milliseconds(100));
  RawConnection first(server_->port());
  ASSERT_TRUE(first.Send(Get("/slow")));
  ASSERT_TRUE(WaitUntil([&] { return slow_started_ == 1; }, milliseconds(5000)));
  RawConnection second(server_->port());
  ASSERT_TRUE(second.Send(Get("/slow")));
  ASSERT_TRUE(WaitUntil([&] { return limit_->waiting() == 1; }, milliseconds(5000)));
  std::this_thread::sleep_for(milliseconds(300));  // past max_wait
  Open();

  auto done = first.Read();
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, 200);
  auto refused = second.Read();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->headers["Retry-After"], "1");
  EXPECT_EQ(slow_started_.load(), 1);
  EXPECT_TRUE(WaitUntil([&] { return limit_->running() == 0; }, milliseconds(5000)));
}

TEST_F(LimitedRouteTest, OnlyTheRequestsTheLimitAppliesToCount) {
  Start(milliseconds(10'000), /*only_heavy=*/true);
  RawConnection heavy(server_->port());
  ASSERT_TRUE(heavy.Send(Get("/slow", "X-Heavy: yes\r\n")));
  ASSERT_TRUE(WaitUntil([&] { return slow_started_ == 1; }, milliseconds(5000)));
  // A request of the same route that the limit does not apply to starts beside the running one.
  RawConnection light(server_->port());
  ASSERT_TRUE(light.Send(Get("/slow")));
  EXPECT_TRUE(WaitUntil([&] { return slow_started_ == 2; }, milliseconds(5000)));
  EXPECT_EQ(limit_->running(), 1U);
  EXPECT_EQ(limit_->waiting(), 0U);
  Open();
  for (RawConnection* connection : {&heavy, &light}) {
    auto done = connection->Read();
    ASSERT_TRUE(done);
    EXPECT_EQ(done->status, 200);
  }
}

}  // namespace
}  // namespace keywarden::http
