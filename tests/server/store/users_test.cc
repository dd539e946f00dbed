// Account rows written by requests that read them first, on SQLite and on PostgreSQL: a change
// made by another request in between is never overwritten with stale values.
#include "server/store/users.h"

#include <gtest/gtest.h>

#include "server/server_fixture.h"
#include "server/store/server_database.h"

namespace keywarden::server::testing {
namespace {

class UsersStoreTest : public ServerTestOnEachDatabase {
 protected:
  void SetUp() override {
    ServerTestOnEachDatabase::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto database = OpenServerDatabase(config_->database);
    ASSERT_TRUE(database.ok()) << database.status().ToString();
    database_handle_ = *std::move(database);
    alice_ = NewUser("alice@example.com");
  }

  store::User Read() {
    std::optional<store::User> user;
    EXPECT_TRUE(database_handle_
                    ->Read([&](sql::Session& session) -> Status {
                      KW_ASSIGN_OR_RETURN(user, store::FindUserById(session, alice_.id));
                      return OkStatus();
                    })
                    .ok());
    EXPECT_TRUE(user.has_value());
    return user.value_or(store::User());
  }
  Status Update(const store::User& user, TimeMs read_revision) {
    return database_handle_->Transact(
        [&](sql::Session& session) { return store::UpdateUser(session, user, read_revision); });
  }

  std::unique_ptr<sql::Database> database_handle_;
  TestAccount alice_;
};
KW_SERVER_TEST_ON_EACH_DATABASE(UsersStoreTest);

TEST_P(UsersStoreTest, AChangeMadeMeanwhileIsNotOverwritten) {
  const store::User read_by_first = Read();
  const store::User read_by_second = Read();

  store::User first = read_by_first;
  first.name = "changed first";
  first.revision_date = read_by_first.revision_date + 1;
  ASSERT_TRUE(Update(first, read_by_first.revision_date).ok());

  // The second request read the account before the first wrote it: its write is refused and the
  // first change stands.
  store::User second = read_by_second;
  second.password_hint = "stale";
  second.revision_date = read_by_second.revision_date + 2;
  const Status refused = Update(second, read_by_second.revision_date);
  EXPECT_EQ(refused.code(), ErrorCode::kConflict) << refused.ToString();
  EXPECT_NE(refused.message().find("Try again"), std::string::npos);
  const store::User after = Read();
  EXPECT_EQ(after.name, "changed first");
  EXPECT_NE(after.password_hint, "stale");
  EXPECT_EQ(after.revision_date, first.revision_date);

  // Read again, the same change is written.
  store::User retried = after;
  retried.password_hint = "fresh";
  retried.revision_date = after.revision_date + 1;
  EXPECT_TRUE(Update(retried, after.revision_date).ok());
  EXPECT_EQ(Read().password_hint, "fresh");
}

TEST_P(UsersStoreTest, AGoneAccountIsNotFoundAndTheRevisionOnlyMovesForward) {
  store::User user = Read();
  // A vault write moved the account revision past what this request read.
  ASSERT_TRUE(database_handle_
                  ->Transact([&](sql::Session& session) {
                    return store::TouchAccountRevision(session, user.id, user.account_revision_date + 5000);
                  })
                  .ok());
  const TimeMs vault_revision = Read().account_revision_date;
  store::User stale = user;
  stale.name = "renamed";
  stale.revision_date = user.revision_date + 1;
  stale.account_revision_date = user.account_revision_date + 1;  // behind the vault write
  ASSERT_TRUE(Update(stale, user.revision_date).ok());
  EXPECT_GT(Read().account_revision_date, vault_revision);

  store::User ghost = user;
  ghost.id = "00000000-0000-0000-0000-000000000000";
  EXPECT_EQ(Update(ghost, ghost.revision_date).code(), ErrorCode::kNotFound);
}

TEST_P(UsersStoreTest, ARehashNeverUndoesAPasswordChange) {
  const store::User user = Read();
  ASSERT_TRUE(user.password_hash.has_value());
  const std::string read_hash = *user.password_hash;
  const auto replace = [&](const std::string& expected, const std::string& next) {
    Result<bool> replaced = false;
    EXPECT_TRUE(database_handle_
                    ->Transact([&](sql::Session& session) -> Status {
                      replaced = store::ReplacePasswordHash(session, user.id, expected, next);
                      return replaced.status();
                    })
                    .ok());
    return replaced.ok() && *replaced;
  };
  // A password change lands between the login's read and its rehash: the rehash is dropped.
  store::User changed = user;
  changed.password_hash = "$argon2id$v=19$m=8192,t=1,p=1$bmV3c2FsdA$bmV3aGFzaA";
  changed.revision_date = user.revision_date + 1;
  ASSERT_TRUE(Update(changed, user.revision_date).ok());
  EXPECT_FALSE(replace(read_hash, "$argon2id$v=19$m=19456,t=2,p=1$cmVoYXNo$cmVoYXNo"));
  EXPECT_EQ(Read().password_hash, changed.password_hash);
  // Without one, it is stored.
  EXPECT_TRUE(replace(*changed.password_hash, "$argon2id$v=19$m=19456,t=2,p=1$cmVoYXNo$cmVoYXNo"));
  EXPECT_EQ(Read().password_hash, "$argon2id$v=19$m=19456,t=2,p=1$cmVoYXNo$cmVoYXNo");
}

}  // namespace
}  // namespace keywarden::server::testing
