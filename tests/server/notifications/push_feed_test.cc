// The push feed delivers what committed, in order, on every instance: SQLite woken by its own
// commits, PostgreSQL through LISTEN/NOTIFY, also after the listener's connection is cut.
#include "server/notifications/push_feed.h"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "server/server_fixture.h"
#include "server/store/server_database.h"
#include "sql/postgres/postgres_options.h"

namespace keywarden::server::notifications {
namespace {

using testing::ServerTestOnEachDatabase;
using testing::TestDatabase;

// What a hub would send: the feed's deliveries, kept for the test to look at.
class RecordingSink final : public PushSink {
 public:
  void Deliver(const PushNotification& notification) override {
    {
      std::lock_guard lock(mu_);
      delivered_.push_back(notification);
    }
    cv_.notify_all();
  }
  // Waits up to 10 s for `count` deliveries; what arrived by then.
  std::vector<PushNotification> WaitFor(std::size_t count) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [&] { return delivered_.size() >= count; });
    return delivered_;
  }
  std::vector<PushNotification> Delivered() {
    std::lock_guard lock(mu_);
    return delivered_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<PushNotification> delivered_;
};

class PushFeedTest : public ServerTestOnEachDatabase {
 protected:
  void SetUp() override {
    ServerTestOnEachDatabase::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    user_id_ = NewUser("feed@example.com").id;
  }

  // Another instance's view of the server's database.
  std::unique_ptr<sql::Database> OpenInstance() {
    auto database = OpenServerDatabase(config_->database);
    EXPECT_TRUE(database.ok()) << database.status().ToString();
    return database.ok() ? *std::move(database) : nullptr;
  }

  std::optional<sql::PostgresOptions> ListenerSettings() {
    if (GetParam() == TestDatabase::kSqlite) return std::nullopt;
    auto options = sql::ParsePostgresConnectionString(config_->database.postgresql);
    EXPECT_TRUE(options.ok());
    return *options;
  }

  // A feed that, on SQLite, only a commit can wake within a test's deadlines.
  std::unique_ptr<PushFeed> StartFeed(sql::Database& database, PushSink& sink, const Clock& clock = Clock::System(),
                                      PushFeedOptions options = {.poll_interval = std::chrono::minutes(5)}) {
    auto feed = PushFeed::Start(database, ListenerSettings(), sink, clock, options);
    EXPECT_TRUE(feed.ok()) << feed.status().ToString();
    return feed.ok() ? *std::move(feed) : nullptr;
  }

  Status QueueDeletes(sql::Database& database, const std::vector<std::string>& ids, TimeMs when = 0) {
    return database.Transact([&](sql::Session& session) -> Status {
      for (const std::string& id : ids) {
        KW_RETURN_IF_ERROR(Queue(session, user_id_, PushType::kSyncLoginDelete, {{"Id", id}, {"UserId", user_id_}},
                                 "device-" + id, when == 0 ? Clock::System().NowMs() : when));
      }
      return OkStatus();
    });
  }

  static std::string IdOf(const PushNotification& notification) {
    return nlohmann::json::parse(notification.payload).at("Id").get<std::string>();
  }

  std::string user_id_;
};

TEST_P(PushFeedTest, DeliversWhatCommittedInTheOrderItCommitted) {
  auto database = OpenInstance();
  ASSERT_NE(database, nullptr);
  RecordingSink sink;
  auto feed = StartFeed(*database, sink);
  ASSERT_NE(feed, nullptr);
  EXPECT_TRUE(feed->listening());

  ASSERT_TRUE(QueueDeletes(*database, {"a", "b"}).ok());
  ASSERT_TRUE(QueueDeletes(*database, {"c"}).ok());
  const auto delivered = sink.WaitFor(3);
  ASSERT_EQ(delivered.size(), 3u);
  EXPECT_EQ(IdOf(delivered[0]), "a");
  EXPECT_EQ(IdOf(delivered[1]), "b");
  EXPECT_EQ(IdOf(delivered[2]), "c");
  EXPECT_LT(delivered[0].sequence, delivered[1].sequence);
  EXPECT_EQ(delivered[0].user_id, user_id_);
  EXPECT_EQ(delivered[0].type, static_cast<int>(PushType::kSyncLoginDelete));
  EXPECT_EQ(delivered[0].context_id, "device-a");
  EXPECT_FALSE(delivered[0].id.empty());
}

TEST_P(PushFeedTest, DeliversANotificationTooLargeToAnnounce) {
  auto database = OpenInstance();
  ASSERT_NE(database, nullptr);
  RecordingSink sink;
  auto feed = StartFeed(*database, sink);
  ASSERT_NE(feed, nullptr);
  // An organisation item in 400 collections: over PostgreSQL's 8,000-byte NOTIFY payload.
  nlohmann::json collections = nlohmann::json::array();
  for (int i = 0; i < 400; ++i) collections.push_back("c0ffee00-0000-4000-8000-" + std::to_string(100000000000 + i));
  const nlohmann::json payload = {{"Id", "large"}, {"UserId", nullptr}, {"CollectionIds", collections}};
  ASSERT_GT(payload.dump().size(), 8000u);
  ASSERT_TRUE(database
                  ->Transact([&](sql::Session& session) {
                    return Queue(session, user_id_, PushType::kSyncCipherUpdate, payload, "device-9",
                                 Clock::System().NowMs());
                  })
                  .ok());
  const auto delivered = sink.WaitFor(1);
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(delivered[0].payload), payload);
  EXPECT_EQ(delivered[0].context_id, "device-9");
  EXPECT_EQ(delivered[0].user_id, user_id_);
}

TEST_P(PushFeedTest, NeverDeliversWhatWasRolledBack) {
  auto database = OpenInstance();
  ASSERT_NE(database, nullptr);
  RecordingSink sink;
  auto feed = StartFeed(*database, sink);
  ASSERT_NE(feed, nullptr);

  const Status failed = database->Transact([&](sql::Session& session) -> Status {
    KW_RETURN_IF_ERROR(Queue(session, user_id_, PushType::kLogOut, {{"UserId", user_id_}}, "", 1));
    return InvalidArgumentError("the change behind it failed");
  });
  ASSERT_FALSE(failed.ok());
  ASSERT_TRUE(QueueDeletes(*database, {"after"}).ok());
  ASSERT_EQ(sink.WaitFor(1).size(), 1u);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto delivered = sink.Delivered();
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(IdOf(delivered[0]), "after");
}

TEST_P(PushFeedTest, StartsAtTheEndOfTheFeed) {
  auto database = OpenInstance();
  ASSERT_NE(database, nullptr);
  ASSERT_TRUE(QueueDeletes(*database, {"before"}).ok());
  RecordingSink sink;
  auto feed = StartFeed(*database, sink);
  ASSERT_NE(feed, nullptr);
  ASSERT_TRUE(QueueDeletes(*database, {"after"}).ok());
  const auto delivered = sink.WaitFor(1);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(sink.Delivered().size(), 1u);
  EXPECT_EQ(IdOf(delivered[0]), "after");
}

TEST_P(PushFeedTest, RemovesRowsOlderThanTheRetention) {
  auto database = OpenInstance();
  ASSERT_NE(database, nullptr);
  const TimeMs long_ago = Clock::System().NowMs() - 3'600'000;
  ASSERT_TRUE(QueueDeletes(*database, {"old"}, long_ago).ok());
  ASSERT_TRUE(QueueDeletes(*database, {"new"}).ok());
  RecordingSink sink;
  auto feed = StartFeed(*database, sink, Clock::System(),
                        {.poll_interval = std::chrono::milliseconds(20), .retention = std::chrono::minutes(10)});
  ASSERT_NE(feed, nullptr);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::vector<PushNotification> left;
  do {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_TRUE(database
                    ->Read([&](sql::Session& session) -> Status {
                      KW_ASSIGN_OR_RETURN(left, ListQueued(session, user_id_));
                      return OkStatus();
                    })
                    .ok());
  } while (left.size() != 1 && std::chrono::steady_clock::now() < deadline);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(IdOf(left[0]), "new");
}

TEST_P(PushFeedTest, EveryInstanceHearsWhatAnyOtherQueued) {
  if (GetParam() == TestDatabase::kSqlite) GTEST_SKIP() << "several instances share PostgreSQL only";
  auto first = OpenInstance();
  auto second = OpenInstance();
  auto writer = OpenInstance();
  ASSERT_TRUE(first && second && writer);
  RecordingSink first_sink;
  RecordingSink second_sink;
  auto first_feed = StartFeed(*first, first_sink);
  auto second_feed = StartFeed(*second, second_sink);
  ASSERT_TRUE(first_feed && second_feed);

  ASSERT_TRUE(QueueDeletes(*writer, {"x", "y"}).ok());
  for (RecordingSink* sink : {&first_sink, &second_sink}) {
    const auto delivered = sink->WaitFor(2);
    ASSERT_EQ(delivered.size(), 2u);
    EXPECT_EQ(IdOf(delivered[0]), "x");
    EXPECT_EQ(IdOf(delivered[1]), "y");
  }
}

TEST_P(PushFeedTest, AListenerCutOffCatchesUpOnceAndOnlyOnce) {
  if (GetParam() == TestDatabase::kSqlite) GTEST_SKIP() << "the listener is PostgreSQL's";
  auto database = OpenInstance();
  ASSERT_NE(database, nullptr);
  RecordingSink sink;
  auto feed = StartFeed(*database, sink, Clock::System(),
                        {.poll_interval = std::chrono::minutes(5), .reconnect_delay = std::chrono::milliseconds(1500)});
  ASSERT_NE(feed, nullptr);
  ASSERT_TRUE(QueueDeletes(*database, {"heard"}).ok());
  ASSERT_EQ(sink.WaitFor(1).size(), 1u);

  // Cut the listener off, as a restarted database or a dropped connection would.
  ASSERT_TRUE(postgres_
                  ->Exec(postgres_database_,
                         "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%'")
                  .ok());
  const auto cut_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (feed->listening() && std::chrono::steady_clock::now() < cut_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(QueueDeletes(*database, {"missed"}).ok());

  const auto delivered = sink.WaitFor(2);
  ASSERT_EQ(delivered.size(), 2u);
  EXPECT_EQ(IdOf(delivered[1]), "missed");
  ASSERT_TRUE(QueueDeletes(*database, {"later"}).ok());
  const auto all = sink.WaitFor(3);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(sink.Delivered().size(), 3u) << "nothing is delivered twice";
  EXPECT_EQ(IdOf(all[2]), "later");
}

KW_SERVER_TEST_ON_EACH_DATABASE(PushFeedTest);

}  // namespace
}  // namespace keywarden::server::notifications
