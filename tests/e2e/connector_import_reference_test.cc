// `keywarden connector import-reference`, run as the real binary on data this test writes in the
// reference Key Connector's formats, straight from the documented format with OpenSSL (not with
// Keywarden's code): a PKCS#12 key file with a password, a data key wrapped with RSA-OAEP-SHA1,
// user keys sealed with AES-256-GCM as base64(ciphertext || tag || iv), in the reference's JSON data
// file or in SQLite tables with the reference's names. Every key is then read back through a
// connector serving the destination.
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <sqlite3.h>

#include <cctype>
#include <ctime>
#include <memory>

#include "custody/file/file_rsa_key_provider.h"
#include "e2e/cli_runner.h"
#include "e2e/stored_keys.h"
#include "support/mariadb_server.h"
#include "support/postgres_server.h"
#include "support/softhsm_token.h"
#include "support/temp_dir.h"

namespace keywarden::testing {
namespace {

constexpr char kReferencePassword[] = "reference pfx password";

std::string Base64(const std::vector<std::uint8_t>& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string Upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// A .NET DateTime as the reference writes it: `ms` since the epoch plus `extra_ticks` (100 ns,
// below the millisecond). JSON: "2020-09-13T12:26:40.1234567Z"; SQLite: "2020-09-13 12:26:40.1234567".
// `microseconds`: what PostgreSQL and MySQL keep, "2020-09-13 12:26:40.123456" (ticks truncated).
std::string DotnetDate(TimeMs ms, int extra_ticks, bool json, bool microseconds = false) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char head[32];
  std::strftime(head, sizeof head, json ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%d %H:%M:%S", &tm);
  std::string fraction = std::to_string(10'000'000 + (ms % 1000) * 10'000 + extra_ticks).substr(1);
  if (microseconds) return std::string(head) + "." + fraction.substr(0, 6);
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();  // .NET's "FFFFFFF"
  return std::string(head) + (fraction.empty() ? "" : "." + fraction) + (json ? "Z" : "");
}

struct EvpPkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Pkey = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;

// The reference's side of things, made with OpenSSL alone.
class ReferenceWriter {
 public:
  // An RSA-2048 key and self-signed certificate in a PKCS#12 file with a password, as the
  // reference's key.pfx; a random data key wrapped under it.
  void CreateKey(const std::string& pfx_path) {
    key_.reset(EVP_RSA_gen(2048));
    ASSERT_NE(key_, nullptr);
    X509* cert = X509_new();
    ASSERT_NE(cert, nullptr);
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key_.get());
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("Bitwarden Key Connector"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    ASSERT_GT(X509_sign(cert, key_.get(), EVP_sha256()), 0);
    PKCS12* p12 = PKCS12_create(kReferencePassword, "key", key_.get(), cert, nullptr, 0, 0, 0, 0, 0);
    ASSERT_NE(p12, nullptr);
    unsigned char* der = nullptr;
    const int size = i2d_PKCS12(p12, &der);
    ASSERT_GT(size, 0);
    std::ofstream(pfx_path, std::ios::binary).write(reinterpret_cast<const char*>(der), size);
    OPENSSL_free(der);
    PKCS12_free(p12);
    X509_free(cert);
    data_keys_.push_back(RandomKey(32));
  }

  // The private key as PKCS#8 DER (to put it on an HSM).
  std::vector<std::uint8_t> Pkcs8Der() const {
    PKCS8_PRIV_KEY_INFO* info = EVP_PKEY2PKCS8(key_.get());
    EXPECT_NE(info, nullptr);
    unsigned char* der = nullptr;
    const int size = i2d_PKCS8_PRIV_KEY_INFO(info, &der);
    std::vector<std::uint8_t> out(der, der + std::max(size, 0));
    OPENSSL_clear_free(der, static_cast<std::size_t>(std::max(size, 0)));
    PKCS8_PRIV_KEY_INFO_free(info);
    return out;
  }

  // Another data key (two reference instances that started together on an empty database).
  void AddDataKey() { data_keys_.push_back(RandomKey(32)); }

  // base64(RSA-OAEP-SHA1(data key)), as ApplicationDatas.SymmetricKey.
  std::string WrappedDataKey(std::size_t index = 0) const {
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key_.get(), nullptr);
    EXPECT_EQ(EVP_PKEY_encrypt_init(ctx), 1);
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING), 1);
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha1()), 1);
    const std::vector<std::uint8_t>& data_key = data_keys_[index];
    std::size_t size = 0;
    EXPECT_EQ(EVP_PKEY_encrypt(ctx, nullptr, &size, data_key.data(), data_key.size()), 1);
    std::vector<std::uint8_t> out(size);
    EXPECT_EQ(EVP_PKEY_encrypt(ctx, out.data(), &size, data_key.data(), data_key.size()), 1);
    out.resize(size);
    EVP_PKEY_CTX_free(ctx);
    return Base64(out);
  }

  // base64(AES-256-GCM ciphertext || tag(16) || iv(12)) of `user_key`, no associated data.
  std::string Seal(const std::vector<std::uint8_t>& user_key, std::size_t data_key = 0) const {
    std::vector<std::uint8_t> iv(12);
    EXPECT_EQ(RAND_bytes(iv.data(), 12), 1);
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    EXPECT_EQ(EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, data_keys_[data_key].data(), iv.data()), 1);
    std::vector<std::uint8_t> out(user_key.size() + 16 + 12);
    int n = 0;
    EXPECT_EQ(EVP_EncryptUpdate(ctx, out.data(), &n, user_key.data(), static_cast<int>(user_key.size())), 1);
    int final_n = 0;
    EXPECT_EQ(EVP_EncryptFinal_ex(ctx, out.data() + n, &final_n), 1);
    EXPECT_EQ(static_cast<std::size_t>(n + final_n), user_key.size());
    EXPECT_EQ(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, out.data() + user_key.size()), 1);
    std::copy(iv.begin(), iv.end(), out.begin() + static_cast<std::ptrdiff_t>(user_key.size() + 16));
    EVP_CIPHER_CTX_free(ctx);
    return Base64(out);
  }

 private:
  Pkey key_;
  std::vector<std::vector<std::uint8_t>> data_keys_;
};

// One reference row as stored: the expectations plus the raw texts.
struct ReferenceRow {
  std::string id;  // as the reference stores it
  std::string key;
  std::string creation, revision, last_access;  // "" for null
};

class ImportReferenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pfx_ = dir_.File("key.pfx");
    writer_.CreateKey(pfx_);
    destination_key_ = dir_.File("keywarden.pem");
    ASSERT_TRUE(custody::CreateKeyFile(destination_key_, custody::KeyFileFormat::kPemPkcs8, nullptr).ok());
    destination_db_ = dir_.File("keywarden.db");
    config_ = dir_.File("keywarden.toml");
    WriteConnectorConfig(config_, destination_db_, destination_key_);
  }

  // `count` users with 32- and 64-byte keys and dates with sub-millisecond ticks; some dates null.
  // The reference writes JSON ids in lower case and SQLite ids in upper case.
  std::vector<ReferenceRow> MakeRows(int count, bool json, bool microseconds = false) {
    std::vector<ReferenceRow> rows;
    const TimeMs base = 1'600'000'000'000;
    for (int i = 0; i < count; ++i) {
      const std::string user = RandomUserId();
      ExpectedKey key;
      key.key = RandomKey(i % 2 == 0 ? 32 : 64);
      key.creation_date = base + i * 86'400'123LL;
      if (i % 3 != 0) key.revision_date = key.creation_date + 3'600'000 + i;
      if (i % 4 != 0) key.last_access_date = key.creation_date + 7'200'000 + 999;
      const std::size_t data_key = i % 5 == 4 ? extra_data_key_ : 0;
      ReferenceRow row;
      row.id = json || (microseconds && i % 2 == 0) ? user : Upper(user);
      row.key = writer_.Seal(key.key, data_key);
      row.creation = DotnetDate(key.creation_date, i % 10000, json, microseconds);
      if (key.revision_date) row.revision = DotnetDate(*key.revision_date, 4567, json, microseconds);
      if (key.last_access_date) row.last_access = DotnetDate(*key.last_access_date, 0, json, microseconds);
      rows.push_back(row);
      expected_.emplace(user, std::move(key));
    }
    return rows;
  }

  void WriteJson(const std::string& path, const std::vector<ReferenceRow>& rows) {
    nlohmann::json items = nlohmann::json::array();
    const auto date = [](const std::string& text) { return text.empty() ? nlohmann::json() : nlohmann::json(text); };
    for (const ReferenceRow& row : rows) {
      items.push_back({{"id", row.id},
                       {"key", row.key},
                       {"creationDate", row.creation},
                       {"revisionDate", date(row.revision)},
                       {"lastAccessDate", date(row.last_access)}});
    }
    std::ofstream(path) << nlohmann::json{{"symmetricKey", writer_.WrappedDataKey()}, {"userKey", items}}.dump(2);
  }

  // The reference's tables, as its EF Core migration creates them.
  void WriteSqlite(const std::string& path, const std::vector<ReferenceRow>& rows, int data_keys = 1) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    const char* schema =
        "CREATE TABLE \"__EFMigrationsHistory\" (\"MigrationId\" TEXT NOT NULL CONSTRAINT "
        "\"PK___EFMigrationsHistory\" PRIMARY KEY, \"ProductVersion\" TEXT NOT NULL);"
        "INSERT INTO \"__EFMigrationsHistory\" VALUES ('20210820155938_InitialCreate', '5.0.9');"
        "CREATE TABLE \"ApplicationDatas\" (\"Id\" INTEGER NOT NULL CONSTRAINT \"PK_ApplicationDatas\" PRIMARY KEY "
        "AUTOINCREMENT, \"SymmetricKey\" TEXT NULL);"
        "CREATE TABLE \"UserKeys\" (\"Id\" TEXT NOT NULL CONSTRAINT \"PK_UserKeys\" PRIMARY KEY, \"Key\" TEXT NULL, "
        "\"CreationDate\" TEXT NOT NULL, \"RevisionDate\" TEXT NULL, \"LastAccessDate\" TEXT NULL);";
    ASSERT_EQ(sqlite3_exec(db, schema, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    for (int i = 0; i < data_keys; ++i) {
      const std::string insert = "INSERT INTO ApplicationDatas(SymmetricKey) VALUES('" +
                                 writer_.WrappedDataKey(static_cast<std::size_t>(i)) + "')";
      ASSERT_EQ(sqlite3_exec(db, insert.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    }
    sqlite3_stmt* statement = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "INSERT INTO UserKeys VALUES(?, ?, ?, ?, ?)", -1, &statement, nullptr), SQLITE_OK);
    for (const ReferenceRow& row : rows) {
      const std::string* texts[5] = {&row.id, &row.key, &row.creation, &row.revision, &row.last_access};
      for (int column = 0; column < 5; ++column) {
        if (texts[column]->empty()) {
          sqlite3_bind_null(statement, column + 1);
        } else {
          sqlite3_bind_text(statement, column + 1, texts[column]->c_str(), -1, SQLITE_TRANSIENT);
        }
      }
      ASSERT_EQ(sqlite3_step(statement), SQLITE_DONE) << sqlite3_errmsg(db);
      sqlite3_reset(statement);
    }
    sqlite3_finalize(statement);
    sqlite3_close(db);
  }

  // The reference's settings file, in its own variable names.
  std::string WriteSettings(const std::vector<std::string>& database_lines) {
    const std::string path = dir_.File("key-connector.override.env");
    std::ofstream out(path);
    out << "# the reference's environment\n"
        << "keyConnectorSettings__webVaultUri=https://vault.example.com\n"
        << "keyConnectorSettings__identityServerUri=https://vault.example.com/identity\n\n";
    for (const std::string& line : database_lines) out << line << "\n";
    out << "keyConnectorSettings__rsaKey__provider=certificate\n"
        << "keyConnectorSettings__certificate__provider=filesystem\n"
        << "keyConnectorSettings__certificate__filesystemPath=" << pfx_ << "\n"
        << "keyConnectorSettings__certificate__filesystemPassword=" << kReferencePassword << "\n";
    return path;
  }

  std::vector<std::string> JsonSettings(const std::string& path) {
    return {"keyConnectorSettings__database__provider=json", "keyConnectorSettings__database__jsonFilePath=" + path};
  }
  std::vector<std::string> SqliteSettings(const std::string& path) {
    return {"keyConnectorSettings__database__provider=sqlite",
            "keyConnectorSettings__database__sqliteConnectionString=Data Source=" + path};
  }

  CliResult Import(const std::string& settings, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"connector", "import-reference", "--from", settings, "--config", config_};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunCli(args);
  }

  // The canonical id of a reference row.
  static std::string UserOf(const ReferenceRow& row) {
    std::string id = row.id;
    for (char& c : id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return id;
  }

  TempDir dir_;
  ReferenceWriter writer_;
  std::size_t extra_data_key_ = 0;  // the data key every fifth row is sealed under
  std::string pfx_, destination_key_, destination_db_, config_;
  ExpectedKeys expected_;
};

TEST_F(ImportReferenceTest, ImportsTheJsonDataFileKeepingDates) {
  const std::string data = dir_.File("data.json");
  WriteJson(data, MakeRows(30, /*json=*/true));
  const std::string settings = WriteSettings(JsonSettings(data));

  const nlohmann::json summary = SuccessJson(Import(settings, {"--batch", "8"}));
  EXPECT_EQ(summary["transferred"], 30);
  EXPECT_EQ(summary["verified"], 30);
  EXPECT_EQ(summary["skipped"], 0);
  EXPECT_EQ(summary["data_keys"], 1);
  EXPECT_EQ(summary["opened_with_other_data_key"], 0);
  ExpectStoreHolds(config_, expected_);
  ExpectApiServes(config_, expected_);

  const nlohmann::json again = SuccessJson(Import(settings));
  EXPECT_EQ(again["transferred"], 0);
  EXPECT_EQ(again["already_present"], 30);
}

TEST_F(ImportReferenceTest, ImportsTheSqliteTablesIncludingKeysUnderASecondDataKey) {
  writer_.AddDataKey();
  extra_data_key_ = 1;
  const std::string data = dir_.File("reference.db");
  WriteSqlite(data, MakeRows(25, /*json=*/false), /*data_keys=*/2);
  const std::string settings = WriteSettings(SqliteSettings(data));

  const nlohmann::json summary = SuccessJson(Import(settings, {"--batch", "10"}));
  EXPECT_EQ(summary["transferred"], 25);
  EXPECT_EQ(summary["verified"], 25);
  EXPECT_EQ(summary["data_keys"], 2);
  EXPECT_EQ(summary["opened_with_other_data_key"], 5);
  ExpectStoreHolds(config_, expected_);
  ExpectApiServes(config_, expected_);
}

// The rows as VALUES tuples of an INSERT, NULL for the missing ones.
std::string SqlValues(const std::vector<ReferenceRow>& rows) {
  const auto value = [](const std::string& text) { return text.empty() ? std::string("NULL") : "'" + text + "'"; };
  std::string sql;
  for (const ReferenceRow& row : rows) {
    sql += (sql.empty() ? "(" : ", (") + value(row.id) + ", " + value(row.key) + ", " + value(row.creation) + ", " +
           value(row.revision) + ", " + value(row.last_access) + ")";
  }
  return sql;
}

TEST_F(ImportReferenceTest, ImportsThePostgresqlTables) {
  KW_SHARED_POSTGRES_OR_SKIP(server);
  auto database = server->CreateDatabase();
  ASSERT_TRUE(database.ok()) << database.status().ToString();
  // The reference's EF Core migration for PostgreSQL.
  ASSERT_TRUE(server
                  ->Exec(*database,
                         "CREATE TABLE \"ApplicationDatas\" (\"Id\" integer GENERATED BY DEFAULT AS IDENTITY, "
                         "\"SymmetricKey\" text NULL, CONSTRAINT \"PK_ApplicationDatas\" PRIMARY KEY (\"Id\"));"
                         "CREATE TABLE \"UserKeys\" (\"Id\" uuid NOT NULL, \"Key\" text NULL, "
                         "\"CreationDate\" timestamp without time zone NOT NULL, "
                         "\"RevisionDate\" timestamp without time zone NULL, "
                         "\"LastAccessDate\" timestamp without time zone NULL, "
                         "CONSTRAINT \"PK_UserKeys\" PRIMARY KEY (\"Id\"));")
                  .ok());
  ASSERT_TRUE(server
                  ->Exec(*database, "INSERT INTO \"ApplicationDatas\" (\"SymmetricKey\") VALUES ('" +
                                        writer_.WrappedDataKey() + "')")
                  .ok());
  ASSERT_TRUE(server->Exec(*database, "INSERT INTO \"UserKeys\" VALUES " + SqlValues(MakeRows(20, false, true))).ok());
  const std::string settings = WriteSettings(
      {"keyConnectorSettings__database__provider=postgresql",
       "keyConnectorSettings__database__postgreSqlConnectionString=" + server->ConnectionString(*database)});

  const nlohmann::json summary = SuccessJson(Import(settings, {"--batch", "6"}));
  EXPECT_EQ(summary["transferred"], 20);
  EXPECT_EQ(summary["verified"], 20);
  ExpectStoreHolds(config_, expected_);
  ExpectApiServes(config_, expected_);
}

TEST_F(ImportReferenceTest, ImportsTheMysqlTables) {
  KW_REQUIRE_MARIADB(server);
  auto database = server->CreateDatabase();
  ASSERT_TRUE(database.ok()) << database.status().ToString();
  // The reference's EF Core (Pomelo) migration for MySQL.
  const std::string db = "`" + *database + "`.";
  ASSERT_TRUE(server
                  ->AdminExec("CREATE TABLE " + db +
                              "`ApplicationDatas` (`Id` int NOT NULL AUTO_INCREMENT, "
                              "`SymmetricKey` longtext CHARACTER SET utf8mb4 NULL, "
                              "CONSTRAINT `PK_ApplicationDatas` PRIMARY KEY (`Id`)) CHARACTER SET utf8mb4")
                  .ok());
  ASSERT_TRUE(server
                  ->AdminExec("CREATE TABLE " + db +
                              "`UserKeys` (`Id` char(36) COLLATE ascii_general_ci NOT NULL, "
                              "`Key` longtext CHARACTER SET utf8mb4 NULL, `CreationDate` datetime(6) NOT NULL, "
                              "`RevisionDate` datetime(6) NULL, `LastAccessDate` datetime(6) NULL, "
                              "CONSTRAINT `PK_UserKeys` PRIMARY KEY (`Id`)) CHARACTER SET utf8mb4")
                  .ok());
  ASSERT_TRUE(server
                  ->AdminExec("INSERT INTO " + db + "`ApplicationDatas` (`SymmetricKey`) VALUES ('" +
                              writer_.WrappedDataKey() + "')")
                  .ok());
  // Ids in both cases: paging must follow the column's case-insensitive order.
  ASSERT_TRUE(
      server->AdminExec("INSERT INTO " + db + "`UserKeys` VALUES " + SqlValues(MakeRows(20, false, true))).ok());
  const std::string settings =
      WriteSettings({"keyConnectorSettings__database__provider=mysql",
                     "keyConnectorSettings__database__mySqlConnectionString=" + server->ConnectionString(*database)});

  const nlohmann::json summary = SuccessJson(Import(settings, {"--batch", "3"}));
  EXPECT_EQ(summary["transferred"], 20);
  EXPECT_EQ(summary["verified"], 20);
  ExpectStoreHolds(config_, expected_);
  ExpectApiServes(config_, expected_);
}

TEST_F(ImportReferenceTest, ImportsIntoTheReferencesOwnSqliteFile) {
  const std::string data = dir_.File("reference.db");
  WriteSqlite(data, MakeRows(12, /*json=*/false));
  WriteConnectorConfig(config_, data, destination_key_);
  const nlohmann::json summary = SuccessJson(Import(WriteSettings(SqliteSettings(data))));
  EXPECT_EQ(summary["transferred"], 12);
  ExpectStoreHolds(config_, expected_);
  ExpectApiServes(config_, expected_);
  // The reference's own tables are untouched.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(data.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* count = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT count(*) FROM UserKeys", -1, &count, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(count), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(count, 0), 12);
  sqlite3_finalize(count);
  sqlite3_close(db);
}

TEST_F(ImportReferenceTest, UnwrapsWithTheReferencesKeyOnAnHsm) {
  std::unique_ptr<SoftHsmToken> token;
  KW_SOFTHSM_TOKEN_OR_SKIP(token);
  auto key = RsaPrivateKey::FromPkcs8Der(writer_.Pkcs8Der());
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(token->ImportKey(*key, "reference-key", {}).ok());
  const std::string data = dir_.File("data.json");
  WriteJson(data, MakeRows(10, /*json=*/true));
  // The reference's own PKCS#11 settings.
  const std::string settings = dir_.File("settings.env");
  std::ofstream(settings) << "keyConnectorSettings__database__provider=json\n"
                          << "keyConnectorSettings__database__jsonFilePath=" << data << "\n"
                          << "keyConnectorSettings__rsaKey__provider=pkcs11\n"
                          << "keyConnectorSettings__rsaKey__pkcs11LibraryPath=" << SoftHsmToken::kModulePath << "\n"
                          << "keyConnectorSettings__rsaKey__pkcs11SlotTokenSerialNumber=" << token->serial() << "\n"
                          << "keyConnectorSettings__rsaKey__pkcs11LoginUserType=user\n"
                          << "keyConnectorSettings__rsaKey__pkcs11LoginPin=" << token->user_pin() << "\n"
                          << "keyConnectorSettings__rsaKey__pkcs11PrivateKeyLabel=reference-key\n";
  const nlohmann::json summary = SuccessJson(Import(settings));
  EXPECT_EQ(summary["transferred"], 10);
  ExpectStoreHolds(config_, expected_);
  ExpectApiServes(config_, expected_);
}

TEST_F(ImportReferenceTest, ACorruptedRowStopsTheImportWithItsId) {
  std::vector<ReferenceRow> rows = MakeRows(15, /*json=*/false);
  // One key altered in place (still base64, same length), one row whose Key is null.
  ReferenceRow& altered = rows[6];
  altered.key[10] = altered.key[10] == 'A' ? 'B' : 'A';
  ReferenceRow& empty = rows[9];
  empty.key.clear();
  const std::string data = dir_.File("reference.db");
  WriteSqlite(data, rows);
  const std::string settings = WriteSettings(SqliteSettings(data));
  std::vector<std::string> bad = {UserOf(altered), UserOf(empty)};
  std::sort(bad.begin(), bad.end());

  const CliResult stopped = Import(settings);
  EXPECT_EQ(stopped.exit_code, 1);
  EXPECT_EQ(stopped.out, "");
  EXPECT_NE(stopped.err.find(bad[0]), std::string::npos) << stopped.err;
  EXPECT_EQ(std::count(stopped.err.begin(), stopped.err.end(), '\n'), 1) << stopped.err;

  const nlohmann::json summary = SuccessJson(Import(settings, {"--skip-unreadable"}));
  EXPECT_EQ(summary["skipped_ids"], nlohmann::json(bad));
  EXPECT_EQ(summary["transferred"], 13);
  for (const std::string& user : bad) expected_.erase(user);
  ExpectStoreHolds(config_, expected_);
  ExpectApiServes(config_, expected_);
}

TEST_F(ImportReferenceTest, AnIdGivenTwiceIsUnreadable) {
  std::vector<ReferenceRow> rows = MakeRows(6, /*json=*/true);
  // A second entry for the first user, in upper case (the JSON file does not prevent it).
  ReferenceRow twice = rows[0];
  twice.id = Upper(rows[0].id);
  twice.key = writer_.Seal(RandomKey(32));
  rows.push_back(twice);
  const std::string data = dir_.File("data.json");
  WriteJson(data, rows);
  const std::string settings = WriteSettings(JsonSettings(data));

  const CliResult stopped = Import(settings);
  EXPECT_EQ(stopped.exit_code, 1);
  EXPECT_NE(stopped.err.find(rows[0].id), std::string::npos) << stopped.err;
  const nlohmann::json summary = SuccessJson(Import(settings, {"--skip-unreadable"}));
  EXPECT_EQ(summary["skipped_ids"], nlohmann::json::array({rows[0].id}));
  EXPECT_EQ(summary["transferred"], 6);
  ExpectApiServes(config_, expected_);  // the first entry's key
}

TEST_F(ImportReferenceTest, AWrongKeyPasswordIsNamedNotShown) {
  const std::string data = dir_.File("data.json");
  WriteJson(data, MakeRows(2, /*json=*/true));
  const std::string settings = dir_.File("settings.env");
  std::ofstream(settings) << "keyConnectorSettings__database__provider=json\n"
                          << "keyConnectorSettings__database__jsonFilePath=" << data << "\n"
                          << "keyConnectorSettings__rsaKey__provider=certificate\n"
                          << "keyConnectorSettings__certificate__filesystemPath=" << pfx_ << "\n"
                          << "keyConnectorSettings__certificate__filesystemPassword=not-the-secret-password\n";
  const CliResult result = Import(settings);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("reference"), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("not-the-secret-password"), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(destination_db_));
}

TEST_F(ImportReferenceTest, SettingsTheImportCannotUseAreRefusedByName) {
  const std::string settings = dir_.File("settings.env");
  std::ofstream(settings) << "keyConnectorSettings__database__provider=sqlserver\n";
  const CliResult unsupported = Import(settings);
  EXPECT_EQ(unsupported.exit_code, 2);
  EXPECT_NE(unsupported.err.find("sqlserver"), std::string::npos) << unsupported.err;

  std::ofstream(settings) << "keyConnectorSettings__database__provider=json\nnot a setting\n";
  const CliResult malformed = Import(settings);
  EXPECT_EQ(malformed.exit_code, 2);
  EXPECT_NE(malformed.err.find("line 2"), std::string::npos) << malformed.err;

  std::ofstream(settings) << "keyConnectorSettings__database__provider=json\n"
                          << "keyConnectorSettings__database__jsonFilePath=" << dir_.File("missing.json") << "\n";
  const CliResult missing = Import(settings);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("does not exist"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace keywarden::testing
