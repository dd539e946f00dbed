// The event log's writer on SQLite and on PostgreSQL: events are stored in batches off the
// caller's thread, Flush waits for what was recorded before it, a full queue drops (and counts)
// instead of blocking, and stopping writes everything still queued.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "server/events/events_fixture.h"

namespace keywarden::server::testing {
namespace {

constexpr sql::Statement kCountOfType = {"test_events_count_of_type", "SELECT COUNT(*) FROM events WHERE type = $1",
                                         nullptr, nullptr, "to count events"};
// Holds the events table against writers until the transaction ends: PostgreSQL's table lock,
// SQLite's write lock (taken by any write).
constexpr sql::Statement kHoldEvents = {"test_events_hold", "LOCK TABLE events IN EXCLUSIVE MODE", nullptr,
                                        "INSERT INTO events(id, type, date) VALUES ('held', -1, 0)",
                                        "to hold the events table"};

class EventLogTest : public EventsTest {
 protected:
  std::int64_t Count(int type) {
    std::int64_t count = -1;
    const Status read = db().Read([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kCountOfType, sql::Params().Int(type)));
      KW_ASSIGN_OR_RETURN(count, rows.Int(0, 0));
      return OkStatus();
    });
    EXPECT_TRUE(read.ok()) << read.message();
    return count;
  }

  static events::Event Numbered(int type) {
    events::Event event;
    event.type = type;
    event.date = NowMs();
    event.user_id = NewId();
    event.device_type = 25;
    event.ip_address = "192.0.2.1";
    return event;
  }

  // Holds the events table from a third connection until Release() (or 10 s).
  class Hold {
   public:
    explicit Hold(std::unique_ptr<sql::Database> database) : database_(std::move(database)) {
      std::promise<void> held;
      auto held_future = held.get_future();
      thread_ = std::thread([this, held = std::move(held)]() mutable {
        const Status done = database_->Transact([&](sql::Session& session) -> Status {
          KW_RETURN_IF_ERROR(session.Execute(kHoldEvents).status());
          held.set_value();
          release_.get_future().wait_for(std::chrono::seconds(10));
          return InvalidArgumentError("released");  // rolls back: nothing stays
        });
        EXPECT_EQ(done.code(), ErrorCode::kInvalidArgument) << done.message();
      });
      EXPECT_EQ(held_future.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    }
    void Release() {
      if (released_) return;
      released_ = true;
      release_.set_value();
      thread_.join();
    }
    ~Hold() { Release(); }

   private:
    std::unique_ptr<sql::Database> database_;
    std::promise<void> release_;
    bool released_ = false;
    std::thread thread_;
  };

  std::unique_ptr<Hold> HoldEvents() {
    auto database = OpenServerDatabase(config_->database);
    EXPECT_TRUE(database.ok());
    if (!database.ok()) return nullptr;
    return std::make_unique<Hold>(*std::move(database));
  }
};

TEST_P(EventLogTest, FlushReturnsOnceEverythingRecordedIsStored) {
  events::EventLog log(db());
  for (int i = 0; i < 300; ++i) log.Record(Numbered(7001));
  log.Flush();
  EXPECT_EQ(Count(7001), 300);
  EXPECT_EQ(log.dropped(), 0u);
  log.Flush();  // nothing queued: returns at once
}

TEST_P(EventLogTest, WritesInBatches) {
  events::EventLog log(db(), {.max_queued = 1000, .max_batch = 7});
  const auto before = SqliteWriteCounts(db());
  {
    auto hold = HoldEvents();
    ASSERT_NE(hold, nullptr);
    for (int i = 0; i < 100; ++i) log.Record(Numbered(7002));
    hold->Release();
  }
  log.Flush();
  EXPECT_EQ(Count(7002), 100);
  if (before.has_value()) {
    // Queued while the table was held, so written seven at a time: at most one more
    // transaction for what the writer took before it blocked.
    const auto after = SqliteWriteCounts(db());
    EXPECT_LE(after->transactions - before->transactions, 100u / 7 + 2);
    EXPECT_GE(after->transactions - before->transactions, 100u / 7);
  }
}

TEST_P(EventLogTest, AFullQueueDropsAndCountsWithoutBlocking) {
  events::EventLog log(db(), {.max_queued = 5, .max_batch = 500});
  auto hold = HoldEvents();
  ASSERT_NE(hold, nullptr);
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) log.Record(Numbered(7003));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));  // never waited
  // The writer holds at most one queue's worth, blocked on the table; at most five wait.
  const std::uint64_t dropped = log.dropped();
  EXPECT_GE(dropped, 90u);
  hold->Release();
  log.Flush();
  EXPECT_EQ(Count(7003), static_cast<std::int64_t>(100 - dropped));
  EXPECT_EQ(log.dropped(), dropped);
}

TEST_P(EventLogTest, NothingQueuedIsLostOnShutdown) {
  {
    events::EventLog log(db(), {.max_queued = 10000, .max_batch = 50});
    for (int i = 0; i < 2000; ++i) log.Record(Numbered(7004));
  }  // no Flush: the destructor writes the rest
  EXPECT_EQ(Count(7004), 2000);
}

TEST_P(EventLogTest, RecordsFromManyThreads) {
  events::EventLog log(db());
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&log] {
      for (int i = 0; i < 100; ++i) log.Record(Numbered(7005));
    });
  }
  for (auto& thread : threads) thread.join();
  log.Flush();
  EXPECT_EQ(Count(7005), 800);
}

KW_SERVER_TEST_ON_EACH_DATABASE(EventLogTest);

}  // namespace
}  // namespace keywarden::server::testing
