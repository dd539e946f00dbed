// RotateDataKey on a real SQLite file with a real RSA key file. The end-to-end runs (the CLI
// against a serving connector, killed mid-way) are in tests/cli/connector_rotate_test.cc.
#include "connector/user_keys/data_key_rotation.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "connector/store/database_key_store.h"
#include "custody/data_keyring.h"
#include "custody/file/file_rsa_key_provider.h"
#include "keywarden/crypto/random.h"
#include "support/temp_dir.h"

namespace keywarden::connector {
namespace {

using keywarden::testing::TempDir;

std::string UserId(unsigned n) {
  char id[40];
  std::snprintf(id, sizeof id, "%08x-0000-4000-8000-%012x", n * 2654435761u, n);
  return id;
}

class DataKeyRotationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string key_path = dir_.File("key.pem");
    ASSERT_TRUE(custody::CreateKeyFile(key_path, custody::KeyFileFormat::kPemPkcs8, nullptr).ok());
    auto provider = custody::FileRsaKeyProvider::Load(key_path, nullptr);
    ASSERT_TRUE(provider.ok());
    provider_ = std::move(provider).value();
    auto store = connector::store::SqliteKeyStore::Open(dir_.File("keys.db"));
    ASSERT_TRUE(store.ok());
    store_ = std::move(store).value();
    auto keyring = custody::DataKeyring::Open(*store_, *provider_);
    ASSERT_TRUE(keyring.ok());
    keyring_ = std::move(keyring).value();
  }

  // `count` users with random keys, sealed under the keyring's current version.
  void Fill(unsigned count) {
    std::vector<connector::store::UserKeyRecord> records;
    for (unsigned i = 0; i < count; ++i) {
      std::vector<std::uint8_t> key(64);
      ASSERT_TRUE(RandomBytes(key).ok());
      const std::string id = UserId(static_cast<unsigned>(keys_.size()) + 1);
      auto sealed = keyring_->Seal(id, key);
      ASSERT_TRUE(sealed.ok());
      records.push_back({id, std::move(sealed->second), sealed->first, 1000 + i, std::nullopt, 2000 + i});
      keys_[id] = std::move(key);
    }
    ASSERT_TRUE(store_->PutUserKeysExact(records).ok());
  }

  // Every row opens to the key it was given, under `version`, with its dates untouched (unless
  // `rewritten`: a user's PUT dates its row).
  void ExpectAllUnder(std::uint32_t version, bool rewritten = false) {
    auto reader = custody::DataKeyring::Open(*store_, *provider_);
    ASSERT_TRUE(reader.ok());
    auto rows = store_->ListUserKeys("", 1'000'000);
    ASSERT_TRUE(rows.ok());
    ASSERT_EQ(rows->size(), keys_.size());
    for (const connector::store::UserKeyRecord& row : *rows) {
      EXPECT_EQ(row.data_key_version, version) << row.user_id;
      auto key = (*reader)->Open(row.user_id, row.data_key_version, row.sealed);
      ASSERT_TRUE(key.ok()) << row.user_id << ": " << key.status().ToString();
      EXPECT_TRUE(key->Equals(keys_.at(row.user_id))) << row.user_id;
      EXPECT_GE(row.creation_date, 1000);
      if (rewritten) continue;
      EXPECT_EQ(row.revision_date, std::nullopt);
      EXPECT_EQ(row.last_access_date, row.creation_date + 1000);
    }
  }

  static DataKeyRotationOptions Fast(std::size_t batch = 64) {
    DataKeyRotationOptions options;
    options.batch_size = batch;
    options.settle = std::chrono::milliseconds(0);
    return options;
  }

  TempDir dir_;
  std::unique_ptr<custody::FileRsaKeyProvider> provider_;
  std::unique_ptr<connector::store::SqliteKeyStore> store_;
  std::unique_ptr<custody::DataKeyring> keyring_;
  std::map<std::string, std::vector<std::uint8_t>> keys_;
};

TEST_F(DataKeyRotationTest, ResealsEveryRowUnderANewVersion) {
  Fill(500);
  std::vector<DataKeyRotationProgress> progress;
  DataKeyRotationOptions options = Fast();
  options.on_progress = [&](const DataKeyRotationProgress& p) { progress.push_back(p); };
  auto summary = RotateDataKey(*store_, *provider_, options);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->version, 2u);
  EXPECT_EQ(summary->versions, (std::vector<std::uint32_t>{1, 2}));
  EXPECT_TRUE(summary->created_version);
  EXPECT_EQ(summary->resealed, 500u);
  EXPECT_EQ(summary->already_current, 0u);
  EXPECT_EQ(summary->failed, 0u);
  EXPECT_EQ(summary->verified, 500u);
  EXPECT_EQ(summary->passes, 2);  // the re-sealing pass and the verifying one
  ExpectAllUnder(2);

  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.front().rows_total, 500u);
  EXPECT_TRUE(progress.back().pass_done);
  EXPECT_EQ(progress.back().rows_seen, 500u);
  EXPECT_EQ(progress.back().resealed, 500u);

  // Run again at once, it cannot tell a finished rotation from one killed after re-sealing: it
  // finishes version 2 (only the verifying pass) instead of re-sealing every row once more.
  auto again = RotateDataKey(*store_, *provider_, Fast());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->created_version);
  EXPECT_TRUE(again->reused_recent_version);
  EXPECT_LT(again->version_age, std::chrono::seconds(60));
  EXPECT_EQ(again->version, 2u);
  EXPECT_EQ(again->resealed, 0u);
  EXPECT_EQ(again->already_current, 500u);
  EXPECT_EQ(again->verified, 500u);
  ExpectAllUnder(2);

  // Asked for a new version (--new-version), it makes version 3.
  DataKeyRotationOptions new_version = Fast();
  new_version.reuse_newest_within = std::chrono::seconds(0);
  auto third = RotateDataKey(*store_, *provider_, new_version);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_TRUE(third->created_version);
  EXPECT_FALSE(third->reused_recent_version);
  EXPECT_EQ(third->version, 3u);
  EXPECT_EQ(third->resealed, 500u);
  ExpectAllUnder(3);

  // A newest version older than the window is followed by another, as before.
  DataKeyRotationOptions short_window = Fast();
  short_window.reuse_newest_within = std::chrono::seconds(1);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto fourth = RotateDataKey(*store_, *provider_, short_window);
  ASSERT_TRUE(fourth.ok()) << fourth.status().ToString();
  EXPECT_TRUE(fourth->created_version);
  EXPECT_EQ(fourth->version, 4u);
  ExpectAllUnder(4);
}

// A run cut short after it created the version (and after some pages) is resumed, not
// restarted: no third version, only the rows left are re-sealed.
TEST_F(DataKeyRotationTest, ResumesACutShortRotation) {
  Fill(300);
  auto added = keyring_->AddVersion();
  ASSERT_TRUE(added.ok());
  // A cut-short run had re-sealed the first 100 rows.
  auto first = store_->ListUserKeys("", 100);
  ASSERT_TRUE(first.ok());
  std::vector<connector::store::Reseal> reseals;
  for (connector::store::UserKeyRecord& row : *first) {
    auto key = keyring_->Open(row.user_id, row.data_key_version, row.sealed);
    ASSERT_TRUE(key.ok());
    auto sealed = keyring_->Seal(row.user_id, key->span());
    ASSERT_TRUE(sealed.ok());
    reseals.push_back({row.user_id, row.data_key_version, row.sealed, sealed->first, sealed->second});
  }
  auto changed = store_->ResealUserKeys(reseals);
  ASSERT_TRUE(changed.ok());
  ASSERT_EQ(*changed, 100u);

  auto summary = RotateDataKey(*store_, *provider_, Fast());
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_FALSE(summary->created_version);
  EXPECT_EQ(summary->version, 2u);
  EXPECT_EQ(summary->resealed, 200u);
  EXPECT_EQ(summary->already_current, 100u);
  EXPECT_EQ(summary->verified, 300u);
  ExpectAllUnder(2);
}

// A row that does not open (altered, or another user's row copied over it) is counted, named,
// left exactly as it was, and does not stop the others.
TEST_F(DataKeyRotationTest, ARowThatDoesNotOpenIsReportedAndLeftAlone) {
  Fill(50);
  const std::string victim = UserId(7);
  const std::string donor = UserId(8);
  auto donor_row = store_->GetUserKey(donor);
  ASSERT_TRUE(donor_row.ok());
  connector::store::UserKeyRecord copied = *donor_row;
  copied.user_id = victim;
  ASSERT_TRUE(store_->PutUserKeysExact({&copied, 1}).ok());

  auto summary = RotateDataKey(*store_, *provider_, Fast(16));
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->failed, 1u);
  EXPECT_EQ(summary->failed_user_ids, std::vector<std::string>{victim});
  EXPECT_EQ(summary->resealed, 49u);
  EXPECT_EQ(summary->verified, 49u);
  auto after = store_->GetUserKey(victim);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->sealed, copied.sealed);
  EXPECT_EQ(after->data_key_version, 1u);
}

// Users rewriting their keys during the rotation: their writes win, and every row ends up under
// the new version (the rewritten ones on a later pass).
TEST_F(DataKeyRotationTest, ConcurrentWritesAreNeverOverwritten) {
  Fill(2000);
  // A "service" with its own store handle, rewriting keys as fast as it can.
  auto service_store = connector::store::SqliteKeyStore::Open(dir_.File("keys.db"));
  ASSERT_TRUE(service_store.ok());
  custody::DataKeyringOptions fast_refresh;
  fast_refresh.refresh_interval = std::chrono::milliseconds(50);
  auto service = custody::DataKeyring::Open(**service_store, *provider_, fast_refresh);
  ASSERT_TRUE(service.ok());
  std::atomic<bool> stop{false};
  std::map<std::string, std::vector<std::uint8_t>> written;  // the writer thread's, read after join
  std::thread writer([&] {
    unsigned n = 0;
    while (!stop.load()) {
      const std::string id = UserId(1 + (n++ * 7919) % 2000);
      std::vector<std::uint8_t> key(32, static_cast<std::uint8_t>(n));
      auto sealed = (*service)->Seal(id, key);
      if (!sealed.ok()) continue;
      connector::store::UserKeyRecord record{id,          std::move(sealed->second), sealed->first, 1, std::nullopt,
                                             std::nullopt};
      if ((*service_store)->UpsertUserKey(record).ok()) written[id] = std::move(key);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // a busy service, not a tight loop
    }
  });
  DataKeyRotationOptions options = Fast(250);
  options.settle = std::chrono::milliseconds(200);  // > the service's refresh interval
  auto summary = RotateDataKey(*store_, *provider_, options);
  stop = true;
  writer.join();
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->failed, 0u);
  EXPECT_GE(summary->passes, 2);
  EXPECT_FALSE(written.empty()) << "the writer never wrote during the rotation";
  for (auto& [id, key] : written) keys_[id] = key;
  ExpectAllUnder(2, /*rewritten=*/true);
}

TEST_F(DataKeyRotationTest, AnEmptyDatabaseIsNotRotated) {
  TempDir other;
  auto empty = connector::store::SqliteKeyStore::Open(other.File("empty.db"));
  ASSERT_TRUE(empty.ok());
  auto summary = RotateDataKey(**empty, *provider_, Fast());
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.status().code(), ErrorCode::kNotFound);
  auto keys = (*empty)->ListDataKeys();
  ASSERT_TRUE(keys.ok());
  EXPECT_TRUE(keys->empty());  // nothing was created
}

}  // namespace
}  // namespace keywarden::connector
