// The SQLite store when its file is harmed under it or before it opens: deleted, replaced,
// read-only, a corrupt page, a dropped table. Nothing is acknowledged that would be lost, the
// store's Ping (what /health asks) says so, and Open refuses a file it cannot trust.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/fs.h>
#include <sqlite3.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "connector/store/database_key_store.h"
#include "support/temp_dir.h"

namespace keywarden::connector::store {
namespace {

namespace fs = std::filesystem;
using keywarden::testing::TempDir;

std::string TestUserId(unsigned n) {
  char id[40];
  std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012x", n);
  return id;
}

UserKeyRecord TestRecord(unsigned n, TimeMs created) {
  UserKeyRecord record;
  record.user_id = TestUserId(n);
  record.sealed.assign(60, 0xA5);  // a sealed 32-byte key's size
  record.data_key_version = 1;
  record.creation_date = created;
  return record;
}

custody::WrappedDataKey TestDataKey() {
  custody::WrappedDataKey key;
  key.version = 1;
  key.wrapped.assign(256, 7);
  key.provider_key_fingerprint = std::string(64, 'b');
  key.creation_date = 900;
  return key;
}

std::unique_ptr<SqliteKeyStore> MustOpen(const std::string& path) {
  auto store = SqliteKeyStore::Open(path);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

void Exec(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sql << ": " << sqlite3_errmsg(db);
  sqlite3_close(db);
}

// A store at dir/keys.db holding one data key and `rows` user keys, closed again.
std::string FilledDatabase(const TempDir& dir, unsigned rows) {
  const std::string path = dir.File("keys.db");
  auto store = MustOpen(path);
  EXPECT_TRUE(store->InitDataKey(TestDataKey()).ok());
  for (unsigned i = 1; i <= rows; ++i) EXPECT_TRUE(store->InsertUserKey(TestRecord(i, 1000)).ok());
  return path;
}

TEST(SqliteFileFaultsTest, ADeletedFileTakesNoWriteAndPingSaysSoUntilItIsBack) {
  TempDir dir;
  const std::string path = FilledDatabase(dir, 1);
  auto store = MustOpen(path);
  ASSERT_TRUE(store->Ping().ok());
  const std::string kept = dir.File("kept.db");
  fs::create_hard_link(path, kept);
  fs::remove(path);  // as `rm keys.db` would: the open file lives on, unreachable

  const Status write = store->UpsertUserKey(TestRecord(2, 2000));
  EXPECT_EQ(write.code(), ErrorCode::kUnavailable) << write.ToString();
  EXPECT_NE(write.message().find("deleted"), std::string::npos) << write.message();
  const Status ping = store->Ping();
  EXPECT_EQ(ping.code(), ErrorCode::kUnavailable) << ping.ToString();
  EXPECT_NE(ping.message().find(path), std::string::npos) << ping.message();

  // Put back, the file takes writes again, and the refused one was never stored.
  fs::create_hard_link(kept, path);
  EXPECT_TRUE(store->UpsertUserKey(TestRecord(3, 3000)).ok());
  EXPECT_TRUE(store->Ping().ok());
  EXPECT_EQ(store->GetUserKey(TestUserId(2)).status().code(), ErrorCode::kNotFound);
}

TEST(SqliteFileFaultsTest, AReplacedFileTakesNoWrite) {
  TempDir dir;
  const std::string path = FilledDatabase(dir, 1);
  auto store = MustOpen(path);
  const std::string other = dir.File("other.db");
  Exec(other, "CREATE TABLE unrelated(x)");
  fs::rename(other, path);

  const Status write = store->UpsertUserKey(TestRecord(2, 2000));
  EXPECT_EQ(write.code(), ErrorCode::kUnavailable) << write.ToString();
  EXPECT_NE(write.message().find("replaced"), std::string::npos) << write.message();
  EXPECT_FALSE(store->Ping().ok());
  EXPECT_FALSE(store->InsertUserKey(TestRecord(3, 3000)).ok());
}

// Root ignores a file's mode; the immutable attribute stops it too (where the file system has it).
class ReadOnlyFile {
 public:
  explicit ReadOnlyFile(const std::string& path) : path_(path) {
    ::chmod(path.c_str(), 0444);
    if (::geteuid() != 0) {
      read_only_ = true;
      return;
    }
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    int flags = 0;
    if (fd >= 0 && ::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0) {
      flags |= FS_IMMUTABLE_FL;
      immutable_ = read_only_ = ::ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
    }
    if (fd >= 0) ::close(fd);
  }
  ~ReadOnlyFile() {
    if (immutable_) {
      const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
      int flags = 0;
      if (fd >= 0 && ::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0) {
        flags &= ~FS_IMMUTABLE_FL;
        ::ioctl(fd, FS_IOC_SETFLAGS, &flags);
      }
      if (fd >= 0) ::close(fd);
    }
    ::chmod(path_.c_str(), 0600);
  }
  bool read_only() const { return read_only_; }

 private:
  std::string path_;
  bool read_only_ = false;
  bool immutable_ = false;
};

TEST(SqliteFileFaultsTest, AReadOnlyFileIsRefusedAtOpen) {
  TempDir dir;
  const std::string path = FilledDatabase(dir, 1);
  ReadOnlyFile read_only(path);
  if (!read_only.read_only()) {
    GTEST_SKIP() << "running as root where files cannot be made immutable";
  }
  auto store = SqliteKeyStore::Open(path);
  ASSERT_FALSE(store.ok()) << "a read-only database opened; its first write would fail";
  EXPECT_EQ(store.status().code(), ErrorCode::kUnavailable) << store.status().ToString();
  EXPECT_NE(store.status().message().find("cannot write"), std::string::npos) << store.status().message();
  EXPECT_NE(store.status().message().find(path), std::string::npos) << store.status().message();
}

TEST(SqliteFileFaultsTest, ACorruptPageIsRefusedAtOpen) {
  TempDir dir;
  const std::string path = FilledDatabase(dir, 300);  // user_keys spans many pages
  const auto size = fs::file_size(path);
  ASSERT_GT(size, 8u * 4096u);
  {
    // A page in the middle of the file: a user_keys page, never the header or the schema.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    const std::vector<char> garbage(4096, 0x5A);
    const auto page = static_cast<off_t>((size / 4096 / 2) * 4096);
    ASSERT_EQ(::pwrite(fd, garbage.data(), garbage.size(), page), 4096);
    ::close(fd);
  }
  auto store = SqliteKeyStore::Open(path);
  ASSERT_FALSE(store.ok()) << "a database with a corrupt page opened";
  EXPECT_EQ(store.status().code(), ErrorCode::kInternal) << store.status().ToString();
  EXPECT_NE(store.status().message().find("integrity check"), std::string::npos) << store.status().message();
  EXPECT_EQ(store.status().message().find('\n'), std::string::npos);
}

TEST(SqliteFileFaultsTest, ADroppedTableFailsPingAndAFailedWriteUntilOneSucceeds) {
  TempDir dir;
  const std::string path = FilledDatabase(dir, 1);
  auto store = MustOpen(path);
  ASSERT_TRUE(store->Ping().ok());
  Exec(path, "DROP TABLE user_keys");
  EXPECT_FALSE(store->Ping().ok()) << "Ping passed without the user_keys table";
  EXPECT_FALSE(store->UpsertUserKey(TestRecord(2, 2000)).ok());

  // The table back (as a restore would bring it), a write succeeds and Ping passes again.
  Exec(path,
       "CREATE TABLE user_keys(id TEXT PRIMARY KEY, sealed BLOB NOT NULL, data_key_version INTEGER NOT NULL, "
       "creation_date INTEGER NOT NULL, revision_date INTEGER, last_access_date INTEGER) WITHOUT ROWID");
  EXPECT_TRUE(store->UpsertUserKey(TestRecord(2, 2000)).ok());
  EXPECT_TRUE(store->Ping().ok());
}

TEST(SqliteFileFaultsTest, AFailedWriteFailsPingUntilAWriteSucceeds) {
  TempDir dir;
  const std::string path = FilledDatabase(dir, 1);
  auto store = MustOpen(path);
  // A trigger makes SQLite itself refuse writes to user_keys (as a damaged page or a full disk
  // would), while every table stays readable.
  Exec(path, "CREATE TRIGGER refuse BEFORE UPDATE ON user_keys BEGIN SELECT RAISE(ABORT, 'refused'); END");
  EXPECT_FALSE(store->UpsertUserKey(TestRecord(1, 2000)).ok());
  const Status ping = store->Ping();
  EXPECT_FALSE(ping.ok()) << "Ping passed right after a write failed";
  EXPECT_NE(ping.message().find("last write failed"), std::string::npos) << ping.message();
  Exec(path, "DROP TRIGGER refuse");
  EXPECT_TRUE(store->UpsertUserKey(TestRecord(1, 3000)).ok());
  EXPECT_TRUE(store->Ping().ok());
}

TEST(SqliteFileFaultsTest, CreatedSaysWhetherOpenMadeANewDatabase) {
  TempDir dir;
  const std::string path = dir.File("keys.db");
  EXPECT_TRUE(MustOpen(path)->created());
  EXPECT_FALSE(MustOpen(path)->created());
  EXPECT_TRUE(MustOpen(dir.Write("empty.db", ""))->created());
}

}  // namespace
}  // namespace keywarden::connector::store
