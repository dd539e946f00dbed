// What a single sign-on login holds between its steps (server/sso/sso_login_store.h): each
// token once, within its lifetime, and a bounded number in flight; and PKCE S256.
#include "server/sso/sso_login_store.h"

#include <gtest/gtest.h>

namespace keywarden::server::sso {
namespace {

const TimePoint kStart = TimePoint(std::chrono::seconds(1'790'000'000));

TEST(SsoLoginStoreTest, PrevalidationHoldsForItsLifetimeOnly) {
  SsoLoginStore store;
  auto token = store.IssuePrevalidation("org-1", kStart);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(store.PrevalidatedOrganization(*token, kStart + std::chrono::seconds(59)), "org-1");
  EXPECT_EQ(store.PrevalidatedOrganization(*token, kStart + std::chrono::seconds(59)), "org-1");  // reusable
  EXPECT_EQ(store.PrevalidatedOrganization(*token, kStart + std::chrono::seconds(60)), std::nullopt);
  EXPECT_EQ(store.PrevalidatedOrganization("forged", kStart), std::nullopt);
}

TEST(SsoLoginStoreTest, LoginsAndCodesAreTakenOnce) {
  SsoLoginStore store;
  PendingSsoLogin login;
  login.organization_id = "org-1";
  login.client_state = "s";
  auto state = store.BeginLogin(login, kStart);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(store.TakeLogin("forged", kStart), std::nullopt);
  auto taken = store.TakeLogin(*state, kStart);
  ASSERT_TRUE(taken.has_value());
  EXPECT_EQ(taken->client_state, "s");
  EXPECT_EQ(store.TakeLogin(*state, kStart), std::nullopt);

  auto code = store.IssueCode(SsoAuthorizationCode{"user-1", "org-1", "cli", "http://localhost:8065", "c"}, kStart);
  ASSERT_TRUE(code.ok());
  EXPECT_TRUE(store.FindCode(*code, kStart).has_value());
  EXPECT_TRUE(store.FindCode(*code, kStart).has_value());  // finding leaves it
  EXPECT_EQ(store.TakeCode(*code, kStart)->user_id, "user-1");
  EXPECT_EQ(store.TakeCode(*code, kStart), std::nullopt);
  EXPECT_EQ(store.FindCode(*code, kStart), std::nullopt);
}

TEST(SsoLoginStoreTest, ExpiredEntriesAreNotGivenAndAreDropped) {
  SsoLoginStore store(
      SsoLoginStoreOptions{std::chrono::seconds(60), std::chrono::seconds(600), std::chrono::seconds(300), 2});
  auto code = store.IssueCode(SsoAuthorizationCode{}, kStart);
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(store.TakeCode(*code, kStart + std::chrono::seconds(300)), std::nullopt);
  auto login = store.BeginLogin(PendingSsoLogin{}, kStart);
  EXPECT_EQ(store.TakeLogin(*login, kStart + std::chrono::seconds(600)), std::nullopt);

  // At most two in flight; the expired ones make room again.
  ASSERT_TRUE(store.BeginLogin(PendingSsoLogin{}, kStart).ok());
  ASSERT_TRUE(store.BeginLogin(PendingSsoLogin{}, kStart).ok());
  auto full = store.BeginLogin(PendingSsoLogin{}, kStart);
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.status().code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(store.BeginLogin(PendingSsoLogin{}, kStart + std::chrono::seconds(601)).ok());
}

TEST(SsoLoginStoreTest, PkceS256) {
  // RFC 7636 appendix B.
  EXPECT_TRUE(
      PkceMatches("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
  EXPECT_FALSE(
      PkceMatches("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXl", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
  EXPECT_FALSE(PkceMatches("short", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
  EXPECT_FALSE(PkceMatches(std::string(43, '+'), "x"));  // outside the unreserved set
  EXPECT_FALSE(PkceMatches(std::string(129, 'a'), "x"));
  EXPECT_EQ(PkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

}  // namespace
}  // namespace keywarden::server::sso
