// store/sqlite_backup.h on real files: the cases the CLI tests do not reach (a damaged database
// being replaced with its stale WAL, a staged copy still open at Commit, an abandoned restore).
#include "connector/store/sqlite_backup.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "connector/store/database_key_store.h"
#include "support/temp_dir.h"

namespace keywarden::connector::store {
namespace {

namespace fs = std::filesystem;
using keywarden::testing::TempDir;

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A database with one user row (no crypto needed at this level).
void MakeDatabase(const std::string& path, const std::string& user) {
  auto store = connector::store::SqliteKeyStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->InsertUserKey({user, {1, 2, 3}, 1, 1000, std::nullopt, std::nullopt}).ok());
}

TEST(SqliteBackup, ReplacesADamagedDatabaseAndKeepsItWithItsWal) {
  TempDir dir;
  const std::string target = dir.File("connector.db");
  std::ofstream(target, std::ios::binary) << std::string(4096, 'x');
  std::ofstream(target + "-wal", std::ios::binary) << std::string(4096, 'w');
  const std::string backup = dir.File("backup.db");
  MakeDatabase(dir.File("source.db"), "user-a");
  ASSERT_TRUE(connector::store::BackupSqliteDatabase(dir.File("source.db"), backup, false).ok());

  auto staged = connector::store::StagedRestore::Stage(backup, target, /*replace=*/true);
  ASSERT_TRUE(staged.ok()) << staged.status().ToString();
  auto kept = (*staged)->Commit();
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(ReadBytes(*kept), std::string(4096, 'x'));
  EXPECT_EQ(ReadBytes(*kept + "-wal"), std::string(4096, 'w')) << "the stale WAL goes with the file it belongs to";
  EXPECT_FALSE(fs::exists(target + "-wal"));
  auto info = connector::store::InspectSqliteDatabase(target);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->user_keys, 1u);
  auto store = connector::store::SqliteKeyStore::Open(target);
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE((*store)->GetUserKey("user-a").ok());
}

TEST(SqliteBackup, CommitRefusesWhileTheStagedCopyIsOpenAndAnAbandonedRestoreLeavesNothing) {
  TempDir dir;
  const std::string target = dir.File("connector.db");
  MakeDatabase(target, "user-old");
  const std::string before = ReadBytes(target);
  MakeDatabase(dir.File("source.db"), "user-new");
  const std::string backup = dir.File("backup.db");
  ASSERT_TRUE(connector::store::BackupSqliteDatabase(dir.File("source.db"), backup, false).ok());
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir.path())) names.insert(entry.path().filename().string());
  {
    auto staged = connector::store::StagedRestore::Stage(backup, target, /*replace=*/true);
    ASSERT_TRUE(staged.ok()) << staged.status().ToString();
    auto open = connector::store::SqliteKeyStore::Open((*staged)->staged_path());
    ASSERT_TRUE(open.ok());
    EXPECT_FALSE((*staged)->Commit().ok());
    EXPECT_EQ(ReadBytes(target), before);
  }
  std::set<std::string> after;
  for (const auto& entry : fs::directory_iterator(dir.path())) after.insert(entry.path().filename().string());
  EXPECT_EQ(after, names);
}

TEST(SqliteBackup, TheBackupIsOneFileOfMode0600AndTheSourceKeepsItsSchema) {
  TempDir dir;
  const std::string source = dir.File("connector.db");
  MakeDatabase(source, "user-a");
  const std::string backup = dir.File("backup.db");
  auto info = connector::store::BackupSqliteDatabase(source, backup, false);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->schema_version, connector::store::SqliteKeyStore::kSchemaVersion);
  EXPECT_EQ(info->user_keys, 1u);
  struct stat st {};
  ASSERT_EQ(::stat(backup.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(fs::exists(backup + "-wal"));
  EXPECT_FALSE(fs::exists(backup + "-journal"));
  EXPECT_EQ(connector::store::BackupSqliteDatabase(source, backup, false).status().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(connector::store::BackupSqliteDatabase(dir.File("none.db"), dir.File("b2.db"), false).status().code(),
            ErrorCode::kNotFound);
  EXPECT_FALSE(fs::exists(dir.File("none.db")));
}

}  // namespace
}  // namespace keywarden::connector::store
