#include "support/temp_dir.h"
#include "connector/data_keyring.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "connector/file_rsa_key_provider.h"
#include "store/sqlite_key_store.h"

namespace keywarden::connector {
namespace {

namespace fs = std::filesystem;

constexpr char kUserA[] = "a09726a0-9590-49d1-a5f5-afe300b6a515";
constexpr char kUserB[] = "1c1b5a0e-2f1e-4c1a-9b3d-0e5e8f7a6b5c";

using keywarden::testing::TempDir;

// A real RSA key in a real file, as the service would load it.
std::unique_ptr<FileRsaKeyProvider> NewProvider(const TempDir& dir, const std::string& name) {
  const std::string path = dir.File(name);
  auto fingerprint = CreateKeyFile(path, KeyFileFormat::kPemPkcs8, nullptr);
  EXPECT_TRUE(fingerprint.ok()) << fingerprint.status().ToString();
  auto provider = FileRsaKeyProvider::Load(path, nullptr);
  EXPECT_TRUE(provider.ok()) << provider.status().ToString();
  return provider.ok() ? std::move(provider).value() : nullptr;
}

std::unique_ptr<store::SqliteKeyStore> OpenStore(const std::string& path) {
  auto store = store::SqliteKeyStore::Open(path);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

std::vector<std::uint8_t> UserKey(std::uint8_t seed) { return std::vector<std::uint8_t>(32, seed); }

class DataKeyringTest : public ::testing::Test {
 protected:
  void SetUp() override {
    provider_ = NewProvider(dir_, "key.pem");
    ASSERT_NE(provider_, nullptr);
    db_path_ = dir_.File("keys.db");
  }

  TempDir dir_;
  std::unique_ptr<FileRsaKeyProvider> provider_;
  std::string db_path_;
};

TEST_F(DataKeyringTest, FirstOpenCreatesVersionOne) {
  auto store = OpenStore(db_path_);
  ASSERT_NE(store, nullptr);
  auto keyring = DataKeyring::Open(*store, *provider_);
  ASSERT_TRUE(keyring.ok()) << keyring.status().ToString();
  EXPECT_EQ((*keyring)->current_version(), 1u);

  auto records = store->ListDataKeys();
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u);
  const store::WrappedDataKey& record = records->front();
  EXPECT_EQ(record.version, 1u);
  EXPECT_EQ(record.provider_key_fingerprint, provider_->PublicKeyFingerprint());
  EXPECT_GT(record.creation_date, 0);
  auto data_key = provider_->Unwrap(record.wrapped);
  ASSERT_TRUE(data_key.ok());
  EXPECT_EQ(data_key->size(), DataKeyring::kDataKeySize);

  const std::vector<std::uint8_t> user_key = UserKey(7);
  auto sealed = (*keyring)->Seal(kUserA, user_key);
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  EXPECT_EQ(sealed->first, 1u);
  auto opened = (*keyring)->Open(kUserA, sealed->first, sealed->second);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_TRUE(opened->Equals(user_key));
}

TEST_F(DataKeyringTest, ReopenFindsTheSameKey) {
  const std::vector<std::uint8_t> user_key = UserKey(42);
  {
    auto store = OpenStore(db_path_);
    ASSERT_NE(store, nullptr);
    auto keyring = DataKeyring::Open(*store, *provider_);
    ASSERT_TRUE(keyring.ok()) << keyring.status().ToString();
    auto sealed = (*keyring)->Seal(kUserA, user_key);
    ASSERT_TRUE(sealed.ok());
    ASSERT_TRUE(store->InsertUserKey({kUserA, sealed->second, sealed->first, 1, {}, {}}).ok());
  }
  auto store = OpenStore(db_path_);
  ASSERT_NE(store, nullptr);
  auto keyring = DataKeyring::Open(*store, *provider_);
  ASSERT_TRUE(keyring.ok()) << keyring.status().ToString();
  auto records = store->ListDataKeys();
  ASSERT_TRUE(records.ok());
  EXPECT_EQ(records->size(), 1u);  // reopening created nothing new
  auto row = store->GetUserKey(kUserA);
  ASSERT_TRUE(row.ok());
  auto opened = (*keyring)->Open(kUserA, row->data_key_version, row->sealed);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_TRUE(opened->Equals(user_key));
}

// Two instances starting together on one fresh database end up with one data key.
TEST_F(DataKeyringTest, ConcurrentFirstOpensAgree) {
  constexpr int kInstances = 4;
  std::latch start(kInstances);
  std::vector<std::unique_ptr<store::SqliteKeyStore>> stores(kInstances);
  std::vector<std::unique_ptr<DataKeyring>> keyrings(kInstances);
  std::vector<Status> statuses(kInstances);
  std::vector<std::thread> threads;
  for (int i = 0; i < kInstances; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      auto store = store::SqliteKeyStore::Open(db_path_);
      if (!store.ok()) {
        statuses[i] = store.status();
        return;
      }
      stores[i] = std::move(store).value();
      auto keyring = DataKeyring::Open(*stores[i], *provider_);
      if (!keyring.ok()) {
        statuses[i] = keyring.status();
        return;
      }
      keyrings[i] = std::move(keyring).value();
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < kInstances; ++i) ASSERT_TRUE(statuses[i].ok()) << statuses[i].ToString();

  auto records = stores[0]->ListDataKeys();
  ASSERT_TRUE(records.ok());
  EXPECT_EQ(records->size(), 1u);
  for (int from = 0; from < kInstances; ++from) {
    const std::vector<std::uint8_t> user_key = UserKey(static_cast<std::uint8_t>(from + 1));
    auto sealed = keyrings[from]->Seal(kUserA, user_key);
    ASSERT_TRUE(sealed.ok());
    for (int to = 0; to < kInstances; ++to) {
      auto opened = keyrings[to]->Open(kUserA, sealed->first, sealed->second);
      ASSERT_TRUE(opened.ok()) << "sealed by " << from << ", opened by " << to << ": " << opened.status().ToString();
      EXPECT_TRUE(opened->Equals(user_key));
    }
  }
}

// The reference's weakness: a row copied onto another user's row must not open.
TEST_F(DataKeyringTest, SwappedRowDoesNotOpen) {
  auto store = OpenStore(db_path_);
  ASSERT_NE(store, nullptr);
  auto keyring = DataKeyring::Open(*store, *provider_);
  ASSERT_TRUE(keyring.ok()) << keyring.status().ToString();
  auto sealed_a = (*keyring)->Seal(kUserA, UserKey(1));
  auto sealed_b = (*keyring)->Seal(kUserB, UserKey(2));
  ASSERT_TRUE(sealed_a.ok() && sealed_b.ok());
  ASSERT_TRUE(store->InsertUserKey({kUserA, sealed_a->second, sealed_a->first, 1, {}, {}}).ok());
  ASSERT_TRUE(store->InsertUserKey({kUserB, sealed_b->second, sealed_b->first, 1, {}, {}}).ok());

  // Someone with database access copies A's row over B's.
  ASSERT_TRUE(store->UpsertUserKey({kUserB, sealed_a->second, sealed_a->first, 1, {}, {}}).ok());
  auto row = store->GetUserKey(kUserB);
  ASSERT_TRUE(row.ok());
  auto opened = (*keyring)->Open(kUserB, row->data_key_version, row->sealed);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), ErrorCode::kAuthenticationFailed);

  // A's own row still opens for A; a flipped bit does not.
  EXPECT_TRUE((*keyring)->Open(kUserA, sealed_a->first, sealed_a->second).ok());
  std::vector<std::uint8_t> tampered = sealed_a->second;
  tampered[tampered.size() / 2] ^= 0x01;
  EXPECT_EQ((*keyring)->Open(kUserA, sealed_a->first, tampered).status().code(), ErrorCode::kAuthenticationFailed);
  EXPECT_EQ((*keyring)->Open(kUserA, sealed_a->first, {}).status().code(), ErrorCode::kAuthenticationFailed);
}

TEST_F(DataKeyringTest, UnknownVersionIsUnavailable) {
  auto store = OpenStore(db_path_);
  ASSERT_NE(store, nullptr);
  auto keyring = DataKeyring::Open(*store, *provider_);
  ASSERT_TRUE(keyring.ok());
  auto sealed = (*keyring)->Seal(kUserA, UserKey(3));
  ASSERT_TRUE(sealed.ok());
  auto opened = (*keyring)->Open(kUserA, 2, sealed->second);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(opened.status().message().find("version 2"), std::string::npos);
}

TEST_F(DataKeyringTest, DifferentRsaKeyFailsClearly) {
  {
    auto store = OpenStore(db_path_);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(DataKeyring::Open(*store, *provider_).ok());
  }
  auto other = NewProvider(dir_, "other.pem");
  ASSERT_NE(other, nullptr);
  auto store = OpenStore(db_path_);
  ASSERT_NE(store, nullptr);
  auto keyring = DataKeyring::Open(*store, *other);
  ASSERT_FALSE(keyring.ok());
  const Status& status = keyring.status();
  EXPECT_EQ(status.code(), ErrorCode::kUnavailable);
  EXPECT_NE(status.message().find("data key version 1 was not wrapped by this RSA key"), std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find(other->PublicKeyFingerprint()), std::string::npos);
  EXPECT_NE(status.message().find(provider_->PublicKeyFingerprint()), std::string::npos);
  // Failing left the stored data key alone.
  auto records = store->ListDataKeys();
  ASSERT_TRUE(records.ok());
  EXPECT_EQ(records->size(), 1u);
}

}  // namespace
}  // namespace keywarden::connector
