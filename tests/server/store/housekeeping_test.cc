// What the server's housekeeping thread does once a minute, run directly on SQLite and on
// PostgreSQL: expired sessions are dropped (live ones kept), and a renewed signing key record
// keeps the key published in every instance's JWKS past its first tokens' lifetime.
#include <gtest/gtest.h>

#include <set>

#include "jose/in_memory_signing_key.h"
#include "server/identity/issuer.h"
#include "server/server_fixture.h"
#include "server/store/expired_rows.h"
#include "server/store/refresh_tokens.h"
#include "server/store/server_database.h"

namespace keywarden::server::testing {
namespace {

using namespace std::chrono_literals;

class HousekeepingTest : public ServerTestOnEachDatabase {
 protected:
  // A second handle to the server's database, as another instance has.
  std::unique_ptr<sql::Database> OpenDatabase() {
    auto database = OpenServerDatabase(config_->database);
    EXPECT_TRUE(database.ok()) << database.status().ToString();
    return database.ok() ? *std::move(database) : nullptr;
  }
};
KW_SERVER_TEST_ON_EACH_DATABASE(HousekeepingTest);

TEST_P(HousekeepingTest, ExpiredSessionsAreDroppedAndLiveOnesKept) {
  const TestAccount alice = NewUser("alice@example.com");
  std::unique_ptr<sql::Database> database = OpenDatabase();
  ASSERT_NE(database, nullptr);
  const auto token = [&](std::uint8_t tag, TimeMs expires) {
    store::RefreshToken t;
    t.token_hash = std::vector<std::uint8_t>(32, tag);
    t.family_id = "family-" + std::to_string(tag);
    t.user_id = alice.id;
    t.device_id = "device";
    t.client_id = "cli";
    t.security_stamp = "stamp";
    t.creation_date = 1000;
    t.expiration_date = expires;
    return t;
  };
  ASSERT_TRUE(database
                  ->Transact([&](sql::Session& session) -> Status {
                    KW_RETURN_IF_ERROR(store::InsertRefreshToken(session, token(1, 5000)));
                    return store::InsertRefreshToken(session, token(2, 9000));
                  })
                  .ok());
  ASSERT_TRUE(
      database->Transact([](sql::Session& session) { return store::DeleteExpiredRows(session, 6000, 1000); }).ok());
  std::optional<store::RefreshToken> expired;
  std::optional<store::RefreshToken> live;
  ASSERT_TRUE(database
                  ->Read([&](sql::Session& session) -> Status {
                    KW_ASSIGN_OR_RETURN(expired, store::FindRefreshToken(session, token(1, 0).token_hash));
                    KW_ASSIGN_OR_RETURN(live, store::FindRefreshToken(session, token(2, 0).token_hash));
                    return OkStatus();
                  })
                  .ok());
  EXPECT_FALSE(expired.has_value());
  ASSERT_TRUE(live.has_value());
  EXPECT_EQ(live->expiration_date, 9000);
  EXPECT_EQ(live->family_id, "family-2");
  EXPECT_FALSE(live->used_date.has_value());
  // The login's own session is still there: its refresh works.
  EXPECT_EQ(
      Token({{"grant_type", "refresh_token"}, {"client_id", "cli"}, {"refresh_token", alice.refresh_token}}).status,
      200);
}

// Two issuers on one database, as two instances with different key files: each publishes the
// other's key while its record is renewed, and stops once the record is older than a token's
// lifetime (plus skew and slack) without renewal.
TEST_P(HousekeepingTest, ARenewedSigningKeyStaysPublishedOnOtherInstances) {
  std::unique_ptr<sql::Database> database = OpenDatabase();
  ASSERT_NE(database, nullptr);
  auto first_key = jose::InMemorySigningKey::Generate(jose::JwsAlgorithm::kRs256, "first");
  auto second_key = jose::InMemorySigningKey::Generate(jose::JwsAlgorithm::kRs256, "second");
  ASSERT_TRUE(first_key.ok() && second_key.ok());
  const TimePoint start = Clock::System().Now();
  const auto lifetime = std::chrono::seconds(3600);
  auto first = Issuer::Create(std::shared_ptr<const jose::SigningKey>(*std::move(first_key)), "https://i/identity",
                              lifetime, *database, start);
  auto second = Issuer::Create(std::shared_ptr<const jose::SigningKey>(*std::move(second_key)), "https://i/identity",
                               lifetime, *database, start);
  ASSERT_TRUE(first.ok() && second.ok());
  const auto kids = [](Issuer& issuer, TimePoint at) {
    std::set<std::string> out;
    auto jwks = issuer.Jwks(at);
    EXPECT_TRUE(jwks.ok()) << jwks.status().ToString();
    if (!jwks.ok()) return out;
    const nlohmann::json document = nlohmann::json::parse(*jwks);
    for (const auto& key : document["keys"]) out.insert(key.value("kid", ""));
    return out;
  };
  EXPECT_TRUE(kids(**second, start).contains("first"));
  EXPECT_TRUE(kids(**first, start).contains("second"));

  // Two hours on, only the first instance renewed its record.
  const TimePoint later = start + 2h;
  ASSERT_TRUE((*first)->Renew(later).ok());
  EXPECT_TRUE(kids(**second, later).contains("first"));
  EXPECT_FALSE(kids(**first, later).contains("second"));
}

}  // namespace
}  // namespace keywarden::server::testing
