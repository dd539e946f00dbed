#include "connector/user_keys/last_access_batcher.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <thread>
#include <vector>

#include "connector/store/database_key_store.h"
#include "support/temp_dir.h"
#include "support/wait.h"

// Only the test-record helpers: the conformance tests themselves run in store_tests.
#define KEYWARDEN_KEY_STORE_CONFORMANCE_FIXTURE_ONLY
#include "connector/store/key_store_conformance.h"

namespace keywarden::connector {
namespace {

using keywarden::testing::TempDir;
using store::conformance::TestRecord;
using store::conformance::TestUserId;
using namespace std::chrono_literals;

constexpr auto kNever = std::chrono::hours(24);  // an interval no test waits out
// How long a test waits for the batcher's thread before it fails: far beyond any interval here.
constexpr auto kPatience = 30s;

// A real SQLite store in a private temp directory, holding users 1..users.
class StoreFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    connector::store::SqliteOptions options;
    options.busy_timeout = std::chrono::seconds(60);  // outlasts the lock one test holds
    auto store = connector::store::SqliteKeyStore::Open(path(), options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    for (unsigned n = 1; n <= 8; ++n) ASSERT_TRUE(store_->InsertUserKey(TestRecord(n, 100)).ok());
  }
  void TearDown() override { store_.reset(); }

  std::string path() const { return dir_.File("keys.db"); }

  std::optional<TimeMs> LastAccess(unsigned n) {
    auto record = store_->GetUserKey(TestUserId(n));
    EXPECT_TRUE(record.ok());
    return record.ok() ? record->last_access_date : std::nullopt;
  }
  // Polls until user n shows `when`; fails the test after kPatience (a bound on a hang, not a
  // timing assertion).
  void AwaitLastAccess(unsigned n, TimeMs when) {
    KW_ASSERT_EVENTUALLY(LastAccess(n) == when, kPatience)
        << "user " << n << "'s last access is " << LastAccess(n).value_or(-1) << " (-1: none), not " << when;
  }

  TempDir dir_;  // declared first: the store goes before its folder
  std::unique_ptr<connector::store::SqliteKeyStore> store_;
};

using LastAccessBatcherTest = StoreFixture;

TEST_F(LastAccessBatcherTest, RecordDoesNotWriteUntilFlush) {
  LastAccessBatcher batcher(*store_, kNever);
  const std::uint64_t writes = store_->write_count();
  batcher.Record(TestUserId(1), 5000);
  EXPECT_EQ(batcher.pending(), 1u);
  EXPECT_EQ(store_->write_count(), writes);
  EXPECT_EQ(LastAccess(1), std::nullopt);

  ASSERT_TRUE(batcher.Flush().ok());
  EXPECT_EQ(LastAccess(1), 5000);
  EXPECT_EQ(batcher.pending(), 0u);
}

TEST_F(LastAccessBatcherTest, KeepsTheLatestTimePerUserInOneWrite) {
  LastAccessBatcher batcher(*store_, kNever);
  batcher.Record(TestUserId(1), 5000);
  batcher.Record(TestUserId(1), 3000);
  batcher.Record(TestUserId(1), 7000);
  batcher.Record(TestUserId(2), 9000);
  batcher.Record(TestUserId(2), 8000);
  EXPECT_EQ(batcher.pending(), 2u);

  const std::uint64_t writes = store_->write_count();
  ASSERT_TRUE(batcher.Flush().ok());
  EXPECT_EQ(store_->write_count(), writes + 1);
  EXPECT_EQ(LastAccess(1), 7000);
  EXPECT_EQ(LastAccess(2), 9000);
  EXPECT_EQ(LastAccess(3), std::nullopt);
}

TEST_F(LastAccessBatcherTest, UnknownUsersCreateNoRows) {
  LastAccessBatcher batcher(*store_, kNever);
  batcher.Record(TestUserId(999), 5000);
  ASSERT_TRUE(batcher.Flush().ok());
  EXPECT_EQ(store_->GetUserKey(TestUserId(999)).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->CountUserKeys().value(), 8u);
}

TEST_F(LastAccessBatcherTest, FlushWithNothingPendingWritesNothing) {
  LastAccessBatcher batcher(*store_, kNever);
  const std::uint64_t writes = store_->write_count();
  EXPECT_TRUE(batcher.Flush().ok());
  EXPECT_EQ(store_->write_count(), writes);
}

TEST_F(LastAccessBatcherTest, DestructionFlushes) {
  {
    LastAccessBatcher batcher(*store_, kNever);
    batcher.Record(TestUserId(3), 4242);
  }
  EXPECT_EQ(LastAccess(3), 4242);
}

TEST_F(LastAccessBatcherTest, BackgroundThreadFlushesEveryInterval) {
  LastAccessBatcher batcher(*store_, std::chrono::milliseconds(5));
  batcher.Record(TestUserId(4), 1111);
  AwaitLastAccess(4, 1111);
  batcher.Record(TestUserId(4), 2222);
  AwaitLastAccess(4, 2222);
}

TEST_F(LastAccessBatcherTest, AFullMapFlushesEarly) {
  LastAccessBatcher batcher(*store_, kNever, /*max_pending=*/4);
  for (unsigned n = 1; n <= 4; ++n) batcher.Record(TestUserId(n), 6000 + n);
  for (unsigned n = 1; n <= 4; ++n) AwaitLastAccess(n, 6000 + n);
}

TEST_F(LastAccessBatcherTest, NewUsersBeyondTheBoundAreDroppedWhileAFlushIsStuck) {
  // Another connection holds the write lock, so the early flush hangs inside the store.
  sqlite3* blocker = nullptr;
  ASSERT_EQ(sqlite3_open(path().c_str(), &blocker), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(blocker, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);

  LastAccessBatcher batcher(*store_, kNever, /*max_pending=*/2);
  batcher.Record(TestUserId(1), 10);
  batcher.Record(TestUserId(2), 20);  // full: the thread takes the map and blocks on the lock
  // Non-fatal: returning now would leave the blocker's transaction open for the batcher's thread.
  KW_EXPECT_EVENTUALLY(batcher.pending() == 0, kPatience) << "the full map was never taken for flushing";

  batcher.Record(TestUserId(3), 30);
  batcher.Record(TestUserId(4), 40);  // full again
  batcher.Record(TestUserId(5), 50);  // no room: dropped, and Record did not wait
  batcher.Record(TestUserId(4), 45);  // a known user still updates
  EXPECT_EQ(batcher.dropped(), 1u);
  EXPECT_EQ(batcher.pending(), 2u);

  ASSERT_EQ(sqlite3_exec(blocker, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(blocker);
  AwaitLastAccess(2, 20);
  ASSERT_TRUE(batcher.Flush().ok());
  EXPECT_EQ(LastAccess(1), 10);
  EXPECT_EQ(LastAccess(3), 30);
  EXPECT_EQ(LastAccess(4), 45);
  EXPECT_EQ(LastAccess(5), std::nullopt);
}

TEST_F(LastAccessBatcherTest, ManyThreadsRecordingAllLand) {
  LastAccessBatcher batcher(*store_, kNever);
  std::vector<std::thread> threads;
  for (unsigned t = 1; t <= 8; ++t) {
    threads.emplace_back([&batcher, t] {
      for (TimeMs i = 1; i <= 200; ++i) batcher.Record(TestUserId(t), t * 1000 + i);
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_TRUE(batcher.Flush().ok());
  for (unsigned t = 1; t <= 8; ++t) EXPECT_EQ(LastAccess(t), t * 1000 + 200);
}

}  // namespace
}  // namespace keywarden::connector
