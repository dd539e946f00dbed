#include "connector/store/database_key_store.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>
#include <vector>

#include "connector/store/key_store_conformance.h"
#include "support/wait.h"

namespace keywarden::connector::store {
namespace {

namespace fs = std::filesystem;
using conformance::KeyStoreConformanceTest;
using conformance::KeyStoreFactory;
using conformance::KeyStoreFactoryName;
using conformance::TestDataKey;
using conformance::TestRecord;
using conformance::TestUserId;

using keywarden::testing::TempDir;

// The conformance suite's stores live in one directory per test program run.
class ConformanceFiles : public ::testing::Environment {
 public:
  void TearDown() override { dir_.reset(); }
  static std::string NextPath() {
    static std::atomic<int> counter{0};
    if (!dir_) dir_ = std::make_unique<TempDir>();
    return dir_->File("conformance-" + std::to_string(counter++) + ".db");
  }

 private:
  static inline std::unique_ptr<TempDir> dir_;
};
[[maybe_unused]] ::testing::Environment* const kConformanceFiles =
    ::testing::AddGlobalTestEnvironment(new ConformanceFiles);

INSTANTIATE_TEST_SUITE_P(Sqlite, KeyStoreConformanceTest,
                         ::testing::Values(KeyStoreFactory{"Sqlite",
                                                           []() -> std::unique_ptr<connector::store::KeyStore> {
                                                             auto store = connector::store::SqliteKeyStore::Open(
                                                                 ConformanceFiles::NextPath());
                                                             EXPECT_TRUE(store.ok()) << store.status().ToString();
                                                             if (!store.ok()) return nullptr;
                                                             return std::move(*store);
                                                           },
                                                           connector::store::SqliteKeyStore::kSchemaVersion}),
                         KeyStoreFactoryName);

std::unique_ptr<connector::store::SqliteKeyStore> MustOpen(const std::string& path,
                                                           const connector::store::SqliteOptions& options = {}) {
  auto store = connector::store::SqliteKeyStore::Open(path, options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

// A plain SQLite connection of the test's own, to look at or lock the file from outside the store.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    sqlite3_busy_timeout(db_, 30000);
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  void Exec(const char* sql) { ASSERT_EQ(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sql; }
  std::string Text(const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

// Waits until `n` writes queue. Non-fatal when they do not within 30 s: the caller must still
// release the lock its writers wait on and join them.
void AwaitPendingWrites(const connector::store::SqliteKeyStore& store, std::size_t n) {
  KW_EXPECT_EVENTUALLY(store.pending_writes() >= n, std::chrono::seconds(30))
      << store.pending_writes() << " of " << n << " writes queued behind the lock";
}

connector::store::SqliteOptions PatientOptions() {
  connector::store::SqliteOptions options;
  options.busy_timeout = std::chrono::seconds(60);
  return options;
}

TEST(SqliteKeyStoreTest, PersistsAcrossCloseAndReopen) {
  TempDir dir;
  const std::string path = dir.File("keys.db");
  connector::store::UserKeyRecord record = TestRecord(1, 1000);
  record.last_access_date = 1500;
  {
    auto store = MustOpen(path);
    ASSERT_TRUE(store->InsertUserKey(record).ok());
    ASSERT_TRUE(store->InitDataKey(TestDataKey(1, 7, 900)).ok());
  }
  auto store = MustOpen(path);
  auto got = store->GetUserKey(record.user_id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->sealed, record.sealed);
  EXPECT_EQ(got->last_access_date, 1500);
  auto keys = store->ListDataKeys();
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].wrapped, TestDataKey(1, 7, 900).wrapped);
}

TEST(SqliteKeyStoreTest, ConcurrentUpsertsShareCommits) {
  TempDir dir;
  const std::string path = dir.File("keys.db");
  auto store = MustOpen(path, PatientOptions());
  RawDb blocker(path);
  // Hold the write lock so the writes pile up behind the first one, as they would behind an fsync.
  blocker.Exec("BEGIN IMMEDIATE");

  constexpr unsigned kThreads = 32;
  std::vector<Status> results(kThreads);
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] { results[t] = store->UpsertUserKey(TestRecord(t + 1, 1000)); });
  }
  AwaitPendingWrites(*store, kThreads);
  blocker.Exec("COMMIT");
  for (auto& thread : threads) thread.join();

  for (const Status& s : results) EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(store->write_count(), kThreads);
  EXPECT_LT(store->commit_count(), store->write_count());
  EXPECT_EQ(store->commit_count(), 1u);  // the leader chose its batch after the lock came free
  EXPECT_EQ(store->CountUserKeys().value(), kThreads);
}

TEST(SqliteKeyStoreTest, AFailedWriteInABatchLeavesTheOthers) {
  TempDir dir;
  const std::string path = dir.File("keys.db");
  auto store = MustOpen(path, PatientOptions());
  ASSERT_TRUE(store->InsertUserKey(TestRecord(1, 1000, 0x11)).ok());
  ASSERT_TRUE(store->InsertUserKey(TestRecord(5, 1000)).ok());
  const std::uint64_t commits_before = store->commit_count();

  RawDb blocker(path);
  blocker.Exec("BEGIN IMMEDIATE");
  Status duplicate, fresh, upsert, missing_delete;
  std::vector<std::thread> threads;
  threads.emplace_back([&] { duplicate = store->InsertUserKey(TestRecord(1, 2000, 0x22)); });
  threads.emplace_back([&] { fresh = store->InsertUserKey(TestRecord(2, 2000)); });
  threads.emplace_back([&] { upsert = store->UpsertUserKey(TestRecord(5, 2000, 0x33)); });
  threads.emplace_back([&] { missing_delete = store->DeleteUserKey(TestUserId(9)); });
  AwaitPendingWrites(*store, threads.size());
  blocker.Exec("COMMIT");
  for (auto& thread : threads) thread.join();

  EXPECT_EQ(duplicate.code(), ErrorCode::kAlreadyExists);
  EXPECT_TRUE(fresh.ok()) << fresh.ToString();
  EXPECT_TRUE(upsert.ok()) << upsert.ToString();
  EXPECT_EQ(missing_delete.code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->commit_count(), commits_before + 1);
  EXPECT_EQ(store->GetUserKey(TestUserId(1))->sealed, TestRecord(1, 1000, 0x11).sealed);
  EXPECT_TRUE(store->GetUserKey(TestUserId(2)).ok());
  EXPECT_EQ(store->GetUserKey(TestUserId(5))->sealed, TestRecord(5, 2000, 0x33).sealed);
}

// Two processes start on the same new file at once; both must come away with one data key.
TEST(SqliteKeyStoreTest, ProcessesRacingInitDataKeyAgree) {
  TempDir dir;
  const std::string path = dir.File("keys.db");
  int go[2];
  ASSERT_EQ(pipe(go), 0);

  struct Child {
    pid_t pid;
    int out;
  };
  std::vector<Child> children;
  for (std::uint8_t candidate : {0x01, 0x02}) {
    int out[2];
    ASSERT_EQ(pipe(out), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(go[1]);
      close(out[0]);
      char byte;
      (void)!read(go[0], &byte, 1);  // returns at EOF, when the parent lets both go
      auto store = connector::store::SqliteKeyStore::Open(path, PatientOptions());
      if (!store.ok()) {
        fprintf(stderr, "child: %s\n", store.status().ToString().c_str());
        _exit(2);
      }
      auto key = (*store)->InitDataKey(TestDataKey(1, candidate, candidate));
      if (!key.ok()) _exit(3);
      const auto& bytes = key->wrapped;
      if (write(out[1], bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) _exit(4);
      _exit(0);
    }
    close(out[1]);
    children.push_back({pid, out[0]});
  }
  close(go[0]);
  close(go[1]);

  // Each child waits at most its busy timeout (60 s) for the other's lock; one that is still
  // running after 90 s is killed, and the test fails.
  std::vector<std::optional<int>> statuses(children.size());
  const bool both_exited = keywarden::testing::WaitUntil(
      [&] {
        bool all = true;
        for (std::size_t i = 0; i < children.size(); ++i) {
          if (!statuses[i])
            statuses[i] = keywarden::testing::WaitForExit(children[i].pid, std::chrono::milliseconds(0));
          all = all && statuses[i].has_value();
        }
        return all;
      },
      std::chrono::seconds(90));
  for (std::size_t i = 0; i < children.size(); ++i) {
    if (statuses[i]) continue;
    kill(children[i].pid, SIGKILL);
    statuses[i] = keywarden::testing::WaitForExit(children[i].pid, std::chrono::seconds(10));
  }
  std::vector<std::vector<std::uint8_t>> reported;
  for (const Child& child : children) {  // the writers are gone: each read ends at EOF
    std::vector<std::uint8_t> bytes;
    std::uint8_t buffer[512];
    ssize_t n;
    while ((n = read(child.out, buffer, sizeof buffer)) > 0) bytes.insert(bytes.end(), buffer, buffer + n);
    close(child.out);
    reported.push_back(std::move(bytes));
  }
  ASSERT_TRUE(both_exited) << "the two processes did not both finish InitDataKey within 90 s; killed";
  for (const std::optional<int>& status : statuses) {
    ASSERT_TRUE(status.has_value() && *status != -1) << "a child could not be waited for";
    ASSERT_TRUE(WIFEXITED(*status));
    EXPECT_EQ(WEXITSTATUS(*status), 0);
  }
  ASSERT_EQ(reported.size(), 2u);
  EXPECT_EQ(reported[0].size(), 256u);
  EXPECT_EQ(reported[0], reported[1]);

  auto store = MustOpen(path);
  auto keys = store->ListDataKeys();
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].wrapped, reported[0]);
}

TEST(SqliteKeyStoreTest, MigratesAnEmptyFileToTheCurrentVersion) {
  TempDir dir;
  const std::string path = dir.File("empty.db");
  std::ofstream(path).close();
  ASSERT_TRUE(fs::exists(path));
  ASSERT_EQ(fs::file_size(path), 0u);
  {
    auto store = MustOpen(path);
    ASSERT_NE(store, nullptr);
  }
  RawDb raw(path);
  EXPECT_EQ(raw.Text("PRAGMA user_version"), std::to_string(connector::store::SqliteKeyStore::kSchemaVersion));
  EXPECT_EQ(raw.Text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.Text("SELECT COUNT(*) FROM sqlite_schema WHERE name IN ('user_keys', 'data_keys')"), "2");
}

// GetUserKey reuses a read snapshot; it must never hide this store's own writes.
TEST(SqliteKeyStoreTest, OwnWritesAreVisibleAtOnceDespiteSnapshotReuse) {
  TempDir dir;
  connector::store::SqliteOptions options;
  options.snapshot_window = std::chrono::hours(1);
  auto store = MustOpen(dir.File("own.db"), options);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->InsertUserKey(conformance::TestRecord(1, 1000, 0x11)).ok());
  for (std::uint8_t fill = 0x20; fill < 0x30; ++fill) {
    ASSERT_TRUE(store->GetUserKey(conformance::TestUserId(1)).ok());  // holds a snapshot open
    ASSERT_TRUE(store->UpsertUserKey(conformance::TestRecord(1, 1000, fill)).ok());
    auto got = store->GetUserKey(conformance::TestUserId(1));
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->sealed, conformance::TestRecord(1, 1000, fill).sealed);
  }
  ASSERT_TRUE(store->DeleteUserKey(conformance::TestUserId(1)).ok());
  EXPECT_EQ(store->GetUserKey(conformance::TestUserId(1)).status().code(), ErrorCode::kNotFound);
}

// Another process's write shows within the snapshot window, and an idle snapshot is ended so
// that it does not hold back a full checkpoint.
TEST(SqliteKeyStoreTest, OtherWritersShowWithinTheWindowAndIdleSnapshotsEnd) {
  TempDir dir;
  const std::string path = dir.File("shared.db");
  connector::store::SqliteOptions options;
  options.snapshot_window = std::chrono::milliseconds(30);
  auto reader = MustOpen(path, options);
  auto writer = MustOpen(path);
  ASSERT_NE(reader, nullptr);
  ASSERT_NE(writer, nullptr);
  ASSERT_TRUE(writer->InsertUserKey(conformance::TestRecord(1, 1000, 0x11)).ok());
  ASSERT_TRUE(reader->GetUserKey(conformance::TestUserId(1)).ok());
  ASSERT_TRUE(writer->UpsertUserKey(conformance::TestRecord(1, 1000, 0x22)).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto got = reader->GetUserKey(conformance::TestUserId(1));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->sealed, conformance::TestRecord(1, 1000, 0x22).sealed);

  for (unsigned n = 2; n < 50; ++n) ASSERT_TRUE(writer->InsertUserKey(conformance::TestRecord(n, 1000)).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(150));  // the janitor's turn
  RawDb raw(path);
  EXPECT_EQ(raw.Text("PRAGMA wal_checkpoint(TRUNCATE)"), "0") << "a read snapshot held the checkpoint back";
}

// A file written by schema version 1 (one wrapping column in data_keys) is carried to the current
// version (2: wrappings in their own table; 3: user_keys clustered on id) with its data key and
// user keys intact.
TEST(SqliteKeyStoreTest, MigratesAVersion1Database) {
  TempDir dir;
  const std::string path = dir.File("v1.db");
  {
    RawDb raw(path);
    raw.Exec(
        "CREATE TABLE user_keys(id TEXT PRIMARY KEY, sealed BLOB NOT NULL, data_key_version INTEGER NOT NULL,"
        "  creation_date INTEGER NOT NULL, revision_date INTEGER, last_access_date INTEGER);"
        "CREATE TABLE data_keys(version INTEGER PRIMARY KEY, wrapped BLOB NOT NULL,"
        "  provider_fingerprint TEXT NOT NULL, creation_date INTEGER NOT NULL);"
        "INSERT INTO data_keys VALUES(1, x'0102030405', 'abcd', 1000);"
        "INSERT INTO user_keys VALUES('00000000-0000-4000-8000-000000000001', x'aabbcc', 1, 2000, 2100, 2200);"
        "PRAGMA user_version = 1;");
  }
  auto store = MustOpen(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->SchemaVersion().value(), connector::store::SqliteKeyStore::kSchemaVersion);
  auto keys = store->ListDataKeys();
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].version, 1u);
  EXPECT_EQ((*keys)[0].wrapped, (std::vector<std::uint8_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ((*keys)[0].provider_key_fingerprint, "abcd");
  EXPECT_EQ((*keys)[0].creation_date, 1000);
  auto user = store->GetUserKey("00000000-0000-4000-8000-000000000001");
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->sealed, (std::vector<std::uint8_t>{0xaa, 0xbb, 0xcc}));
  EXPECT_EQ(user->revision_date, std::optional<std::int64_t>(2100));
  EXPECT_EQ(user->last_access_date, std::optional<std::int64_t>(2200));
  RawDb raw(path);
  EXPECT_NE(raw.Text("SELECT sql FROM sqlite_schema WHERE name = 'user_keys'").find("WITHOUT ROWID"),
            std::string::npos);
  EXPECT_EQ(raw.Text("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'user_keys_by_id'"), "0");
}

TEST(SqliteKeyStoreTest, ANewDatabaseIsReadableByItsOwnerOnly) {
  TempDir dir;
  const std::string path = dir.File("new.db");
  const mode_t old_umask = ::umask(022);
  auto store = MustOpen(path);
  ::umask(old_umask);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->InsertUserKey(conformance::TestRecord(1, 1000)).ok());
  for (const std::string& file : {path, path + "-wal"}) {
    EXPECT_EQ(fs::status(file).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write) << file;
  }
}

TEST(SqliteKeyStoreTest, RefusesANewerSchema) {
  TempDir dir;
  const std::string path = dir.File("future.db");
  { MustOpen(path); }
  {
    RawDb raw(path);
    const std::string sql =
        "PRAGMA user_version = " + std::to_string(connector::store::SqliteKeyStore::kSchemaVersion + 1);
    raw.Exec(sql.c_str());
  }
  auto store = connector::store::SqliteKeyStore::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(store.status().message(), "database schema version " +
                                          std::to_string(connector::store::SqliteKeyStore::kSchemaVersion + 1) +
                                          " is newer than this keywarden supports (" +
                                          std::to_string(connector::store::SqliteKeyStore::kSchemaVersion) + ")");
}

TEST(SqliteKeyStoreTest, CorruptFileIsAClearError) {
  TempDir dir;
  const std::string path = dir.File("corrupt.db");
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 512; ++i) out << "this is not a database, just text ";
  }
  auto store = connector::store::SqliteKeyStore::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), ErrorCode::kInternal);
  EXPECT_NE(store.status().message().find("not a database"), std::string::npos) << store.status().message();
  EXPECT_EQ(store.status().message().find('\n'), std::string::npos);
}

TEST(SqliteKeyStoreTest, UnopenablePathIsUnavailable) {
  TempDir dir;
  auto store = connector::store::SqliteKeyStore::Open(dir.File("no-such-dir/keys.db"));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), ErrorCode::kUnavailable);
}

TEST(SqliteKeyStoreTest, RejectsPathsThatAreNotFiles) {
  EXPECT_EQ(connector::store::SqliteKeyStore::Open("").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(connector::store::SqliteKeyStore::Open(":memory:").status().code(), ErrorCode::kInvalidArgument);
}

TEST(SqliteKeyStoreTest, ErrorsNeverQuoteRowContent) {
  TempDir dir;
  const std::string path = dir.File("keys.db");
  auto store = MustOpen(path);
  ASSERT_TRUE(store->InsertUserKey(TestRecord(1, 1000)).ok());
  Status s = store->InsertUserKey(TestRecord(1, 1000));
  EXPECT_EQ(s.message().find(TestUserId(1)), std::string::npos);
  s = store->DeleteUserKey(TestUserId(2));
  EXPECT_EQ(s.message().find(TestUserId(2)), std::string::npos);
}

}  // namespace
}  // namespace keywarden::connector::store
