// The behaviour every connector::store::KeyStore must show, as a value-parameterised GoogleTest suite.
//
// A backend's test file includes this header and instantiates the suite with a factory that
// returns a fresh, empty store on every call:
//
//   using conformance::KeyStoreConformanceTest;
//   INSTANTIATE_TEST_SUITE_P(Sqlite, KeyStoreConformanceTest,
//                            ::testing::Values(KeyStoreFactory{"Sqlite", [] { return ...; }, 3}),
//                            KeyStoreFactoryName);
//
// The header defines the tests, so one file per test program includes it. Another file of the
// same program that instantiates the suite defines KEYWARDEN_KEY_STORE_CONFORMANCE_FIXTURE_ONLY
// before the include to get only the fixture (gtest joins instantiations across files).
#ifndef KEYWARDEN_TESTS_CONNECTOR_STORE_KEY_STORE_CONFORMANCE_H_
#define KEYWARDEN_TESTS_CONNECTOR_STORE_KEY_STORE_CONFORMANCE_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "connector/store/key_store.h"

namespace keywarden::connector::store::conformance {

struct KeyStoreFactory {
  std::string name;
  // A new, empty store each call; the factory cleans up after its stores itself.
  std::function<std::unique_ptr<connector::store::KeyStore>()> make;
  int schema_version;  // the backend's own current version (each counts its migrations)
};

inline std::string KeyStoreFactoryName(const ::testing::TestParamInfo<KeyStoreFactory>& info) {
  return info.param.name;
}

// A canonical user id from a number: "00000000-0000-4000-8000-00000000002a" for 42.
inline std::string TestUserId(unsigned n) {
  char id[40];
  std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012x", n);
  return id;
}

inline connector::store::UserKeyRecord TestRecord(unsigned n, TimeMs created, std::uint8_t fill = 0xA5) {
  connector::store::UserKeyRecord record;
  record.user_id = TestUserId(n);
  record.sealed.assign(60, fill);  // the size of a sealed 32-byte key: 12 + 32 + 16
  record.sealed[0] = static_cast<std::uint8_t>(n);
  record.data_key_version = 1;
  record.creation_date = created;
  return record;
}

inline custody::WrappedDataKey TestDataKey(std::uint32_t version, std::uint8_t fill, TimeMs created) {
  custody::WrappedDataKey key;
  key.version = version;
  key.wrapped.assign(256, fill);  // an RSA-2048 ciphertext's size
  key.provider_key_fingerprint = std::string(64, static_cast<char>('a' + fill % 6));
  key.creation_date = created;
  return key;
}

class KeyStoreConformanceTest : public ::testing::TestWithParam<KeyStoreFactory> {
 protected:
  void SetUp() override {
    store_ = GetParam().make();
    if (IsSkipped()) return;  // the factory's server is not installed here (outside CI)
    ASSERT_NE(store_, nullptr);
  }
  connector::store::KeyStore& store() { return *store_; }

 private:
  std::unique_ptr<connector::store::KeyStore> store_;
};

#ifndef KEYWARDEN_KEY_STORE_CONFORMANCE_FIXTURE_ONLY

TEST_P(KeyStoreConformanceTest, GetMissingIsNotFound) {
  auto got = store().GetUserKey(TestUserId(1));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), ErrorCode::kNotFound);
}

TEST_P(KeyStoreConformanceTest, InsertThenGetReturnsEveryField) {
  connector::store::UserKeyRecord plain = TestRecord(1, 1000);
  connector::store::UserKeyRecord full = TestRecord(2, 2000, 0x5A);
  full.data_key_version = 7;
  full.revision_date = 2500;
  full.last_access_date = 2600;
  ASSERT_TRUE(store().InsertUserKey(plain).ok());
  ASSERT_TRUE(store().InsertUserKey(full).ok());

  for (const connector::store::UserKeyRecord* want : {&plain, &full}) {
    auto got = store().GetUserKey(want->user_id);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->user_id, want->user_id);
    EXPECT_EQ(got->sealed, want->sealed);
    EXPECT_EQ(got->data_key_version, want->data_key_version);
    EXPECT_EQ(got->creation_date, want->creation_date);
    EXPECT_EQ(got->revision_date, want->revision_date);
    EXPECT_EQ(got->last_access_date, want->last_access_date);
  }
}

TEST_P(KeyStoreConformanceTest, InsertTwiceIsAlreadyExistsAndKeepsTheFirst) {
  ASSERT_TRUE(store().InsertUserKey(TestRecord(1, 1000, 0x11)).ok());
  Status second = store().InsertUserKey(TestRecord(1, 2000, 0x22));
  EXPECT_EQ(second.code(), ErrorCode::kAlreadyExists);

  auto got = store().GetUserKey(TestUserId(1));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->sealed, TestRecord(1, 1000, 0x11).sealed);
  EXPECT_EQ(got->creation_date, 1000);
}

TEST_P(KeyStoreConformanceTest, UpsertCreatesThenReplacesKeepingCreationDate) {
  ASSERT_TRUE(store().UpsertUserKey(TestRecord(1, 1000, 0x11)).ok());
  auto created = store().GetUserKey(TestUserId(1));
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->creation_date, 1000);
  EXPECT_FALSE(created->revision_date.has_value());

  connector::store::UserKeyRecord replacement = TestRecord(1, 5000, 0x22);
  replacement.data_key_version = 2;
  replacement.revision_date = 5000;
  ASSERT_TRUE(store().UpsertUserKey(replacement).ok());
  auto replaced = store().GetUserKey(TestUserId(1));
  ASSERT_TRUE(replaced.ok());
  EXPECT_EQ(replaced->sealed, replacement.sealed);
  EXPECT_EQ(replaced->data_key_version, 2u);
  EXPECT_EQ(replaced->creation_date, 1000);
  EXPECT_EQ(replaced->revision_date, 5000);
  EXPECT_EQ(store().CountUserKeys().value(), 1u);
}

TEST_P(KeyStoreConformanceTest, DeleteRemovesTheKey) {
  ASSERT_TRUE(store().InsertUserKey(TestRecord(1, 1000)).ok());
  ASSERT_TRUE(store().InsertUserKey(TestRecord(2, 1000)).ok());
  ASSERT_TRUE(store().DeleteUserKey(TestUserId(1)).ok());
  EXPECT_EQ(store().GetUserKey(TestUserId(1)).status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(store().GetUserKey(TestUserId(2)).ok());
  // After a delete the id is free for a new insert (the reference's POST).
  EXPECT_TRUE(store().InsertUserKey(TestRecord(1, 3000)).ok());
}

TEST_P(KeyStoreConformanceTest, DeleteMissingIsNotFound) {
  EXPECT_EQ(store().DeleteUserKey(TestUserId(9)).code(), ErrorCode::kNotFound);
}

TEST_P(KeyStoreConformanceTest, LastAccessUpdatesOnlyExistingRowsAndNeverGoesBack) {
  ASSERT_TRUE(store().InsertUserKey(TestRecord(1, 1000)).ok());
  ASSERT_TRUE(store().InsertUserKey(TestRecord(2, 1000)).ok());

  const std::vector<connector::store::LastAccess> first = {
      {TestUserId(1), 5000}, {TestUserId(2), 6000}, {TestUserId(3), 7000}};
  ASSERT_TRUE(store().RecordLastAccess(first).ok());
  EXPECT_EQ(store().GetUserKey(TestUserId(1))->last_access_date, 5000);
  EXPECT_EQ(store().GetUserKey(TestUserId(2))->last_access_date, 6000);
  EXPECT_EQ(store().GetUserKey(TestUserId(3)).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store().CountUserKeys().value(), 2u);

  // An older time (a late batch) does not move it back; a newer one moves it forward.
  const std::vector<connector::store::LastAccess> second = {{TestUserId(1), 4000}, {TestUserId(2), 8000}};
  ASSERT_TRUE(store().RecordLastAccess(second).ok());
  EXPECT_EQ(store().GetUserKey(TestUserId(1))->last_access_date, 5000);
  EXPECT_EQ(store().GetUserKey(TestUserId(2))->last_access_date, 8000);

  EXPECT_TRUE(store().RecordLastAccess({}).ok());
}

TEST_P(KeyStoreConformanceTest, CountsUserKeys) {
  EXPECT_EQ(store().CountUserKeys().value(), 0u);
  for (unsigned i = 1; i <= 5; ++i) ASSERT_TRUE(store().InsertUserKey(TestRecord(i, 1000)).ok());
  EXPECT_EQ(store().CountUserKeys().value(), 5u);
  ASSERT_TRUE(store().DeleteUserKey(TestUserId(3)).ok());
  EXPECT_EQ(store().CountUserKeys().value(), 4u);
}

TEST_P(KeyStoreConformanceTest, InitDataKeyFirstWins) {
  const custody::WrappedDataKey first = TestDataKey(1, 0x01, 1000);
  const custody::WrappedDataKey second = TestDataKey(1, 0x02, 2000);
  auto a = store().InitDataKey(first);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->wrapped, first.wrapped);

  auto b = store().InitDataKey(second);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->version, 1u);
  EXPECT_EQ(b->wrapped, first.wrapped);
  EXPECT_EQ(b->provider_key_fingerprint, first.provider_key_fingerprint);
  EXPECT_EQ(b->creation_date, 1000);

  auto all = store().ListDataKeys();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].wrapped, first.wrapped);
}

TEST_P(KeyStoreConformanceTest, ListDataKeysIsOldestFirst) {
  auto none = store().ListDataKeys();
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  for (std::uint32_t version : {3u, 1u, 2u}) {
    ASSERT_TRUE(store().InitDataKey(TestDataKey(version, static_cast<std::uint8_t>(version), version * 100)).ok());
  }
  auto all = store().ListDataKeys();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  for (std::uint32_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*all)[i].version, i + 1);
    EXPECT_EQ((*all)[i].wrapped, TestDataKey(i + 1, static_cast<std::uint8_t>(i + 1), 0).wrapped);
  }
}

TEST_P(KeyStoreConformanceTest, ConcurrentWritersAllLand) {
  constexpr unsigned kThreads = 8;
  constexpr unsigned kPerThread = 25;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (unsigned t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (unsigned i = 0; i < kPerThread; ++i) {
        const unsigned n = t * kPerThread + i + 1;
        // Alternate the two creating writes; both must land.
        Status s = (i % 2 == 0) ? store().InsertUserKey(TestRecord(n, n)) : store().UpsertUserKey(TestRecord(n, n));
        if (!s.ok()) ++failures[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (unsigned t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;

  EXPECT_EQ(store().CountUserKeys().value(), kThreads * kPerThread);
  for (unsigned n = 1; n <= kThreads * kPerThread; ++n) {
    auto got = store().GetUserKey(TestUserId(n));
    ASSERT_TRUE(got.ok()) << n;
    EXPECT_EQ(got->sealed, TestRecord(n, n).sealed);
  }
}

TEST_P(KeyStoreConformanceTest, RacingInsertsOfOneUserHaveOneWinner) {
  constexpr unsigned kThreads = 8;
  std::vector<std::thread> threads;
  std::vector<Status> shared(kThreads);
  std::vector<Status> own(kThreads);
  for (unsigned t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      shared[t] = store().InsertUserKey(TestRecord(1, 1000, static_cast<std::uint8_t>(t)));
      own[t] = store().InsertUserKey(TestRecord(100 + t, 1000));
    });
  }
  for (auto& thread : threads) thread.join();

  const auto winners = std::count_if(shared.begin(), shared.end(), [](const Status& s) { return s.ok(); });
  EXPECT_EQ(winners, 1);
  for (unsigned t = 0; t < kThreads; ++t) {
    if (!shared[t].ok()) {
      EXPECT_EQ(shared[t].code(), ErrorCode::kAlreadyExists);
    }
    EXPECT_TRUE(own[t].ok()) << own[t].ToString();  // a neighbour's conflict never costs us our write
  }
  EXPECT_EQ(store().CountUserKeys().value(), 1u + kThreads);
}

TEST_P(KeyStoreConformanceTest, PingAnswers) { EXPECT_TRUE(store().Ping().ok()); }

TEST_P(KeyStoreConformanceTest, SchemaVersionIsTheBuildsOwn) {
  auto version = store().SchemaVersion();
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_EQ(*version, GetParam().schema_version);
}

TEST_P(KeyStoreConformanceTest, ListUserKeysPagesInIdOrderWithEveryField) {
  for (unsigned n : {5u, 1u, 4u, 2u, 3u}) {
    connector::store::UserKeyRecord record = TestRecord(n, 1000 + n);
    record.revision_date = 2000 + n;
    if (n % 2 == 0) record.last_access_date = 3000 + n;
    ASSERT_TRUE(store().InsertUserKey(record).ok());
  }
  std::vector<connector::store::UserKeyRecord> seen;
  std::string after;
  for (int calls = 1;; ++calls) {
    // Five rows take three pages and an empty one: a store that never ends the listing fails.
    ASSERT_LE(calls, 10) << "ListUserKeys kept returning rows after " << seen.size() << " (last: " << after << ")";
    auto page = store().ListUserKeys(after, 2);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    ASSERT_LE(page->size(), 2u);
    if (page->empty()) break;
    after = page->back().user_id;
    seen.insert(seen.end(), page->begin(), page->end());
  }
  ASSERT_EQ(seen.size(), 5u);
  for (unsigned i = 0; i < 5; ++i) {
    const unsigned n = i + 1;
    EXPECT_EQ(seen[i].user_id, TestUserId(n));
    EXPECT_EQ(seen[i].sealed, TestRecord(n, 0).sealed);
    EXPECT_EQ(seen[i].creation_date, 1000 + n);
    EXPECT_EQ(seen[i].revision_date, std::optional<TimeMs>(2000 + n));
    EXPECT_EQ(seen[i].last_access_date, n % 2 == 0 ? std::optional<TimeMs>(3000 + n) : std::nullopt);
  }
  auto none = store().ListUserKeys(TestUserId(5), 10);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_P(KeyStoreConformanceTest, ResealChangesOnlyUnchangedRowsAndKeepsDates) {
  connector::store::UserKeyRecord one = TestRecord(1, 1000, 0x11);
  one.revision_date = 1500;
  one.last_access_date = 1600;
  ASSERT_TRUE(store().InsertUserKey(one).ok());
  ASSERT_TRUE(store().InsertUserKey(TestRecord(2, 1000, 0x22)).ok());

  std::vector<connector::store::Reseal> reseals(3);
  reseals[0] = {one.user_id, 1, one.sealed, 2, std::vector<std::uint8_t>(60, 0x33)};
  // Row 2 changed since it was read: the old value given does not match.
  reseals[1] = {TestUserId(2), 1, TestRecord(2, 0, 0x99).sealed, 2, std::vector<std::uint8_t>(60, 0x44)};
  // Row 3 does not exist.
  reseals[2] = {TestUserId(3), 1, TestRecord(3, 0).sealed, 2, std::vector<std::uint8_t>(60, 0x55)};
  auto changed = store().ResealUserKeys(reseals);
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_EQ(*changed, 1u);

  auto got = store().GetUserKey(one.user_id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->sealed, reseals[0].new_sealed);
  EXPECT_EQ(got->data_key_version, 2u);
  EXPECT_EQ(got->creation_date, 1000);
  EXPECT_EQ(got->revision_date, std::optional<TimeMs>(1500));
  EXPECT_EQ(got->last_access_date, std::optional<TimeMs>(1600));
  auto untouched = store().GetUserKey(TestUserId(2));
  ASSERT_TRUE(untouched.ok());
  EXPECT_EQ(untouched->sealed, TestRecord(2, 0, 0x22).sealed);
  EXPECT_EQ(untouched->data_key_version, 1u);
  EXPECT_EQ(store().GetUserKey(TestUserId(3)).status().code(), ErrorCode::kNotFound);

  // A second pass with the same old values finds nothing left to change.
  auto again = store().ResealUserKeys(std::span<const connector::store::Reseal>(reseals.data(), 1));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0u);
}

TEST_P(KeyStoreConformanceTest, PutUserKeysExactCreatesAndReplacesWithEveryDate) {
  ASSERT_TRUE(store().InsertUserKey(TestRecord(1, 1000, 0x11)).ok());
  std::vector<connector::store::UserKeyRecord> records = {TestRecord(1, 500, 0x77), TestRecord(2, 600, 0x88)};
  records[0].data_key_version = 3;
  records[0].revision_date = 700;
  records[0].last_access_date = 800;
  ASSERT_TRUE(store().PutUserKeysExact(records).ok());
  ASSERT_TRUE(store().PutUserKeysExact({}).ok());
  for (const connector::store::UserKeyRecord& want : records) {
    auto got = store().GetUserKey(want.user_id);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->sealed, want.sealed);
    EXPECT_EQ(got->data_key_version, want.data_key_version);
    EXPECT_EQ(got->creation_date, want.creation_date);
    EXPECT_EQ(got->revision_date, want.revision_date);
    EXPECT_EQ(got->last_access_date, want.last_access_date);
  }
  EXPECT_EQ(store().CountUserKeys().value(), 2u);
}

TEST_P(KeyStoreConformanceTest, DataKeyVersionsHoldSeveralWrappings) {
  const custody::WrappedDataKey first = TestDataKey(1, 0x01, 1000);
  ASSERT_TRUE(store().InitDataKey(first).ok());
  custody::WrappedDataKey second = TestDataKey(1, 0x02, 2000);
  ASSERT_NE(second.provider_key_fingerprint, first.provider_key_fingerprint);
  ASSERT_TRUE(store().PutDataKeyWrapping(second).ok());
  EXPECT_EQ(store().PutDataKeyWrapping(TestDataKey(9, 0x03, 3000)).code(), ErrorCode::kNotFound);

  // InitDataKey prefers the wrapping under the caller's key, else the oldest.
  auto mine = store().InitDataKey(TestDataKey(1, 0x02, 5000));
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ(mine->wrapped, second.wrapped);
  auto other = store().InitDataKey(TestDataKey(1, 0x04, 5000));
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->wrapped, first.wrapped);

  auto all = store().ListDataKeys();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].provider_key_fingerprint, first.provider_key_fingerprint);
  EXPECT_EQ((*all)[1].provider_key_fingerprint, second.provider_key_fingerprint);

  // Replacing a wrapping under the same key keeps one row for it.
  second.wrapped.assign(256, 0x66);
  ASSERT_TRUE(store().PutDataKeyWrapping(second).ok());
  all = store().ListDataKeys();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].wrapped, second.wrapped);

  EXPECT_EQ(store().DeleteDataKeyWrapping(1, std::string(64, 'z')).code(), ErrorCode::kNotFound);
  EXPECT_EQ(store().DeleteDataKeyWrapping(2, first.provider_key_fingerprint).code(), ErrorCode::kNotFound);
  ASSERT_TRUE(store().DeleteDataKeyWrapping(1, first.provider_key_fingerprint).ok());
  EXPECT_EQ(store().DeleteDataKeyWrapping(1, second.provider_key_fingerprint).code(), ErrorCode::kInvalidArgument);
  all = store().ListDataKeys();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].wrapped, second.wrapped);
}

#endif  // KEYWARDEN_KEY_STORE_CONFORMANCE_FIXTURE_ONLY

}  // namespace keywarden::connector::store::conformance

#endif  // KEYWARDEN_TESTS_CONNECTOR_STORE_KEY_STORE_CONFORMANCE_H_
