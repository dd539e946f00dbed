#include "custody/data_keyring.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "connector/store/database_key_store.h"
#include "custody/file/file_rsa_key_provider.h"
#include "support/wait.h"

namespace keywarden::custody {
namespace {

namespace fs = std::filesystem;

constexpr char kUserA[] = "a09726a0-9590-49d1-a5f5-afe300b6a515";
constexpr char kUserB[] = "1c1b5a0e-2f1e-4c1a-9b3d-0e5e8f7a6b5c";

using keywarden::testing::TempDir;

// A real RSA key in a real file, as the service would load it.
std::unique_ptr<custody::FileRsaKeyProvider> NewProvider(const TempDir& dir, const std::string& name) {
  const std::string path = dir.File(name);
  auto fingerprint = custody::CreateKeyFile(path, custody::KeyFileFormat::kPemPkcs8, nullptr);
  EXPECT_TRUE(fingerprint.ok()) << fingerprint.status().ToString();
  auto provider = custody::FileRsaKeyProvider::Load(path, nullptr);
  EXPECT_TRUE(provider.ok()) << provider.status().ToString();
  return provider.ok() ? std::move(provider).value() : nullptr;
}

std::unique_ptr<connector::store::SqliteKeyStore> OpenStore(const std::string& path) {
  auto store = connector::store::SqliteKeyStore::Open(path);
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
  std::unique_ptr<custody::FileRsaKeyProvider> provider_;
  std::string db_path_;
};

TEST_F(DataKeyringTest, FirstOpenCreatesVersionOne) {
  auto store = OpenStore(db_path_);
  ASSERT_NE(store, nullptr);
  auto keyring = custody::DataKeyring::Open(*store, *provider_);
  ASSERT_TRUE(keyring.ok()) << keyring.status().ToString();
  EXPECT_EQ((*keyring)->current_version(), 1u);

  auto records = store->ListDataKeys();
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u);
  const custody::WrappedDataKey& record = records->front();
  EXPECT_EQ(record.version, 1u);
  EXPECT_EQ(record.provider_key_fingerprint, provider_->PublicKeyFingerprint());
  EXPECT_GT(record.creation_date, 0);
  auto data_key = provider_->Unwrap(record.wrapped);
  ASSERT_TRUE(data_key.ok());
  EXPECT_EQ(data_key->size(), custody::DataKeyring::kDataKeySize);

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
    auto keyring = custody::DataKeyring::Open(*store, *provider_);
    ASSERT_TRUE(keyring.ok()) << keyring.status().ToString();
    auto sealed = (*keyring)->Seal(kUserA, user_key);
    ASSERT_TRUE(sealed.ok());
    ASSERT_TRUE(store->InsertUserKey({kUserA, sealed->second, sealed->first, 1, {}, {}}).ok());
  }
  auto store = OpenStore(db_path_);
  ASSERT_NE(store, nullptr);
  auto keyring = custody::DataKeyring::Open(*store, *provider_);
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
  std::vector<std::unique_ptr<connector::store::SqliteKeyStore>> stores(kInstances);
  std::vector<std::unique_ptr<custody::DataKeyring>> keyrings(kInstances);
  std::vector<Status> statuses(kInstances);
  std::vector<std::thread> threads;
  for (int i = 0; i < kInstances; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      auto store = connector::store::SqliteKeyStore::Open(db_path_);
      if (!store.ok()) {
        statuses[i] = store.status();
        return;
      }
      stores[i] = std::move(store).value();
      auto keyring = custody::DataKeyring::Open(*stores[i], *provider_);
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
  auto keyring = custody::DataKeyring::Open(*store, *provider_);
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
  auto keyring = custody::DataKeyring::Open(*store, *provider_);
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
    ASSERT_TRUE(custody::DataKeyring::Open(*store, *provider_).ok());
  }
  auto other = NewProvider(dir_, "other.pem");
  ASSERT_NE(other, nullptr);
  auto store = OpenStore(db_path_);
  ASSERT_NE(store, nullptr);
  auto keyring = custody::DataKeyring::Open(*store, *other);
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

// ---- schema v2: several wrappings per version ----

// The data key of `version` as `provider` unwraps it from the store.
SecureBuffer StoredDataKey(connector::store::KeyStore& store, std::uint32_t version,
                           const custody::RsaKeyProvider& provider) {
  auto records = store.ListDataKeys();
  EXPECT_TRUE(records.ok());
  for (const custody::WrappedDataKey& record : records.ok() ? *records : std::vector<custody::WrappedDataKey>()) {
    if (record.version != version || record.provider_key_fingerprint != provider.PublicKeyFingerprint()) continue;
    auto key = provider.Unwrap(record.wrapped);
    EXPECT_TRUE(key.ok());
    if (key.ok()) return std::move(key).value();
  }
  ADD_FAILURE() << "no wrapping of version " << version << " under this key";
  return SecureBuffer();
}

TimeMs Now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST_F(DataKeyringTest, UsesTheWrappingMadeForItsOwnKey) {
  auto other = NewProvider(dir_, "other.pem");
  ASSERT_NE(other, nullptr);
  auto store = OpenStore(db_path_);
  ASSERT_NE(store, nullptr);
  auto first = custody::DataKeyring::Open(*store, *provider_);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto sealed = (*first)->Seal(kUserA, UserKey(9));
  ASSERT_TRUE(sealed.ok());

  // Version 1 gains a wrapping under the other key, and one under a third key that holds
  // garbage: the keyring must take its own and never try the others.
  const SecureBuffer data_key = StoredDataKey(*store, 1, *provider_);
  auto rewrapped = other->Wrap(data_key.span());
  ASSERT_TRUE(rewrapped.ok());
  ASSERT_TRUE(store->PutDataKeyWrapping({1, *rewrapped, other->PublicKeyFingerprint(), Now()}).ok());
  ASSERT_TRUE(store->PutDataKeyWrapping({1, std::vector<std::uint8_t>(256, 0x5a), std::string(64, 'c'), Now()}).ok());

  for (const custody::RsaKeyProvider* key : {static_cast<const custody::RsaKeyProvider*>(provider_.get()),
                                             static_cast<const custody::RsaKeyProvider*>(other.get())}) {
    auto keyring = custody::DataKeyring::Open(*store, *key);
    ASSERT_TRUE(keyring.ok()) << keyring.status().ToString();
    EXPECT_EQ((*keyring)->versions(), std::vector<std::uint32_t>{1});
    auto opened = (*keyring)->Open(kUserA, sealed->first, sealed->second);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_TRUE(opened->Equals(UserKey(9)));
  }
}

TEST_F(DataKeyringTest, AVersionWithoutAWrappingForThisKeyIsNamed) {
  auto other = NewProvider(dir_, "other.pem");
  ASSERT_NE(other, nullptr);
  auto store = OpenStore(db_path_);
  ASSERT_NE(store, nullptr);
  {
    auto keyring = custody::DataKeyring::Open(*store, *provider_);
    ASSERT_TRUE(keyring.ok());
    const SecureBuffer data_key = StoredDataKey(*store, 1, *provider_);
    auto rewrapped = other->Wrap(data_key.span());
    ASSERT_TRUE(rewrapped.ok());
    ASSERT_TRUE(store->PutDataKeyWrapping({1, *rewrapped, other->PublicKeyFingerprint(), Now()}).ok());
  }
  // Version 2 exists only under the other key.
  auto other_keyring = custody::DataKeyring::Open(*store, *other);
  ASSERT_TRUE(other_keyring.ok());
  auto added = (*other_keyring)->AddVersion();
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(*added, 2u);

  auto keyring = custody::DataKeyring::Open(*store, *provider_);
  ASSERT_FALSE(keyring.ok());
  EXPECT_EQ(keyring.status().code(), ErrorCode::kUnavailable);
  const std::string& message = keyring.status().message();
  EXPECT_NE(message.find("data key version 2 was not wrapped by this RSA key"), std::string::npos) << message;
  EXPECT_NE(message.find(provider_->PublicKeyFingerprint()), std::string::npos) << message;
  EXPECT_NE(message.find(other->PublicKeyFingerprint()), std::string::npos) << message;
}

// A running service (its own store handle) meets a row re-sealed by an admin tool under a
// version created after it started: the read succeeds, without waiting.
TEST_F(DataKeyringTest, ReloadsWhenARowHasAVersionItDoesNotHold) {
  auto service_store = OpenStore(db_path_);
  auto admin_store = OpenStore(db_path_);
  ASSERT_TRUE(service_store && admin_store);
  custody::DataKeyringOptions no_refresh;  // only the row's unknown version can make it reload
  no_refresh.refresh_interval = std::chrono::hours(1);
  auto service = custody::DataKeyring::Open(*service_store, *provider_, no_refresh);
  ASSERT_TRUE(service.ok());
  auto admin = custody::DataKeyring::Open(*admin_store, *provider_);
  ASSERT_TRUE(admin.ok());

  auto added = (*admin)->AddVersion();
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  ASSERT_EQ(*added, 2u);
  EXPECT_EQ((*admin)->current_version(), 2u);
  auto sealed = (*admin)->Seal(kUserA, UserKey(4));
  ASSERT_TRUE(sealed.ok());
  ASSERT_EQ(sealed->first, 2u);

  EXPECT_EQ((*service)->current_version(), 1u);
  const auto start = std::chrono::steady_clock::now();
  auto opened = (*service)->Open(kUserA, sealed->first, sealed->second);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_TRUE(opened->Equals(UserKey(4)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  // The reload also moved its writes to the new version.
  EXPECT_EQ((*service)->current_version(), 2u);
  EXPECT_EQ((*service)->versions(), (std::vector<std::uint32_t>{1, 2}));
  auto resealed = (*service)->Seal(kUserB, UserKey(5));
  ASSERT_TRUE(resealed.ok());
  EXPECT_EQ(resealed->first, 2u);
}

// A version a running service cannot unwrap (created under another RSA key) is named when a row
// needs it, and the service keeps sealing under the newest version it holds.
TEST_F(DataKeyringTest, AVersionUnderAnotherKeyMetWhileServingIsNamed) {
  auto other = NewProvider(dir_, "other.pem");
  ASSERT_NE(other, nullptr);
  auto service_store = OpenStore(db_path_);
  auto admin_store = OpenStore(db_path_);
  ASSERT_TRUE(service_store && admin_store);
  auto service = custody::DataKeyring::Open(*service_store, *provider_);
  ASSERT_TRUE(service.ok());
  const SecureBuffer data_key = StoredDataKey(*admin_store, 1, *provider_);
  auto rewrapped = other->Wrap(data_key.span());
  ASSERT_TRUE(rewrapped.ok());
  ASSERT_TRUE(admin_store->PutDataKeyWrapping({1, *rewrapped, other->PublicKeyFingerprint(), Now()}).ok());
  auto admin = custody::DataKeyring::Open(*admin_store, *other);
  ASSERT_TRUE(admin.ok());
  ASSERT_TRUE((*admin)->AddVersion().ok());
  auto sealed = (*admin)->Seal(kUserA, UserKey(8));
  ASSERT_TRUE(sealed.ok());
  ASSERT_EQ(sealed->first, 2u);

  auto opened = (*service)->Open(kUserA, sealed->first, sealed->second);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(opened.status().message().find("data key version 2 was not wrapped by this RSA key"), std::string::npos)
      << opened.status().message();
  EXPECT_NE(opened.status().message().find(other->PublicKeyFingerprint()), std::string::npos);
  EXPECT_EQ((*service)->current_version(), 1u);
  auto mine = (*service)->Seal(kUserB, UserKey(1));
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ(mine->first, 1u);
}

// An instance left running with an RSA key that does not open the newest data key version
// answers 503 for rows under it: its health says so (Check), and recovers once the version is
// wrapped for its key too.
TEST_F(DataKeyringTest, CheckFailsWhileTheStoreHoldsAVersionThisKeyCannotOpen) {
  auto other = NewProvider(dir_, "other.pem");
  ASSERT_NE(other, nullptr);
  auto service_store = OpenStore(db_path_);
  auto admin_store = OpenStore(db_path_);
  ASSERT_TRUE(service_store && admin_store);
  custody::DataKeyringOptions options;
  options.refresh_interval = std::chrono::milliseconds(50);
  auto service = custody::DataKeyring::Open(*service_store, *provider_, options);
  ASSERT_TRUE(service.ok());
  EXPECT_TRUE((*service)->Check().ok()) << (*service)->Check().ToString();

  // Another process rotates the data key under another RSA key only.
  const SecureBuffer data_key = StoredDataKey(*admin_store, 1, *provider_);
  auto rewrapped = other->Wrap(data_key.span());
  ASSERT_TRUE(rewrapped.ok());
  ASSERT_TRUE(admin_store->PutDataKeyWrapping({1, *rewrapped, other->PublicKeyFingerprint(), Now()}).ok());
  auto admin = custody::DataKeyring::Open(*admin_store, *other);
  ASSERT_TRUE(admin.ok());
  ASSERT_TRUE((*admin)->AddVersion().ok());

  Status health;
  KW_ASSERT_EVENTUALLY(!(health = (*service)->Check()).ok(), std::chrono::seconds(10))
      << "Check stayed OK with a data key version this key cannot open";
  EXPECT_EQ(health.code(), ErrorCode::kUnavailable);
  EXPECT_NE(health.message().find("data key version 2 was not wrapped by this RSA key"), std::string::npos)
      << health.message();
  // Its own key still works: the provider is not what is wrong.
  EXPECT_TRUE(provider_->Check().ok());

  // Wrapped for this key as well (rotate-rsa-key's first step): healthy again.
  const SecureBuffer version_2 = StoredDataKey(*admin_store, 2, *other);
  auto for_us = provider_->Wrap(version_2.span());
  ASSERT_TRUE(for_us.ok());
  ASSERT_TRUE(admin_store->PutDataKeyWrapping({2, *for_us, provider_->PublicKeyFingerprint(), Now()}).ok());
  KW_ASSERT_EVENTUALLY((*service)->Check().ok(), std::chrono::seconds(10)) << (*service)->Check().ToString();
  EXPECT_EQ((*service)->current_version(), 2u);
}

// Without any read of a new row, writes move to a new version within the refresh interval.
TEST_F(DataKeyringTest, SealMovesToANewVersionWithinTheRefreshInterval) {
  auto service_store = OpenStore(db_path_);
  auto admin_store = OpenStore(db_path_);
  ASSERT_TRUE(service_store && admin_store);
  custody::DataKeyringOptions options;
  options.refresh_interval = std::chrono::milliseconds(200);
  auto service = custody::DataKeyring::Open(*service_store, *provider_, options);
  ASSERT_TRUE(service.ok());
  auto admin = custody::DataKeyring::Open(*admin_store, *provider_);
  ASSERT_TRUE(admin.ok());
  auto before = (*service)->Seal(kUserA, UserKey(1));
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->first, 1u);

  ASSERT_TRUE((*admin)->AddVersion().ok());
  const auto added = std::chrono::steady_clock::now();
  std::uint32_t version = 1;
  Status seal = OkStatus();
  keywarden::testing::WaitUntil(  // its outcome is in `version`, checked next
      [&] {
        auto sealed = (*service)->Seal(kUserA, UserKey(1));
        if (!sealed.ok()) {
          seal = sealed.status();
          return true;
        }
        version = sealed->first;
        return version != 1;
      },
      std::chrono::seconds(5));
  ASSERT_TRUE(seal.ok()) << seal.ToString();
  EXPECT_EQ(version, 2u) << "the service still seals under version 1, 5 s after version 2 was added";
  EXPECT_LT(std::chrono::steady_clock::now() - added, std::chrono::milliseconds(1500));
}

// A KeyStore that counts ListDataKeys calls and forwards everything to a real SQLite store.
class CountingStore final : public connector::store::KeyStore {
 public:
  explicit CountingStore(connector::store::KeyStore& inner) : inner_(inner) {}
  int list_data_keys_calls() const { return calls_.load(); }

  Result<connector::store::UserKeyRecord> GetUserKey(std::string_view id) override { return inner_.GetUserKey(id); }
  Status InsertUserKey(const connector::store::UserKeyRecord& r) override { return inner_.InsertUserKey(r); }
  Status UpsertUserKey(const connector::store::UserKeyRecord& r) override { return inner_.UpsertUserKey(r); }
  Status DeleteUserKey(std::string_view id) override { return inner_.DeleteUserKey(id); }
  Status RecordLastAccess(std::span<const connector::store::LastAccess> a) override {
    return inner_.RecordLastAccess(a);
  }
  Result<std::uint64_t> CountUserKeys() override { return inner_.CountUserKeys(); }
  Result<std::vector<connector::store::UserKeyRecord>> ListUserKeys(std::string_view after,
                                                                    std::size_t limit) override {
    return inner_.ListUserKeys(after, limit);
  }
  Result<std::size_t> ResealUserKeys(std::span<const connector::store::Reseal> r) override {
    return inner_.ResealUserKeys(r);
  }
  Status PutUserKeysExact(std::span<const connector::store::UserKeyRecord> r) override {
    return inner_.PutUserKeysExact(r);
  }
  Result<custody::WrappedDataKey> InitDataKey(const custody::WrappedDataKey& c) override {
    return inner_.InitDataKey(c);
  }
  Status PutDataKeyWrapping(const custody::WrappedDataKey& w) override { return inner_.PutDataKeyWrapping(w); }
  Status DeleteDataKeyWrapping(std::uint32_t v, std::string_view f) override {
    return inner_.DeleteDataKeyWrapping(v, f);
  }
  Result<std::vector<custody::WrappedDataKey>> ListDataKeys() override {
    ++calls_;
    return inner_.ListDataKeys();
  }
  Result<std::vector<std::uint32_t>> SealedDataKeyVersions() override { return inner_.SealedDataKeyVersions(); }
  Result<int> SchemaVersion() override { return inner_.SchemaVersion(); }
  Status Ping() override { return inner_.Ping(); }

 private:
  connector::store::KeyStore& inner_;
  std::atomic<int> calls_{0};
};

// Rows naming a version nobody holds (a damaged database) fail as unavailable, and cost at most
// one reload per min_reload_interval however many readers hit them.
TEST_F(DataKeyringTest, UnknownVersionsReloadAtMostOncePerInterval) {
  auto sqlite = OpenStore(db_path_);
  ASSERT_NE(sqlite, nullptr);
  CountingStore store(*sqlite);
  custody::DataKeyringOptions options;
  options.min_reload_interval = std::chrono::milliseconds(100);
  options.refresh_interval = std::chrono::hours(1);
  auto keyring = custody::DataKeyring::Open(store, *provider_, options);
  ASSERT_TRUE(keyring.ok());
  auto sealed = (*keyring)->Seal(kUserA, UserKey(3));
  ASSERT_TRUE(sealed.ok());
  const int at_open = store.list_data_keys_calls();

  constexpr auto kRun = std::chrono::milliseconds(500);
  std::atomic<int> opens{0};
  std::atomic<int> wrong{0};
  std::vector<std::thread> readers;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([&] {
      while (std::chrono::steady_clock::now() - start < kRun) {
        auto opened = (*keyring)->Open(kUserA, 7, sealed->second);
        ++opens;
        if (opened.ok() || opened.status().code() != ErrorCode::kUnavailable ||
            opened.status().message().find("no data key version 7") == std::string::npos) {
          ++wrong;
        }
        // A known version stays on the fast path meanwhile.
        if (!(*keyring)->Open(kUserA, sealed->first, sealed->second).ok()) ++wrong;
      }
    });
  }
  for (std::thread& t : readers) t.join();
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GE(opens.load(), 4);
  const int reloads = store.list_data_keys_calls() - at_open;
  EXPECT_GE(reloads, 1);
  EXPECT_LE(reloads, static_cast<int>(elapsed / options.min_reload_interval) + 1) << "in " << opens.load() << " opens";
}

// Readers and writers on many threads keep working while versions are added under them.
TEST_F(DataKeyringTest, ConcurrentUseDuringRotations) {
  auto service_store = OpenStore(db_path_);
  auto admin_store = OpenStore(db_path_);
  ASSERT_TRUE(service_store && admin_store);
  custody::DataKeyringOptions options;
  options.refresh_interval = std::chrono::milliseconds(20);
  options.min_reload_interval = std::chrono::milliseconds(5);
  auto service = custody::DataKeyring::Open(*service_store, *provider_, options);
  auto admin = custody::DataKeyring::Open(*admin_store, *provider_);
  ASSERT_TRUE(service.ok() && admin.ok());

  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const std::vector<std::uint8_t> key = UserKey(static_cast<std::uint8_t>(t));
      while (!stop.load()) {
        auto sealed = (*service)->Seal(kUserA, key);
        if (!sealed.ok()) {
          ++failures;
          continue;
        }
        auto opened = (*service)->Open(kUserA, sealed->first, sealed->second);
        if (!opened.ok() || !opened->Equals(key)) ++failures;
      }
    });
  }
  // The admin side seals under each new version; the service must open those rows too.
  for (int round = 0; round < 3; ++round) {
    auto added = (*admin)->AddVersion();
    ASSERT_TRUE(added.ok()) << added.status().ToString();
    auto sealed = (*admin)->Seal(kUserB, UserKey(99));
    ASSERT_TRUE(sealed.ok());
    EXPECT_EQ(sealed->first, *added);
    auto opened = (*service)->Open(kUserB, sealed->first, sealed->second);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  stop = true;
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ((*service)->current_version(), 4u);
}

// What an operator's stray DELETE (or a half-restored backup) does to the data key rows.
void Sql(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sql << ": " << sqlite3_errmsg(db);
  sqlite3_close(db);
}

// A store holding a key sealed under version 1, whose data key rows are then deleted: a new data
// key would open none of the stored keys, and keys written under it would hide the loss.
TEST_F(DataKeyringTest, NeverMintsADataKeyOverKeysSealedUnderALostOne) {
  {
    auto store = OpenStore(db_path_);
    ASSERT_NE(store, nullptr);
    auto keyring = custody::DataKeyring::Open(*store, *provider_);
    ASSERT_TRUE(keyring.ok());
    auto sealed = (*keyring)->Seal(kUserA, UserKey(1));
    ASSERT_TRUE(sealed.ok());
    ASSERT_TRUE(store->InsertUserKey({kUserA, sealed->second, sealed->first, 1000, std::nullopt, std::nullopt}).ok());
  }
  Sql(db_path_, "DELETE FROM data_key_wrappings; DELETE FROM data_keys");

  auto store = OpenStore(db_path_);
  ASSERT_NE(store, nullptr);
  auto keyring = custody::DataKeyring::Open(*store, *provider_);
  ASSERT_FALSE(keyring.ok()) << "a new data key was made for a store whose keys it cannot open";
  EXPECT_EQ(keyring.status().code(), ErrorCode::kNotFound) << keyring.status().ToString();
  EXPECT_NE(keyring.status().message().find("data key version 1,"), std::string::npos) << keyring.status().message();
  EXPECT_EQ(keyring.status().message().find('\n'), std::string::npos);
  custody::DataKeyringOptions salvage;  // never mints, even for a salvaging tool
  salvage.allow_lost_versions = true;
  EXPECT_EQ(custody::DataKeyring::Open(*store, *provider_, salvage).status().code(), ErrorCode::kNotFound);
  auto records = store->ListDataKeys();
  ASSERT_TRUE(records.ok());
  EXPECT_TRUE(records->empty()) << "a data key was stored anyway";
}

// Rows under a version whose rows are gone, beside a version that is still there.
TEST_F(DataKeyringTest, RefusesToOpenWhenRowsNameAVersionTheStoreLost) {
  auto store = OpenStore(db_path_);
  ASSERT_NE(store, nullptr);
  {
    auto keyring = custody::DataKeyring::Open(*store, *provider_);
    ASSERT_TRUE(keyring.ok());
    ASSERT_TRUE((*keyring)->AddVersion().ok());
    auto sealed = (*keyring)->Seal(kUserA, UserKey(1));
    ASSERT_TRUE(sealed.ok());
    ASSERT_EQ(sealed->first, 2u);
    ASSERT_TRUE(store->InsertUserKey({kUserA, sealed->second, sealed->first, 1000, std::nullopt, std::nullopt}).ok());
  }
  Sql(db_path_, "DELETE FROM data_key_wrappings WHERE version = 2; DELETE FROM data_keys WHERE version = 2");
  auto keyring = custody::DataKeyring::Open(*store, *provider_);
  ASSERT_FALSE(keyring.ok());
  EXPECT_EQ(keyring.status().code(), ErrorCode::kNotFound) << keyring.status().ToString();
  EXPECT_NE(keyring.status().message().find("data key version 2,"), std::string::npos) << keyring.status().message();

  // A salvaging tool opens it; the row under the lost version fails alone.
  custody::DataKeyringOptions salvage;
  salvage.allow_lost_versions = true;
  auto tolerant = custody::DataKeyring::Open(*store, *provider_, salvage);
  ASSERT_TRUE(tolerant.ok()) << tolerant.status().ToString();
  auto row = store->GetUserKey(kUserA);
  ASSERT_TRUE(row.ok());
  EXPECT_FALSE((*tolerant)->Open(kUserA, row->data_key_version, row->sealed).ok());
}

// While serving, the keyring still holds the deleted key in memory; its health check says that a
// restart would fail.
TEST_F(DataKeyringTest, CheckStoreFailsOnceAHeldVersionIsDeleted) {
  auto store = OpenStore(db_path_);
  ASSERT_NE(store, nullptr);
  auto keyring = custody::DataKeyring::Open(*store, *provider_);
  ASSERT_TRUE(keyring.ok());
  EXPECT_TRUE((*keyring)->CheckStore().ok());
  Sql(db_path_, "DELETE FROM data_key_wrappings; DELETE FROM data_keys");
  const Status check = (*keyring)->CheckStore();
  EXPECT_EQ(check.code(), ErrorCode::kNotFound) << check.ToString();
  EXPECT_NE(check.message().find("data key version 1,"), std::string::npos) << check.message();
}

}  // namespace
}  // namespace keywarden::custody
