// `keywarden connector transfer`, run as the real binary between real SQLite files and key files
// made at run time; every key is then read back through a connector serving the destination.
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "connector/store/database_key_store.h"
#include "custody/data_keyring.h"
#include "custody/file/file_rsa_key_provider.h"
#include "custody/open_rsa_key_provider.h"
#include "e2e/cli_runner.h"
#include "e2e/stored_keys.h"
#include "support/mariadb_server.h"
#include "support/postgres_server.h"
#include "support/softhsm_token.h"
#include "support/temp_dir.h"
#include "support/wait.h"

extern char** environ;

namespace keywarden::testing {
namespace {

constexpr char kPassword[] = "destination pfx password";
constexpr TimeMs kBase = 1'600'000'000'123;

class TransferTest : public ::testing::Test {
 protected:
  // Two PEM keys (the source's and the destination's); UseDestinationPkcs12 swaps in a PKCS#12 one.
  // Most tests use PEM only: loading a PKCS#12 file is slow under the sanitizers.
  void SetUp() override {
    source_key_ = dir_.File("source.pem");
    destination_key_ = dir_.File("destination.pem");
    auto source = custody::CreateKeyFile(source_key_, custody::KeyFileFormat::kPemPkcs8, nullptr);
    auto destination = custody::CreateKeyFile(destination_key_, custody::KeyFileFormat::kPemPkcs8, nullptr);
    ASSERT_TRUE(source.ok() && destination.ok());
    source_fingerprint_ = *source;
    destination_fingerprint_ = *destination;
    source_db_ = dir_.File("source.db");
    destination_db_ = dir_.File("destination.db");
    source_config_ = dir_.File("source.toml");
    destination_config_ = dir_.File("destination.toml");
    WriteConnectorConfig(source_config_, source_db_, source_key_);
    WriteConnectorConfig(destination_config_, destination_db_, destination_key_);
  }

  void UseDestinationPkcs12() {
    destination_key_ = dir_.File("destination.pfx");
    password_file_ = dir_.File("password");
    std::ofstream(password_file_) << kPassword << "\n";
    const SecureBuffer password = SecureBuffer::CopyOf(std::string_view(kPassword));
    auto fingerprint = custody::CreateKeyFile(destination_key_, custody::KeyFileFormat::kPkcs12, &password);
    ASSERT_TRUE(fingerprint.ok());
    destination_fingerprint_ = *fingerprint;
    WriteConnectorConfig(destination_config_, destination_db_, destination_key_, password_file_);
  }

  // The RSA key a configuration names.
  std::unique_ptr<custody::RsaKeyProvider> Provider(const std::string& config_path) {
    auto config = connector::LoadConnectorConfig(config_path, {});
    EXPECT_TRUE(config.ok()) << config.status().ToString();
    if (!config.ok()) return nullptr;
    auto provider = custody::OpenRsaKeyProvider(config->rsa_key);
    EXPECT_TRUE(provider.ok()) << provider.status().ToString();
    return provider.ok() ? std::move(provider).value() : nullptr;
  }

  // Runs a test body's store work with the source's keyring: `fn(store, keyring)`.
  template <typename Fn>
  void WithSource(Fn fn) {
    auto provider = custody::FileRsaKeyProvider::Load(source_key_, nullptr);
    ASSERT_TRUE(provider.ok()) << provider.status().ToString();
    auto store = connector::store::SqliteKeyStore::Open(source_db_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto keyring = custody::DataKeyring::Open(**store, **provider);
    ASSERT_TRUE(keyring.ok()) << keyring.status().ToString();
    fn(**store, **keyring);
  }

  // Stores `count` users in the source, with varied key sizes and dates (some left null).
  ExpectedKeys PopulateSource(int count) {
    ExpectedKeys expected;
    WithSource([&](connector::store::KeyStore& store, const custody::DataKeyring& keyring) {
      std::vector<connector::store::UserKeyRecord> records;
      for (int i = 0; i < count; ++i) {
        ExpectedKey key;
        key.key = RandomKey(i % 2 == 0 ? 32 : 64);
        key.creation_date = kBase + i * 1000 + i;
        if (i % 3 != 0) key.revision_date = key.creation_date + 5000;
        if (i % 4 != 0) key.last_access_date = key.creation_date + 9000;
        const std::string user = RandomUserId();
        auto sealed = keyring.Seal(user, key.key);
        ASSERT_TRUE(sealed.ok());
        records.push_back(
            {user, sealed->second, sealed->first, key.creation_date, key.revision_date, key.last_access_date});
        expected.emplace(user, std::move(key));
      }
      ASSERT_TRUE(store.PutUserKeysExact(records).ok());
    });
    return expected;
  }

  // Overwrites one stored source row exactly (to damage it, or to put it back).
  void PutSourceRow(const connector::store::UserKeyRecord& record) {
    auto store = connector::store::SqliteKeyStore::Open(source_db_);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->PutUserKeysExact(std::span(&record, 1)).ok());
  }

  connector::store::UserKeyRecord SourceRow(const std::string& user) {
    auto store = connector::store::SqliteKeyStore::Open(source_db_);
    EXPECT_TRUE(store.ok());
    auto record = (*store)->GetUserKey(user);
    EXPECT_TRUE(record.ok());
    return record.ok() ? *record : connector::store::UserKeyRecord{};
  }

  std::uint64_t DestinationCount() {
    auto store = connector::store::SqliteKeyStore::Open(destination_db_);
    EXPECT_TRUE(store.ok());
    auto count = (*store)->CountUserKeys();
    EXPECT_TRUE(count.ok());
    return count.ok() ? *count : 0;
  }

  // Every expected key opens in the destination with the destination's own RSA key.
  void ExpectDestinationKeysOpen(const ExpectedKeys& expected) {
    const auto provider = Provider(destination_config_);
    ASSERT_NE(provider, nullptr);
    auto store = connector::store::SqliteKeyStore::Open(destination_db_);
    ASSERT_TRUE(store.ok());
    auto keyring = custody::DataKeyring::Open(**store, *provider);
    ASSERT_TRUE(keyring.ok()) << keyring.status().ToString();
    for (const auto& [user, key] : expected) {
      auto record = (*store)->GetUserKey(user);
      ASSERT_TRUE(record.ok()) << user;
      auto opened = (*keyring)->Open(user, record->data_key_version, record->sealed);
      ASSERT_TRUE(opened.ok()) << user;
      EXPECT_TRUE(opened->Equals(key.key)) << user;
    }
  }

  CliResult Transfer(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"connector", "transfer", "--from", source_config_, "--to", destination_config_};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunCli(args);
  }

  TempDir dir_;
  std::string source_key_, destination_key_, password_file_;
  std::string source_fingerprint_, destination_fingerprint_;
  std::string source_db_, destination_db_, source_config_, destination_config_;
};

TEST_F(TransferTest, CopiesEveryKeyToAnotherDatabaseAndRsaKeyKeepingDates) {
  UseDestinationPkcs12();
  const ExpectedKeys expected = PopulateSource(40);
  const nlohmann::json summary =
      RunOk({"connector", "transfer", "--from", source_config_, "--to", destination_config_, "--batch", "7"});
  EXPECT_EQ(summary["transferred"], 40);
  EXPECT_EQ(summary["already_present"], 0);
  EXPECT_EQ(summary["replaced"], 0);
  EXPECT_EQ(summary["skipped"], 0);
  EXPECT_EQ(summary["skipped_ids"], nlohmann::json::array());
  EXPECT_EQ(summary["verified"], 40);

  ExpectStoreHolds(destination_config_, expected);
  // The destination's data key is its own, wrapped by its own RSA key only.
  {
    auto store = connector::store::SqliteKeyStore::Open(destination_db_);
    ASSERT_TRUE(store.ok());
    auto wrappings = (*store)->ListDataKeys();
    ASSERT_TRUE(wrappings.ok());
    ASSERT_EQ(wrappings->size(), 1u);
    EXPECT_EQ(wrappings->front().provider_key_fingerprint, destination_fingerprint_);
    EXPECT_NE(wrappings->front().provider_key_fingerprint, source_fingerprint_);
  }
  ExpectApiServes(destination_config_, expected);

  // Running it again changes nothing.
  const nlohmann::json again = RunOk({"connector", "transfer", "--from", source_config_, "--to", destination_config_});
  EXPECT_EQ(again["transferred"], 0);
  EXPECT_EQ(again["already_present"], 40);
  EXPECT_EQ(again["verified"], 0);
}

TEST_F(TransferTest, UnreadableRowStopsWithItsIdThenTheTransferResumes) {
  const ExpectedKeys expected = PopulateSource(30);
  const std::string damaged = std::next(expected.begin(), 14)->first;  // in id order, as copied
  const connector::store::UserKeyRecord original = SourceRow(damaged);
  connector::store::UserKeyRecord broken = original;
  broken.sealed[broken.sealed.size() / 2] ^= 0x01;
  PutSourceRow(broken);

  const CliResult stopped = Transfer({"--batch", "4"});
  EXPECT_EQ(stopped.exit_code, 1);
  EXPECT_EQ(stopped.out, "");
  EXPECT_NE(stopped.err.find(damaged), std::string::npos) << stopped.err;
  EXPECT_EQ(std::count(stopped.err.begin(), stopped.err.end(), '\n'), 1) << stopped.err;
  // The batches before the damaged row landed whole; nothing from its batch on did.
  const std::uint64_t landed = DestinationCount();
  EXPECT_EQ(landed, 12u);

  PutSourceRow(original);
  const nlohmann::json resumed = SuccessJson(Transfer({"--batch", "4"}));
  EXPECT_EQ(resumed["already_present"], landed);
  EXPECT_EQ(resumed["transferred"], 30 - landed);
  EXPECT_EQ(resumed["verified"], 30 - landed);
  ExpectStoreHolds(destination_config_, expected);
  ExpectApiServes(destination_config_, expected);
}

TEST_F(TransferTest, SkipUnreadableListsTheRowsAndTransfersTheRest) {
  ExpectedKeys expected = PopulateSource(20);
  std::vector<std::string> bad = {std::next(expected.begin(), 3)->first, std::next(expected.begin(), 11)->first};
  connector::store::UserKeyRecord altered = SourceRow(bad[0]);
  altered.sealed.back() ^= 0x80;
  PutSourceRow(altered);
  connector::store::UserKeyRecord unknown_version = SourceRow(bad[1]);
  unknown_version.data_key_version = 7;
  PutSourceRow(unknown_version);

  const CliResult stopped = Transfer();
  EXPECT_EQ(stopped.exit_code, 1);
  EXPECT_NE(stopped.err.find(bad[0]), std::string::npos) << stopped.err;

  const nlohmann::json summary = SuccessJson(Transfer({"--skip-unreadable", "--batch", "6"}));
  EXPECT_EQ(summary["skipped"], 2);
  EXPECT_EQ(summary["skipped_ids"], nlohmann::json(bad));
  EXPECT_EQ(summary["transferred"], 18);
  for (const std::string& user : bad) expected.erase(user);
  ExpectStoreHolds(destination_config_, expected);
  ExpectApiServes(destination_config_, expected);
}

TEST_F(TransferTest, ResumesAfterTheProcessIsKilled) {
  constexpr int kRows = 1500;
  const ExpectedKeys expected = PopulateSource(kRows);

  std::vector<std::string> argv_storage = {
      KEYWARDEN_CLI_PATH,  "connector", "transfer", "--from", source_config_, "--to",
      destination_config_, "--batch",   "5"};
  std::vector<char*> argv;
  for (std::string& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);

  // Kill it once some batches have landed (read through a connection of our own).
  sqlite3* db = nullptr;
  std::int64_t seen = 0;
  WaitUntil(  // checked below, through `landed`, once the process is gone
      [&] {
        if (db == nullptr &&
            sqlite3_open_v2(destination_db_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
          sqlite3_close(db);
          db = nullptr;
          return false;
        }
        sqlite3_stmt* count = nullptr;
        if (sqlite3_prepare_v2(db, "SELECT count(*) FROM user_keys", -1, &count, nullptr) == SQLITE_OK &&
            sqlite3_step(count) == SQLITE_ROW) {
          seen = sqlite3_column_int64(count, 0);
        }
        sqlite3_finalize(count);
        return seen >= 100;
      },
      std::chrono::seconds(60), std::chrono::milliseconds(2));
  sqlite3_close(db);
  ::kill(pid, SIGKILL);
  EXPECT_TRUE(WaitForExit(pid, std::chrono::seconds(30)).has_value())
      << "the transfer was still there 30 s after SIGKILL";
  const std::uint64_t landed = DestinationCount();
  EXPECT_GE(landed, 100u) << "waited 60 s for 100 rows in the destination before the kill; saw " << seen;
  if (landed == kRows) GTEST_LOG_(INFO) << "the first run finished before it could be killed";

  const nlohmann::json resumed = SuccessJson(Transfer({"--batch", "100"}));
  EXPECT_EQ(resumed["already_present"], landed);
  EXPECT_EQ(resumed["transferred"], kRows - landed);
  ExpectStoreHolds(destination_config_, expected);
  ExpectDestinationKeysOpen(expected);
  ExpectedKeys sample;
  int index = 0;
  for (const auto& [user, key] : expected) {
    if (index++ % 50 == 0) sample.emplace(user, key);
  }
  ExpectApiServes(destination_config_, sample);
}

TEST_F(TransferTest, ADifferentKeyInTheDestinationStopsUnlessOverwrite) {
  ExpectedKeys expected = PopulateSource(10);
  RunOk({"connector", "transfer", "--from", source_config_, "--to", destination_config_});
  // The user changes their key in the source after the first transfer.
  const std::string user = std::next(expected.begin(), 4)->first;
  expected[user].key = RandomKey(32);
  WithSource([&](connector::store::KeyStore& store, const custody::DataKeyring& keyring) {
    auto sealed = keyring.Seal(user, expected[user].key);
    ASSERT_TRUE(sealed.ok());
    const ExpectedKey& key = expected[user];
    const connector::store::UserKeyRecord record{
        user, sealed->second, sealed->first, key.creation_date, key.revision_date, key.last_access_date};
    ASSERT_TRUE(store.PutUserKeysExact(std::span(&record, 1)).ok());
  });

  const CliResult conflict = Transfer();
  EXPECT_EQ(conflict.exit_code, 1);
  EXPECT_NE(conflict.err.find(user), std::string::npos) << conflict.err;
  EXPECT_NE(conflict.err.find("different key"), std::string::npos) << conflict.err;

  const nlohmann::json summary = SuccessJson(Transfer({"--overwrite"}));
  EXPECT_EQ(summary["replaced"], 1);
  EXPECT_EQ(summary["already_present"], 9);
  EXPECT_EQ(summary["transferred"], 0);
  ExpectApiServes(destination_config_, expected);
}

TEST_F(TransferTest, CopiesIntoPostgresqlAndBack) {
  KW_SHARED_POSTGRES_OR_SKIP(server);
  auto database = server->CreateDatabase();
  ASSERT_TRUE(database.ok()) << database.status().ToString();
  WriteConnectorConfig(
      destination_config_, "", destination_key_, password_file_,
      "provider = \"postgresql\"\npostgresql = " + TomlString(server->ConnectionString(*database)) + "\n");
  const ExpectedKeys expected = PopulateSource(30);
  const nlohmann::json summary = SuccessJson(Transfer({"--batch", "8"}));
  EXPECT_EQ(summary["transferred"], 30);
  EXPECT_EQ(summary["verified"], 30);
  ExpectStoreHolds(destination_config_, expected);

  // The same server and database under the same name is refused; the other way round works.
  const CliResult same = RunCli({"connector", "transfer", "--from", destination_config_, "--to", destination_config_});
  EXPECT_EQ(same.exit_code, 2);
  EXPECT_NE(same.err.find("same database"), std::string::npos) << same.err;
  const std::string back = dir_.File("back.toml");
  WriteConnectorConfig(back, dir_.File("back.db"), source_key_);
  const nlohmann::json returned = RunOk({"connector", "transfer", "--from", destination_config_, "--to", back});
  EXPECT_EQ(returned["transferred"], 30);
  ExpectStoreHolds(back, expected);

  // Reading through the API last: it records last-access times.
  ExpectApiServes(destination_config_, expected);
  ExpectApiServes(back, expected);
}

TEST_F(TransferTest, CopiesIntoMariadb) {
  KW_REQUIRE_MARIADB(server);
  auto database = server->CreateDatabase();
  ASSERT_TRUE(database.ok()) << database.status().ToString();
  WriteConnectorConfig(destination_config_, "", destination_key_, "",
                       "provider = \"mysql\"\nmysql = " + TomlString(server->ConnectionString(*database)) + "\n");
  const ExpectedKeys expected = PopulateSource(30);
  const nlohmann::json summary = SuccessJson(Transfer({"--batch", "8"}));
  EXPECT_EQ(summary["transferred"], 30);
  EXPECT_EQ(summary["verified"], 30);
  ExpectStoreHolds(destination_config_, expected);
  ExpectApiServes(destination_config_, expected);
  const nlohmann::json again = SuccessJson(Transfer());
  EXPECT_EQ(again["already_present"], 30);
}

TEST_F(TransferTest, CopiesToAnRsaKeyOnAnHsm) {
  std::unique_ptr<SoftHsmToken> token;
  KW_SOFTHSM_TOKEN_OR_SKIP(token);
  auto key = RsaPrivateKey::Generate();
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(token->ImportKey(*key, "keywarden-hsm", {}).ok());
  const std::string pin_file = dir_.File("pin");
  std::ofstream(pin_file) << token->user_pin() << "\n";
  std::ofstream(destination_config_) << "identity_server_uri = \"http://127.0.0.1:9\"\n"
                                     << "[database]\nsqlite_path = " << TomlString(destination_db_) << "\n"
                                     << "[rsa_key]\nprovider = \"pkcs11\"\n"
                                     << "pkcs11_library = " << TomlString(SoftHsmToken::kModulePath) << "\n"
                                     << "pkcs11_token_serial = " << TomlString(token->serial()) << "\n"
                                     << "pkcs11_pin_file = " << TomlString(pin_file) << "\n"
                                     << "pkcs11_key_label = \"keywarden-hsm\"\n";
  const ExpectedKeys expected = PopulateSource(20);
  const nlohmann::json summary = SuccessJson(Transfer());
  EXPECT_EQ(summary["transferred"], 20);
  EXPECT_EQ(summary["verified"], 20);
  ExpectStoreHolds(destination_config_, expected);
  ExpectApiServes(destination_config_, expected);
}

TEST_F(TransferTest, RefusesTheSameDatabaseUnderAnotherName) {
  PopulateSource(3);
  const std::string alias = dir_.File("alias.toml");
  WriteConnectorConfig(alias, (dir_.path() / "." / "source.db").string(), destination_key_, password_file_);
  const CliResult result = RunCli({"connector", "transfer", "--from", source_config_, "--to", alias});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("same database"), std::string::npos) << result.err;
  EXPECT_EQ(result.out, "");
}

TEST_F(TransferTest, AMissingSourceIsAnErrorAndIsNotCreated) {
  const CliResult result = Transfer();
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("does not exist"), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(source_db_));
  EXPECT_FALSE(std::filesystem::exists(destination_db_));
}

TEST_F(TransferTest, BadConfigurationIsAUsageError) {
  const CliResult result =
      RunCli({"connector", "transfer", "--from", dir_.File("nowhere.toml"), "--to", destination_config_});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("--from"), std::string::npos) << result.err;
  const CliResult batch = Transfer({"--batch", "0"});
  EXPECT_EQ(batch.exit_code, 2);
}

}  // namespace
}  // namespace keywarden::testing
