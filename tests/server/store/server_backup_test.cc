// store/server_backup.h against a running server: a backup taken while accounts are being
// registered holds every one acknowledged before it began; a restore is refused while the server
// has the database open, checks what it is given before touching anything, and afterwards the
// server serves exactly the backup's accounts and items.
#include "server/store/server_backup.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <set>
#include <thread>

#include "keywarden/crypto/enc_string.h"
#include "keywarden/crypto/symmetric_key.h"
#include "server/server_fixture.h"
#include "server/store/server_database.h"
#include "support/wait.h"

namespace keywarden::server::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::set<std::string> FileNames(const fs::path& folder) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder)) names.insert(entry.path().filename().string());
  return names;
}

// The e-mail addresses in the server database at `path` (opened as the server opens it).
std::set<std::string> EmailsIn(const std::string& path) {
  static constexpr sql::Statement kEmails = {"test_backup_emails", "SELECT email FROM users", nullptr, nullptr,
                                             "to list the users"};
  config::DatabaseSection section;
  section.sqlite_path = path;
  auto database = OpenServerDatabase(section);
  EXPECT_TRUE(database.ok()) << database.status().message();
  std::set<std::string> emails;
  if (!database.ok()) return emails;
  EXPECT_TRUE((*database)
                  ->Read([&](sql::Session& session) -> Status {
                    KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kEmails));
                    for (std::size_t i = 0; i < rows.size(); ++i) emails.insert(rows.Text(i, 0));
                    return OkStatus();
                  })
                  .ok());
  return emails;
}

// PRAGMA user_version of the SQLite file at `path`.
int UserVersion(const std::string& path) {
  sqlite3* db = nullptr;
  int version = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      version = sqlite3_column_int(stmt, 0);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return version;
}

void Exec(const std::string& path, const char* statements) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, statements, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

class ServerBackupTest : public ServerTest {
 protected:
  const config::DatabaseSection& database() const { return config_->database; }

  // A login item for `account`, stored through the API.
  void AddItem(const TestAccount& account) {
    const SymmetricKey key = *SymmetricKey::Generate();
    const auto enc = [&key](std::string_view text) { return EncString::EncryptText(key, text)->ToString(); };
    const nlohmann::json cipher = {
        {"type", 1},
        {"name", enc("Example")},
        {"notes", nullptr},
        {"favorite", false},
        {"reprompt", 0},
        {"login", {{"username", enc("alice")}, {"password", enc("hunter2")}, {"uris", nlohmann::json::array()}}}};
    const TestResponse created = Post("/api/ciphers", cipher, account.access_token);
    ASSERT_EQ(created.status, 200) << created.body;
  }
};

TEST_F(ServerBackupTest, ABackupWhileAccountsAreRegisteredHoldsEveryAcknowledgedOne) {
  const TestAccount alice = NewUser("alice@example.com");
  AddItem(alice);
  std::mutex mu;
  std::vector<std::string> acknowledged;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) {
      const std::string email = "user" + std::to_string(i) + "@example.com";
      if (Post("/identity/accounts/register/finish", RegistrationBody(email, "password " + email)).status == 200) {
        std::lock_guard lock(mu);
        acknowledged.push_back(email);
      }
    }
  });
  const auto count = [&] {
    std::lock_guard lock(mu);
    return acknowledged.size();
  };
  const bool started = keywarden::testing::WaitUntil([&] { return count() >= 5; }, 60s);
  std::vector<std::string> before;
  {
    std::lock_guard lock(mu);
    before = acknowledged;
  }
  const std::string backup = dir_.File("backup.db");
  auto info = BackupServerDatabase(database(), backup, /*overwrite=*/false);
  const std::size_t after = count();
  const bool continued = keywarden::testing::WaitUntil([&] { return count() >= after + 2; }, 60s);
  stop = true;
  writer.join();
  ASSERT_TRUE(started) << "no registrations acknowledged";
  ASSERT_TRUE(continued) << "registrations stopped after the backup";
  ASSERT_TRUE(info.ok()) << info.status().message();

  const std::set<std::string> in_backup = EmailsIn(backup);
  for (const std::string& email : before) EXPECT_TRUE(in_backup.contains(email)) << email;
  EXPECT_TRUE(in_backup.contains("alice@example.com"));
  EXPECT_GE(info->users, before.size() + 1);
  EXPECT_LE(info->users, after + 1);
  EXPECT_EQ(info->users, in_backup.size());
  EXPECT_EQ(info->ciphers, 1u);
  EXPECT_EQ(info->folders, 0u);
  EXPECT_EQ(info->schema_version, UserVersion(database().sqlite_path));
  EXPECT_GE(info->schema_version, 1);
  struct stat st {};
  ASSERT_EQ(::stat(backup.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(fs::exists(backup + "-wal"));
  EXPECT_EQ(BackupServerDatabase(database(), backup, false).status().code(), ErrorCode::kAlreadyExists);
  EXPECT_TRUE(BackupServerDatabase(database(), backup, /*overwrite=*/true).ok());
}

TEST_F(ServerBackupTest, ARestoreIsRefusedWhileTheServerHasTheDatabaseOpen) {
  NewUser("alice@example.com");
  const std::string backup = dir_.File("backup.db");
  ASSERT_TRUE(BackupServerDatabase(database(), backup, false).ok());
  const std::set<std::string> names = FileNames(dir_.path());

  auto refused = RestoreServerDatabase(database(), backup, /*replace=*/true);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(refused.status().message().find("in use"), std::string::npos) << refused.status().message();
  EXPECT_EQ(FileNames(dir_.path()), names) << "the staged copy is gone and nothing was kept aside";
  // The server goes on as before.
  const TestAccount bob = NewUser("bob@example.com");
  EXPECT_FALSE(bob.access_token.empty());
  EXPECT_EQ(SendRequest(port(), "GET", "/health").json()["status"], "Healthy");
}

TEST_F(ServerBackupTest, AfterARestoreTheServerServesTheBackupsAccountsAndItems) {
  const TestAccount alice = NewUser("alice@example.com");
  AddItem(alice);
  const std::string backup = dir_.File("backup.db");
  ASSERT_TRUE(BackupServerDatabase(database(), backup, false).ok());
  const TestAccount bob = NewUser("bob@example.com");
  StopServer();

  EXPECT_EQ(RestoreServerDatabase(database(), backup, /*replace=*/false).status().code(), ErrorCode::kAlreadyExists);
  auto restored = RestoreServerDatabase(database(), backup, /*replace=*/true);
  ASSERT_TRUE(restored.ok()) << restored.status().message();
  EXPECT_EQ(restored->backup.users, 1u);
  EXPECT_EQ(restored->backup.ciphers, 1u);
  EXPECT_EQ(restored->schema_version, restored->backup.schema_version);
  ASSERT_FALSE(restored->previous.empty());
  EXPECT_EQ(EmailsIn(restored->previous), (std::set<std::string>{"alice@example.com", "bob@example.com"}));

  StartServer();
  const TestResponse login = PasswordGrant(alice);
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string token = login.json().value("access_token", "");
  const nlohmann::json sync = Send("GET", "/api/sync", "", token).json();
  EXPECT_EQ(sync["ciphers"].size(), 1u);
  EXPECT_EQ(PasswordGrant(bob).status, 400) << "bob registered after the backup";
}

TEST_F(ServerBackupTest, ARestoreOnAFreshMachineNeedsNoForce) {
  NewUser("alice@example.com");
  const std::string backup = dir_.File("backup.db");
  ASSERT_TRUE(BackupServerDatabase(database(), backup, false).ok());
  config::DatabaseSection fresh;
  fs::create_directories(dir_.path() / "new");
  fresh.sqlite_path = dir_.File("new/server.db");
  auto restored = RestoreServerDatabase(fresh, backup, /*replace=*/false);
  ASSERT_TRUE(restored.ok()) << restored.status().message();
  EXPECT_TRUE(restored->previous.empty());
  EXPECT_EQ(EmailsIn(fresh.sqlite_path), (std::set<std::string>{"alice@example.com"}));
  fresh.sqlite_path = dir_.File("no-such-folder/server.db");
  EXPECT_EQ(RestoreServerDatabase(fresh, backup, false).status().code(), ErrorCode::kNotFound);
}

TEST_F(ServerBackupTest, ARestoreRefusesWhatIsNotThisServersDatabaseAndChangesNothing) {
  NewUser("alice@example.com");
  StopServer();
  const std::string target = database().sqlite_path;
  const std::string target_before = ReadBytes(target);

  const std::string text = dir_.Write("notes.txt", std::string(8192, 'x'));
  const std::string connector = dir_.File("connector.db");
  Exec(connector,
       "CREATE TABLE user_keys(user_id TEXT); CREATE TABLE data_keys(version INTEGER); "
       "PRAGMA user_version = 3;");
  const std::string newer = dir_.File("newer.db");
  ASSERT_TRUE(BackupServerDatabase(database(), newer, false).ok());
  Exec(newer, "PRAGMA user_version = 999;");
  const std::set<std::string> names = FileNames(dir_.path());

  for (const std::string& file : {text, connector, newer}) {
    auto refused = RestoreServerDatabase(database(), file, /*replace=*/true);
    ASSERT_FALSE(refused.ok()) << file;
    EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidArgument) << file << ": " << refused.status().message();
  }
  EXPECT_EQ(RestoreServerDatabase(database(), dir_.File("missing.db"), true).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(ReadBytes(target), target_before);
  EXPECT_EQ(FileNames(dir_.path()), names);
  // A newer schema is still copied by a backup, as it is: an older binary must not lose it.
  config::DatabaseSection newer_section;
  newer_section.sqlite_path = newer;
  auto copied = BackupServerDatabase(newer_section, dir_.File("newer-copy.db"), false);
  ASSERT_TRUE(copied.ok()) << copied.status().message();
  EXPECT_EQ(copied->schema_version, 999);
}

TEST(ServerBackup, PostgresqlIsLeftToPgDumpAndPgRestore) {
  config::DatabaseSection postgres;
  postgres.provider = config::DatabaseProvider::kPostgresql;
  postgres.postgresql = "Host=localhost;Database=keywarden";
  const Status backup = BackupServerDatabase(postgres, "/tmp/never-written.db", false).status();
  EXPECT_EQ(backup.code(), ErrorCode::kUnsupported);
  EXPECT_NE(backup.message().find("pg_dump"), std::string::npos) << backup.message();
  const Status restore = RestoreServerDatabase(postgres, "/tmp/never-read.db", true).status();
  EXPECT_EQ(restore.code(), ErrorCode::kUnsupported);
  EXPECT_NE(restore.message().find("pg_restore"), std::string::npos) << restore.message();
  EXPECT_FALSE(fs::exists("/tmp/never-written.db"));
}

}  // namespace
}  // namespace keywarden::server::testing
