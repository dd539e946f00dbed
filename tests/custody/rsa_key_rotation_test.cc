// custody::RotateRsaKey between two real key files on a real SQLite file. The CLI runs (while serving,
// and between a key file and PKCS#11) are in tests/cli/connector_rotate_test.cc.
#include "custody/rsa_key_rotation.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "connector/store/database_key_store.h"
#include "custody/data_keyring.h"
#include "custody/file/file_rsa_key_provider.h"
#include "support/temp_dir.h"

namespace keywarden::custody {
namespace {

using keywarden::testing::TempDir;

constexpr char kUser[] = "a09726a0-9590-49d1-a5f5-afe300b6a515";

class RsaKeyRotationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    old_key_ = NewKey("old.pem");
    new_key_ = NewKey("new.pem");
    ASSERT_TRUE(old_key_ && new_key_);
    auto store = connector::store::SqliteKeyStore::Open(dir_.File("keys.db"));
    ASSERT_TRUE(store.ok());
    store_ = std::move(store).value();
    // Two data key versions under the old key, and a row under each.
    auto keyring = custody::DataKeyring::Open(*store_, *old_key_);
    ASSERT_TRUE(keyring.ok());
    for (int version = 1; version <= 2; ++version) {
      if (version == 2) {
        ASSERT_TRUE((*keyring)->AddVersion().ok());
      }
      auto sealed = (*keyring)->Seal(kUser, std::vector<std::uint8_t>(32, static_cast<std::uint8_t>(version)));
      ASSERT_TRUE(sealed.ok());
      sealed_.push_back(*sealed);
    }
  }

  std::unique_ptr<custody::FileRsaKeyProvider> NewKey(const std::string& name) {
    const std::string path = dir_.File(name);
    if (!custody::CreateKeyFile(path, custody::KeyFileFormat::kPemPkcs8, nullptr).ok()) return nullptr;
    auto key = custody::FileRsaKeyProvider::Load(path, nullptr);
    return key.ok() ? std::move(key).value() : nullptr;
  }

  // Fingerprints wrapping each version.
  std::map<std::uint32_t, std::set<std::string>> Wrappings() {
    std::map<std::uint32_t, std::set<std::string>> out;
    auto keys = store_->ListDataKeys();
    EXPECT_TRUE(keys.ok());
    for (const auto& key : *keys) out[key.version].insert(key.provider_key_fingerprint);
    return out;
  }

  // Both rows open with a keyring of `key`.
  void ExpectRowsOpenWith(const custody::RsaKeyProvider& key) {
    auto keyring = custody::DataKeyring::Open(*store_, key);
    ASSERT_TRUE(keyring.ok()) << keyring.status().ToString();
    for (std::size_t i = 0; i < sealed_.size(); ++i) {
      auto opened = (*keyring)->Open(kUser, sealed_[i].first, sealed_[i].second);
      ASSERT_TRUE(opened.ok()) << opened.status().ToString();
      EXPECT_TRUE(opened->Equals(std::vector<std::uint8_t>(32, static_cast<std::uint8_t>(i + 1))));
    }
  }

  TempDir dir_;
  std::unique_ptr<custody::FileRsaKeyProvider> old_key_;
  std::unique_ptr<custody::FileRsaKeyProvider> new_key_;
  std::unique_ptr<connector::store::SqliteKeyStore> store_;
  std::vector<std::pair<std::uint32_t, std::vector<std::uint8_t>>> sealed_;
};

TEST_F(RsaKeyRotationTest, RewrapsVerifiesAndRetiresTheOldKey) {
  auto summary = custody::RotateRsaKey(*store_, *old_key_, *new_key_, /*keep_old=*/false);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->old_fingerprint, old_key_->PublicKeyFingerprint());
  EXPECT_EQ(summary->new_fingerprint, new_key_->PublicKeyFingerprint());
  EXPECT_EQ(summary->versions, (std::vector<std::uint32_t>{1, 2}));
  EXPECT_EQ(summary->wrapped, 2u);
  EXPECT_EQ(summary->already_wrapped, 0u);
  EXPECT_EQ(summary->retired, 2u);
  const std::set<std::string> only_new = {new_key_->PublicKeyFingerprint()};
  EXPECT_EQ(Wrappings(), (std::map<std::uint32_t, std::set<std::string>>{{1, only_new}, {2, only_new}}));
  ExpectRowsOpenWith(*new_key_);

  // The old key opens nothing stored any more.
  auto old_keyring = custody::DataKeyring::Open(*store_, *old_key_);
  ASSERT_FALSE(old_keyring.ok());
  EXPECT_EQ(old_keyring.status().code(), ErrorCode::kUnavailable);
  auto keys = store_->ListDataKeys();
  ASSERT_TRUE(keys.ok());
  for (const auto& key : *keys) EXPECT_FALSE(old_key_->Unwrap(key.wrapped).ok());

  // Running it again changes nothing and says so.
  auto again = custody::RotateRsaKey(*store_, *old_key_, *new_key_, false);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->wrapped, 0u);
  EXPECT_EQ(again->retired, 0u);
}

TEST_F(RsaKeyRotationTest, KeepOldLeavesBothKeysWorkingUntilALaterRun) {
  auto summary = custody::RotateRsaKey(*store_, *old_key_, *new_key_, /*keep_old=*/true);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_TRUE(summary->kept_old);
  EXPECT_EQ(summary->retired, 0u);
  ExpectRowsOpenWith(*old_key_);
  ExpectRowsOpenWith(*new_key_);

  auto retire = custody::RotateRsaKey(*store_, *old_key_, *new_key_, false);
  ASSERT_TRUE(retire.ok()) << retire.status().ToString();
  EXPECT_EQ(retire->wrapped, 0u);
  EXPECT_EQ(retire->already_wrapped, 2u);
  EXPECT_EQ(retire->retired, 2u);
  ExpectRowsOpenWith(*new_key_);
}

// A run cut short leaves some versions wrapped twice, or a bad new wrapping; the next run
// repairs and finishes. One cut short while retiring is finished too.
TEST_F(RsaKeyRotationTest, ResumesWhateverStateACutShortRunLeft) {
  // Version 1 already has a (garbage) wrapping under the new key's fingerprint.
  ASSERT_TRUE(
      store_->PutDataKeyWrapping({1, std::vector<std::uint8_t>(256, 7), new_key_->PublicKeyFingerprint(), 1}).ok());
  auto summary = custody::RotateRsaKey(*store_, *old_key_, *new_key_, true);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->wrapped, 2u);  // the garbage was replaced
  ExpectRowsOpenWith(*new_key_);

  // Cut short while retiring: version 1 lost its old wrapping, version 2 not yet.
  ASSERT_TRUE(store_->DeleteDataKeyWrapping(1, old_key_->PublicKeyFingerprint()).ok());
  auto finish = custody::RotateRsaKey(*store_, *old_key_, *new_key_, false);
  ASSERT_TRUE(finish.ok()) << finish.status().ToString();
  EXPECT_EQ(finish->retired, 1u);
  const std::set<std::string> only_new = {new_key_->PublicKeyFingerprint()};
  EXPECT_EQ(Wrappings(), (std::map<std::uint32_t, std::set<std::string>>{{1, only_new}, {2, only_new}}));
  ExpectRowsOpenWith(*new_key_);
}

TEST_F(RsaKeyRotationTest, RefusesTheSameKeyAndKeysThatDoNotOpenTheData) {
  auto same = custody::RotateRsaKey(*store_, *old_key_, *old_key_, false);
  ASSERT_FALSE(same.ok());
  EXPECT_EQ(same.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(same.status().message().find("is the current one"), std::string::npos);

  // A "current" key that wraps nothing here: nothing is written.
  auto stranger = NewKey("stranger.pem");
  ASSERT_NE(stranger, nullptr);
  auto wrong = custody::RotateRsaKey(*store_, *stranger, *new_key_, false);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(wrong.status().message().find("data key version 1 is wrapped neither"), std::string::npos)
      << wrong.status().message();
  const std::set<std::string> only_old = {old_key_->PublicKeyFingerprint()};
  EXPECT_EQ(Wrappings(), (std::map<std::uint32_t, std::set<std::string>>{{1, only_old}, {2, only_old}}));
}

}  // namespace
}  // namespace keywarden::custody
