// `keywarden connector backup`, `restore` and `health`, run as processes against a connector that
// is itself the real binary, serving over loopback with a test identity issuer in this process.
//
// What must hold: a backup taken while keys are being written holds every key acknowledged before
// it started and opens as a database; a restore checks the backup (SQLite, Keywarden, a schema
// this build knows, the configured key opens every stored key) before touching the database,
// refuses to replace one without --force or while a connector has it open, keeps the one it
// replaces, and after it the connector serves exactly the backup's keys.
#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <mutex>

#include "e2e/deployment_fixture.h"
#include "support/wait.h"

namespace keywarden::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

using CliConnectorBackup = CliDeploymentTest;

TEST_F(CliConnectorBackup, BackupWhileServingWritesThenRestoreServesTheBackupsKeys) {
  const std::string db = dir_.File("connector.db");
  const std::string config = Config(db, KeyFile());
  StartConnector(config);

  // Two writers post keys for new users until told to stop; acknowledged keys are recorded in order.
  std::mutex mu;
  std::vector<std::pair<std::string, std::vector<std::uint8_t>>> acked;
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  // Stops and joins the writers however the test leaves this scope, a failed wait included.
  struct StopWriters {
    std::atomic<bool>& stop;
    std::vector<std::thread>& writers;
    ~StopWriters() {
      stop = true;
      for (std::thread& t : writers) {
        if (t.joinable()) t.join();
      }
    }
  } stop_writers{stop, writers};
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([&] {
      while (!stop.load()) {
        const std::string user = RandomUserId();
        std::vector<std::uint8_t> key = RandomKey(32);
        if (Post(user, key) != 200) {
          failures.fetch_add(1);
          continue;
        }
        std::lock_guard lock(mu);
        acked.emplace_back(user, std::move(key));
      }
    });
  }
  const auto acked_count = [&] {
    std::lock_guard lock(mu);
    return acked.size();
  };
  KW_ASSERT_EVENTUALLY(acked_count() >= 40, 60s)
      << acked_count() << " keys acknowledged, " << failures.load() << " posts failed; " << connector_->err();

  const std::string backup = dir_.File("backup.db");
  const std::size_t before = acked_count();
  const CliResult taken = Cli({"connector", "backup", "--config", config, "--to", backup});
  const std::size_t after = acked_count();
  const std::size_t writes_in_backup_window = after - before;
  // Writes go on after it.
  KW_ASSERT_EVENTUALLY(acked_count() >= after + 20, 60s)
      << acked_count() - after << " keys acknowledged after the backup, " << failures.load() << " posts failed";
  stop = true;
  for (std::thread& t : writers) t.join();
  EXPECT_EQ(failures.load(), 0);

  const nlohmann::json json = Json(taken);
  const std::uint64_t in_backup = Count(json, "user_keys");
  EXPECT_GE(in_backup, before);
  EXPECT_LE(in_backup, after + 2);  // plus at most one write in flight per writer
  EXPECT_EQ(json.value("backup", ""), backup);
  EXPECT_EQ(json.value("database", ""), db);
  EXPECT_EQ(json.value("schema_version", ""), std::to_string(connector::store::SqliteKeyStore::kSchemaVersion));
  struct stat info {};
  ASSERT_EQ(::stat(backup.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_FALSE(fs::exists(backup + "-wal")) << "the backup is one file";
  GTEST_LOG_(INFO) << in_backup << " keys in the backup; " << writes_in_backup_window
                   << " writes acknowledged while it ran";

  // One more key, certainly after the backup: the restore must take it away again.
  const std::string late_user = RandomUserId();
  ASSERT_EQ(Post(late_user, RandomKey(32)), 200);
  StopConnector();

  {
    SCOPED_TRACE("restore without --force");
    const std::string bytes = ReadBytes(db);
    ExpectFailure(Cli({"connector", "restore", "--config", config, "--from", backup}), 1, "--force");
    EXPECT_EQ(ReadBytes(db), bytes);
  }
  const CliResult restored = Cli({"connector", "restore", "--config", config, "--from", backup, "--force"});
  const nlohmann::json done = Json(restored);
  EXPECT_EQ(done.value("restored", ""), db);
  EXPECT_EQ(done.value("user_keys", ""), std::to_string(in_backup));
  const std::string previous = done.value("previous", "");
  ASSERT_TRUE(previous.starts_with(db + ".pre-restore-")) << restored.out;
  for (const std::string& name : FolderNames(dir_.path())) {
    EXPECT_EQ(name.find(".restore-"), std::string::npos) << "left behind: " << name;
    EXPECT_EQ(name.find(".partial-"), std::string::npos) << "left behind: " << name;
  }

  // The replaced database is kept whole, late key included.
  {
    auto kept = connector::store::SqliteKeyStore::Open(previous);
    ASSERT_TRUE(kept.ok()) << kept.status().ToString();
    auto count = (*kept)->CountUserKeys();
    ASSERT_TRUE(count.ok());
    EXPECT_EQ(*count, acked.size() + 1);
    EXPECT_TRUE((*kept)->GetUserKey(late_user).ok());
  }

  StartConnector(config);
  for (std::size_t i = 0; i < before; ++i) {
    ASSERT_EQ(Get(acked[i].first), Base64Encode(acked[i].second))
        << "key " << i << " of those acknowledged before the backup";
  }
  int status = 0;
  EXPECT_EQ(Get(late_user, &status), "");
  EXPECT_EQ(status, 404) << "the key written after the backup is not in it";
  StopConnector();
}

TEST_F(CliConnectorBackup, RestoreRefusesWhileAConnectorHasTheDatabaseOpen) {
  const std::string db = dir_.File("connector.db");
  const std::string config = Config(db, KeyFile());
  StartConnector(config);
  const std::string user = RandomUserId();
  const std::vector<std::uint8_t> key = RandomKey(32);
  ASSERT_EQ(Post(user, key), 200);
  const std::string backup = dir_.File("backup.db");
  Json(Cli({"connector", "backup", "--config", config, "--to", backup}));

  const std::set<std::string> names = FolderNames(dir_.path());
  ExpectFailure(Cli({"connector", "restore", "--config", config, "--from", backup, "--force"}), 1, "in use");
  EXPECT_EQ(FolderNames(dir_.path()), names) << "nothing added, nothing kept aside";
  EXPECT_EQ(Get(user), Base64Encode(key)) << "the running connector still serves its database";
  StopConnector();
}

TEST_F(CliConnectorBackup, RestoreChecksTheBackupBeforeTouchingTheDatabase) {
  const std::string db = dir_.File("connector.db");
  const std::string config = Config(db, KeyFile());
  MakeDatabase(db, KeyFile(), 3);
  const std::string bytes = ReadBytes(db);
  const std::string good = dir_.File("good.db");
  Json(Cli({"connector", "backup", "--config", config, "--to", good}));

  const std::string garbage = dir_.File("garbage.db");
  std::ofstream(garbage, std::ios::binary) << std::string(8192, 'x');
  const std::string foreign = dir_.File("foreign.db");
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(foreign.c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw, "CREATE TABLE notes(x); PRAGMA user_version = 1;", nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(raw);
  }
  const std::string newer = dir_.File("newer.db");
  fs::copy_file(good, newer);
  const std::string altered = dir_.File("altered.db");
  fs::copy_file(good, altered);
  for (const auto& [path, sql] : std::vector<std::pair<std::string, std::string>>{
           {newer, "PRAGMA user_version = " + std::to_string(connector::store::SqliteKeyStore::kSchemaVersion + 1)},
           {altered,
            "UPDATE user_keys SET sealed = zeroblob(length(sealed)) WHERE id = (SELECT MIN(id) FROM user_keys)"}}) {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(raw);
  }
  const std::string other_key_db = dir_.File("other-key.db");
  MakeDatabase(other_key_db, OtherKeyFile(), 2);

  const std::set<std::string> names = FolderNames(dir_.path());
  struct Case {
    std::string name, backup;
    int exit_code;
    std::string fragment;
  };
  for (const Case& c : std::vector<Case>{
           {"missing", dir_.File("missing.db"), 1, "no backup"},
           {"not SQLite", garbage, 2, "is not a SQLite database"},
           {"not Keywarden", foreign, 2, "is not a Keywarden database"},
           {"newer schema", newer, 2, "newer than this keywarden understands"},
           {"another RSA key", other_key_db, 1, "does not open this backup"},
           {"an altered key", altered, 1, "1 stored key(s) in this backup do not open"},
           {"the database itself", db, 2, "is the database itself"},
       }) {
    SCOPED_TRACE(c.name);
    ExpectFailure(Cli({"connector", "restore", "--config", config, "--from", c.backup, "--force"}), c.exit_code,
                  c.fragment);
    EXPECT_EQ(ReadBytes(db), bytes) << "the database changed";
    EXPECT_EQ(FolderNames(dir_.path()), names) << "files were added or removed";
  }

  // Into a new place: no --force needed, and the copy is private to its owner.
  const std::string fresh = dir_.File("fresh/connector.db");
  fs::create_directory(dir_.File("fresh"));
  const nlohmann::json json =
      Json(Cli({"connector", "restore", "--config", Config(fresh, KeyFile(), "fresh.toml"), "--from", good}));
  EXPECT_EQ(json.value("user_keys", ""), "3");
  EXPECT_FALSE(json.contains("previous"));
  struct stat info {};
  ASSERT_EQ(::stat(fresh.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST_F(CliConnectorBackup, BackupRefusalsAreOneLine) {
  const std::string db = dir_.File("connector.db");
  const std::string config = Config(db, KeyFile());
  ExpectFailure(Cli({"connector", "backup", "--config", config, "--to", dir_.File("b.db")}), 1, "no database at");
  EXPECT_FALSE(fs::exists(db)) << "backup must not create the database";

  MakeDatabase(db, KeyFile(), 1);
  const std::string backup = dir_.File("b.db");
  Json(Cli({"connector", "backup", "--config", config, "--to", backup}));
  ExpectFailure(Cli({"connector", "backup", "--config", config, "--to", backup}), 1, "--force");
  EXPECT_EQ(Json(Cli({"connector", "backup", "--config", config, "--to", backup, "--force"})).value("user_keys", ""),
            "1");
  ExpectFailure(Cli({"connector", "backup", "--config", config, "--to", db, "--force"}), 2, "the database itself");
  ExpectFailure(Cli({"connector", "backup", "--config", config, "--to", dir_.File("no/such/folder/b.db")}), 1,
                "no/such/folder");
  ExpectFailure(Cli({"connector", "backup", "--config", config}), 2, "--to");
  // Server databases: their own dump tools, named; the connection string's password never shown.
  const CliResult postgres = RunCliWithEnv(
      {"connector", "backup", "--config", config, "--to", backup, "--force"},
      ChildEnvironment({"KEYWARDEN_DATABASE_PROVIDER=postgresql",
                        "KEYWARDEN_DATABASE_POSTGRESQL=postgresql://keywarden:s3cret-pw@127.0.0.1:1/keywarden"}));
  ExpectFailure(postgres, 2, "pg_dump");
  EXPECT_EQ(postgres.err.find("s3cret-pw"), std::string::npos);
  ExpectFailure(
      RunCliWithEnv({"connector", "restore", "--config", config, "--from", backup, "--force"},
                    ChildEnvironment({"KEYWARDEN_DATABASE_PROVIDER=mysql",
                                      "KEYWARDEN_DATABASE_MYSQL=Server=127.0.0.1;Database=k;Uid=u;Pwd=s3cret-pw"})),
      2, "restore it with mariadb");
}

TEST_F(CliConnectorBackup, HealthAsksTheRunningConnector) {
  const std::string db = dir_.File("connector.db");
  const std::string config = Config(db, KeyFile());
  ExpectFailure(Cli({"connector", "health", "--config", config}), 1, "health");
  StartConnector(config);
  const nlohmann::json json = Json(Cli({"connector", "health", "--config", config}));
  EXPECT_EQ(json.value("url", ""), "http://127.0.0.1:" + std::to_string(port_) + "/health");
  EXPECT_EQ(json.value("status", ""), "Healthy");
  // The same through the environment alone, as a container's HEALTHCHECK runs it.
  Json(RunCliWithEnv({"connector", "health"}, ChildEnvironment({"KEYWARDEN_IDENTITY_SERVER_URI=" + IssuerUri(),
                                                                "KEYWARDEN_LISTEN_PORT=" + std::to_string(port_)})));
  ExpectFailure(Cli({"connector", "health", "--url", "ftp://127.0.0.1/health"}), 2, "--url");
  StopConnector();
  ExpectFailure(Cli({"connector", "health", "--config", config}), 1, "127.0.0.1");
}

}  // namespace
}  // namespace keywarden::testing
