// Upgrades, through the real binary: a database written by schema version 1 (built here with
// version 1's own DDL, a data key wrapped by a test RSA key and user keys sealed as DataKeyring
// seals them) is migrated by `connector serve` at start-up and every key is served; `backup`
// copies it without migrating it; `restore` migrates the copy it puts in place; and a database
// newer than this build is refused by serve, check and restore with a clear line.
#include <sqlite3.h>

#include <map>
#include <string>
#include <vector>

#include "e2e/deployment_fixture.h"
#include "keywarden/crypto/aead.h"
#include "keywarden/crypto/random.h"

namespace keywarden::testing {
namespace {

namespace fs = std::filesystem;

using CliConnectorUpgrade = CliDeploymentTest;

// Schema version 1 as released (src/store/sqlite_key_store.cc, migration 1), in WAL mode as the
// version-1 connector left its files.
constexpr char kVersion1Schema[] =
    "PRAGMA journal_mode=WAL;"
    "CREATE TABLE user_keys("
    "  id TEXT PRIMARY KEY,"
    "  sealed BLOB NOT NULL,"
    "  data_key_version INTEGER NOT NULL,"
    "  creation_date INTEGER NOT NULL,"
    "  revision_date INTEGER,"
    "  last_access_date INTEGER);"
    "CREATE TABLE data_keys("
    "  version INTEGER PRIMARY KEY,"
    "  wrapped BLOB NOT NULL,"
    "  provider_fingerprint TEXT NOT NULL,"
    "  creation_date INTEGER NOT NULL);"
    "PRAGMA user_version = 1;";

class Sqlite {
 public:
  explicit Sqlite(const std::string& path) { EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK); }
  ~Sqlite() { sqlite3_close(db_); }
  Sqlite(const Sqlite&) = delete;
  Sqlite& operator=(const Sqlite&) = delete;

  void Exec(const std::string& sql) {
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
    sqlite3_free(error);
  }
  std::int64_t Integer(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    std::int64_t value = -1;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
      value = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
    return value;
  }
  // Runs `sql` with `blobs` bound to ?1, ?2, ... and `texts` after them.
  void Insert(const char* sql, const std::vector<std::vector<std::uint8_t>>& blobs,
              const std::vector<std::string>& texts) {
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr), SQLITE_OK);
    int index = 1;
    for (const auto& blob : blobs) {
      sqlite3_bind_blob(stmt, index++, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
    }
    for (const auto& text : texts) sqlite3_bind_text(stmt, index++, text.c_str(), -1, SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(stmt), SQLITE_DONE);
    sqlite3_finalize(stmt);
  }

 private:
  sqlite3* db_ = nullptr;
};

// A version-1 database at `path` under `key_file`'s RSA key with `count` users.
ExpectedKeys WriteVersion1Database(const std::string& path, const std::string& key_file, int count) {
  auto provider = custody::FileRsaKeyProvider::Load(key_file, nullptr);
  EXPECT_TRUE(provider.ok());
  auto data_key = RandomSecret(32);
  EXPECT_TRUE(data_key.ok());
  auto wrapped = (*provider)->Wrap(data_key->span());
  EXPECT_TRUE(wrapped.ok());
  auto aead = AesGcmAead::New(data_key->Clone());
  EXPECT_TRUE(aead.ok());

  Sqlite db(path);
  db.Exec(kVersion1Schema);
  db.Insert(
      "INSERT INTO data_keys(version, wrapped, provider_fingerprint, creation_date) VALUES(1, ?1, ?2, 1600000000000)",
      {*wrapped}, {(*provider)->PublicKeyFingerprint()});
  ExpectedKeys keys;
  for (int i = 0; i < count; ++i) {
    const std::string user = RandomUserId();
    ExpectedKey expected{RandomKey(32), 1600000000000 + i, std::nullopt, std::nullopt};
    // DataKeyring's seal: AES-256-GCM under the data key, the user id as associated data.
    auto sealed = (*aead)->Encrypt(expected.key, AsBytes(user));
    EXPECT_TRUE(sealed.ok());
    db.Insert("INSERT INTO user_keys(id, sealed, data_key_version, creation_date) VALUES(?2, ?1, 1, 1600000000000)",
              {*sealed}, {user});
    keys.emplace(user, std::move(expected));
  }
  return keys;
}

TEST_F(CliConnectorUpgrade, ServeMigratesAVersion1DatabaseAndServesEveryKey) {
  const std::string db = dir_.File("connector.db");
  const ExpectedKeys keys = WriteVersion1Database(db, KeyFile(), 5);
  const std::string config = Config(db, KeyFile());

  // A backup reads, never migrates: the source stays at version 1, and so does the copy.
  const std::string backup = dir_.File("v1-backup.db");
  const nlohmann::json taken = Json(Cli({"connector", "backup", "--config", config, "--to", backup}));
  EXPECT_EQ(taken.value("schema_version", ""), "1");
  EXPECT_EQ(Count(taken, "user_keys"), 5u);
  EXPECT_EQ(Sqlite(db).Integer("PRAGMA user_version"), 1);

  StartConnector(config);
  for (const auto& [user, key] : keys) EXPECT_EQ(Get(user), Base64Encode(key.key)) << user;
  const std::string added = RandomUserId();
  ASSERT_EQ(Post(added, RandomKey(32)), 200) << "the migrated database takes new keys";
  StopConnector();
  {
    Sqlite migrated(db);
    EXPECT_EQ(migrated.Integer("PRAGMA user_version"), connector::store::SqliteKeyStore::kSchemaVersion);
    EXPECT_EQ(migrated.Integer("SELECT COUNT(*) FROM data_key_wrappings WHERE version = 1"), 1);
    EXPECT_EQ(migrated.Integer("SELECT COUNT(*) FROM user_keys"), 6);
  }

  // Restoring the version-1 backup migrates the copy, and the connector serves it.
  const std::string restored_db = dir_.File("restored.db");
  const std::string restored_config = Config(restored_db, KeyFile(), "restored.toml");
  const nlohmann::json restored = Json(Cli({"connector", "restore", "--config", restored_config, "--from", backup}));
  EXPECT_EQ(restored.value("backup_schema_version", ""), "1");
  EXPECT_EQ(restored.value("schema_version", ""), std::to_string(connector::store::SqliteKeyStore::kSchemaVersion));
  EXPECT_EQ(Sqlite(backup).Integer("PRAGMA user_version"), 1) << "the backup file itself is left as it was";
  StartConnector(restored_config);
  for (const auto& [user, key] : keys) EXPECT_EQ(Get(user), Base64Encode(key.key)) << user;
  int status = 0;
  Get(added, &status);
  EXPECT_EQ(status, 404);
  StopConnector();
}

TEST_F(CliConnectorUpgrade, ADatabaseNewerThanThisBuildIsRefusedWithAClearLine) {
  const std::string db = dir_.File("connector.db");
  MakeDatabase(db, KeyFile(), 2);
  const int newer = connector::store::SqliteKeyStore::kSchemaVersion + 1;
  Sqlite(db).Exec("PRAGMA user_version = " + std::to_string(newer));
  const std::string bytes = ReadBytes(db);
  const std::string config = Config(db, KeyFile());
  const std::string expected = "database schema version " + std::to_string(newer) + " is newer than this keywarden";

  ExpectFailure(Cli({"connector", "serve", "--config", config}), 1, expected);
  const CliResult check = Cli({"connector", "check", "--config", config});
  EXPECT_EQ(check.exit_code, 4) << check.err;
  EXPECT_NE(check.err.find(expected), std::string::npos) << check.err;
  // A newer database can still be backed up (as it is), but not restored by this build.
  const std::string backup = dir_.File("newer-backup.db");
  EXPECT_EQ(Json(Cli({"connector", "backup", "--config", config, "--to", backup})).value("schema_version", ""),
            std::to_string(newer));
  ExpectFailure(Cli({"connector", "restore", "--config", Config(dir_.File("elsewhere.db"), KeyFile(), "elsewhere.toml"),
                     "--from", backup}),
                2, "newer than this keywarden understands");
  EXPECT_EQ(ReadBytes(db), bytes) << "refusing must not change the database";
  EXPECT_FALSE(fs::exists(dir_.File("elsewhere.db")));
}

}  // namespace
}  // namespace keywarden::testing
