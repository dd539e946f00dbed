// sql/sqlite/sqlite_file_copy.h on real files with a toy schema (a `things` table): the check
// decides what is copied, a backup is one consistent snapshot while another connection keeps
// writing in WAL mode, and a restore never replaces a file another connection has open.
#include "sql/sqlite/sqlite_file_copy.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <thread>

#include "support/temp_dir.h"

namespace keywarden::sql {
namespace {

namespace fs = std::filesystem;
using keywarden::testing::TempDir;

// One connection to a WAL database with a `things` table, closed when it goes.
class Things {
 public:
  explicit Things(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    Exec("PRAGMA journal_mode=WAL; PRAGMA user_version=1; CREATE TABLE IF NOT EXISTS things(n INTEGER);");
  }
  ~Things() { sqlite3_close(db_); }
  void Exec(const std::string& sql) {
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db_);
  }
  // One transaction: n rows, so that a consistent copy always holds a multiple of n.
  void AddBatch(int n) {
    std::string sql = "BEGIN;";
    for (int i = 0; i < n; ++i) sql += "INSERT INTO things VALUES(1);";
    Exec(sql + "COMMIT;");
  }

 private:
  sqlite3* db_ = nullptr;
};

// Accepts a file with a `things` table and user_version 1 (2 only when allow_newer), counting its rows.
SqliteFileCheck CountThings(std::int64_t& rows) {
  return [&rows](SqliteFileReader& file, bool allow_newer) -> Status {
    KW_ASSIGN_OR_RETURN(std::int64_t tables, file.Integer("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'things'",
                                                          "to read the schema of"));
    KW_ASSIGN_OR_RETURN(std::int64_t version, file.Integer("PRAGMA user_version", "to read the version of"));
    if (tables != 1) return InvalidArgumentError("not a things database");
    if (version > (allow_newer ? 2 : 1)) return InvalidArgumentError("too new");
    KW_ASSIGN_OR_RETURN(rows, file.Integer("SELECT COUNT(*) FROM things", "to count the things in"));
    return OkStatus();
  };
}

std::set<std::string> FileNames(const fs::path& folder) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder)) names.insert(entry.path().filename().string());
  return names;
}

TEST(SqliteFileCopy, ABackupIsOneConsistentSnapshotWhileAnotherConnectionWrites) {
  TempDir dir;
  const std::string source = dir.File("things.db");
  Things writer(source);
  writer.AddBatch(10);
  std::atomic<bool> stop{false};
  std::thread writing([&] {
    Things other(source);
    while (!stop.load()) other.AddBatch(10);
  });
  std::int64_t rows = -1;
  const Status backup = BackupSqliteFile(source, dir.File("backup.db"), false, CountThings(rows));
  stop = true;
  writing.join();
  ASSERT_TRUE(backup.ok()) << backup.message();
  EXPECT_GE(rows, 10);
  EXPECT_EQ(rows % 10, 0) << "a transaction was copied in part";
  std::int64_t again = -1;
  ASSERT_TRUE(CheckSqliteFile(dir.File("backup.db"), CountThings(again)).ok());
  EXPECT_EQ(again, rows);
  struct stat st {};
  ASSERT_EQ(::stat(dir.File("backup.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(fs::exists(dir.File("backup.db-wal")));
}

TEST(SqliteFileCopy, WhatTheCheckRefusesIsNeitherCopiedNorStaged) {
  TempDir dir;
  const std::string other = dir.File("other.db");
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(other.c_str(), &db), SQLITE_OK);
    sqlite3_exec(db, "CREATE TABLE stuff(x); PRAGMA user_version=1;", nullptr, nullptr, nullptr);
    sqlite3_close(db);
  }
  const std::string newer = dir.File("newer.db");
  { Things(newer).Exec("PRAGMA user_version=2;"); }
  const std::set<std::string> names = FileNames(dir.path());
  std::int64_t rows = 0;
  EXPECT_EQ(BackupSqliteFile(other, dir.File("b.db"), false, CountThings(rows)).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(StagedSqliteRestore::Stage(other, dir.File("t.db"), true, CountThings(rows)).status().code(),
            ErrorCode::kInvalidArgument);
  // A newer schema is backed up as it is, but not restored.
  EXPECT_EQ(StagedSqliteRestore::Stage(newer, dir.File("t.db"), true, CountThings(rows)).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(FileNames(dir.path()), names);
  EXPECT_TRUE(BackupSqliteFile(newer, dir.File("b.db"), false, CountThings(rows)).ok());
}

TEST(SqliteFileCopy, CommitWaitsForTheTargetToBeClosedEverywhere) {
  TempDir dir;
  const std::string target = dir.File("things.db");
  const std::string backup = dir.File("backup.db");
  std::int64_t rows = 0;
  {
    Things source(dir.File("source.db"));
    source.AddBatch(3);
  }
  ASSERT_TRUE(BackupSqliteFile(dir.File("source.db"), backup, false, CountThings(rows)).ok());
  auto open = std::make_unique<Things>(target);
  open->AddBatch(5);
  {
    auto staged = StagedSqliteRestore::Stage(backup, target, /*replace=*/true, CountThings(rows));
    ASSERT_TRUE(staged.ok()) << staged.status().message();
    auto refused = (*staged)->Commit();
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().code(), ErrorCode::kUnavailable);
    EXPECT_NE(refused.status().message().find("in use"), std::string::npos);
  }
  ASSERT_TRUE(CheckSqliteFile(target, CountThings(rows)).ok());
  EXPECT_EQ(rows, 5) << "the open database was left alone";
  open.reset();
  auto staged = StagedSqliteRestore::Stage(backup, target, /*replace=*/true, CountThings(rows));
  ASSERT_TRUE(staged.ok()) << staged.status().message();
  auto kept = (*staged)->Commit();
  ASSERT_TRUE(kept.ok()) << kept.status().message();
  ASSERT_TRUE(CheckSqliteFile(target, CountThings(rows)).ok());
  EXPECT_EQ(rows, 3);
  ASSERT_TRUE(CheckSqliteFile(*kept, CountThings(rows)).ok());
  EXPECT_EQ(rows, 5);
}

}  // namespace
}  // namespace keywarden::sql
