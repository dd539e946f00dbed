// custody::Pkcs11SessionPool on a real SoftHSM2 token: sessions are bounded, reused, and replaced (with a
// new login) after the token drops them.
#include "custody/pkcs11/pkcs11_session_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "support/softhsm_token.h"

namespace keywarden::custody {
namespace {

using keywarden::testing::SoftHsmToken;
using Session = custody::Pkcs11SessionPool::Session;

class Pkcs11SessionPoolTest : public ::testing::Test {
 protected:
  void SetUp() override { KW_SOFTHSM_TOKEN_OR_SKIP(token_); }

  std::unique_ptr<custody::Pkcs11SessionPool> Pool(std::uint32_t size) {
    custody::Pkcs11Settings settings = token_->Settings("");
    settings.sessions = size;
    auto pool = custody::OpenPkcs11SessionPool(settings, false);
    EXPECT_TRUE(pool.ok()) << pool.status().ToString();
    return pool.ok() ? std::move(pool).value() : nullptr;
  }

  // The session's state as the token reports it, or the call's error code.
  static CK_RV State(const custody::Pkcs11SessionPool& pool, CK_SESSION_HANDLE handle, CK_STATE* state) {
    CK_SESSION_INFO info{};
    const CK_RV rv = pool.api()->C_GetSessionInfo(handle, &info);
    *state = info.state;
    return rv;
  }

  std::unique_ptr<SoftHsmToken> token_;
};

TEST_F(Pkcs11SessionPoolTest, OpensOneLoggedInSessionAndReusesIt) {
  auto pool = Pool(4);
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(pool->open_sessions(), 1u);  // opened at start, to check the PIN
  std::vector<CK_SESSION_HANDLE> seen;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(pool->Run([&](Session& session) {
                      CK_STATE state = 0;
                      EXPECT_EQ(State(*pool, session.handle, &state), CKR_OK);
                      EXPECT_EQ(state, CKS_RO_USER_FUNCTIONS);
                      seen.push_back(session.handle);
                      return OkStatus();
                    })
                    .ok());
  }
  EXPECT_EQ(std::count(seen.begin(), seen.end(), seen.front()), 5);
  EXPECT_EQ(pool->open_sessions(), 1u);
}

TEST_F(Pkcs11SessionPoolTest, AResetReallyDropsTheSessionsAndRunReconnectsOnce) {
  auto pool = Pool(2);
  ASSERT_NE(pool, nullptr);
  CK_SESSION_HANDLE before = CK_INVALID_HANDLE;
  ASSERT_TRUE(pool->Run([&](Session& session) {
                    before = session.handle;
                    return OkStatus();
                  })
                  .ok());
  ASSERT_TRUE(token_->Reset().ok());
  CK_STATE state = 0;
  EXPECT_EQ(State(*pool, before, &state), CKR_SESSION_HANDLE_INVALID);

  int attempts = 0;
  CK_SESSION_HANDLE after = CK_INVALID_HANDLE;
  const Status status = pool->Run([&](Session& session) {
    ++attempts;
    CK_STATE now = 0;
    const CK_RV rv = State(*pool, session.handle, &now);
    if (rv != CKR_OK) return pool->Failed(session, rv, "C_GetSessionInfo");
    EXPECT_EQ(now, CKS_RO_USER_FUNCTIONS);  // logged in again
    after = session.handle;
    return OkStatus();
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(attempts, 2);
  EXPECT_NE(after, before);
  EXPECT_EQ(pool->open_sessions(), 1u);
}

TEST_F(Pkcs11SessionPoolTest, RetriesOnlyOnceAndOnlyWhenTheSessionWasLost) {
  auto pool = Pool(2);
  ASSERT_NE(pool, nullptr);
  int attempts = 0;
  Status status = pool->Run([&](Session& session) {
    ++attempts;
    return pool->Failed(session, CKR_DEVICE_REMOVED, "C_Decrypt");
  });
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(status.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(status.message(), "PKCS#11 C_Decrypt on token '" + token_->label() + "' failed: CKR_DEVICE_REMOVED");

  attempts = 0;
  status = pool->Run([&](Session& session) {
    ++attempts;
    return pool->Failed(session, CKR_MECHANISM_INVALID, "C_DecryptInit");
  });
  EXPECT_EQ(attempts, 1);
  EXPECT_NE(status.message().find("CKR_MECHANISM_INVALID"), std::string::npos);
  EXPECT_LE(pool->open_sessions(), 2u);
}

TEST_F(Pkcs11SessionPoolTest, ADiscardedSessionIsClosedNotLentAgain) {
  auto pool = Pool(2);
  ASSERT_NE(pool, nullptr);
  CK_SESSION_HANDLE discarded = CK_INVALID_HANDLE;
  ASSERT_TRUE(pool->Run([&](Session& session) {
                    discarded = session.handle;
                    session.discard = true;
                    return OkStatus();
                  })
                  .ok());
  CK_STATE state = 0;
  EXPECT_EQ(State(*pool, discarded, &state), CKR_SESSION_HANDLE_INVALID);
  ASSERT_TRUE(pool->Run([&](Session& session) {
                    EXPECT_NE(session.handle, discarded);
                    return OkStatus();
                  })
                  .ok());
}

TEST_F(Pkcs11SessionPoolTest, NeverOpensMoreThanItsSize) {
  auto pool = Pool(3);
  ASSERT_NE(pool, nullptr);
  std::atomic<int> inside{0};
  std::atomic<int> most{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 10; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        EXPECT_TRUE(pool->Run([&](Session&) {
                          const int now = ++inside;
                          int seen = most.load();
                          while (now > seen && !most.compare_exchange_weak(seen, now)) {
                          }
                          std::this_thread::sleep_for(std::chrono::milliseconds(2));
                          --inside;
                          return OkStatus();
                        })
                        .ok());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(most.load(), 3);
  EXPECT_EQ(pool->open_sessions(), 3u);
}

}  // namespace
}  // namespace keywarden::custody
