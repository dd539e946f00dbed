// The vault store's lists on SQLite and PostgreSQL (schema V002's indexes give the order): a user's items and folders
// oldest first (ties by id), whatever order they were written in, each with every column it was stored with, and never
// another's; ForEachCipher hands out the same items one at a time.
#include "server/vault/vault_store.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "server/store/server_database.h"
#include "support/postgres_server.h"
#include "support/skip.h"
#include "support/temp_dir.h"

namespace keywarden::server::vault {
namespace {

constexpr sql::Statement kInsertUser = {
    "test_vault_store_insert_user",
    "INSERT INTO users(id, email, kdf_type, kdf_iterations, security_stamp, api_key, creation_date, revision_date,"
    " account_revision_date) VALUES ($1, $2, 0, 600000, 's', 'k', 1, 1, 1)",
    nullptr, nullptr, "to add a user"};

constexpr char kAlice[] = "00000000-0000-4000-8000-00000000000a";
constexpr char kBob[] = "00000000-0000-4000-8000-00000000000b";

std::string Id(int n) {
  std::string id = "10000000-0000-4000-8000-000000000000";
  const std::string digits = std::to_string(n);
  id.replace(id.size() - digits.size(), digits.size(), digits);
  return id;
}

class VaultStoreTest : public ::testing::TestWithParam<config::DatabaseProvider> {
 protected:
  void SetUp() override {
    config::DatabaseSection section;
    section.provider = GetParam();
    section.sqlite_path = dir_.File("server.db");
    if (GetParam() == config::DatabaseProvider::kPostgresql) {
      KW_SHARED_POSTGRES_OR_SKIP(server);
      auto created = server->CreateDatabase();
      ASSERT_TRUE(created.ok()) << created.status().ToString();
      section.postgresql = server->ConnectionString(*created);
    }
    auto database = OpenServerDatabase(section);
    ASSERT_TRUE(database.ok()) << database.status().message();
    database_ = *std::move(database);
    ASSERT_TRUE(Write([](sql::Session& session) -> Status {
                  KW_RETURN_IF_ERROR(
                      session.Execute(kInsertUser, sql::Params().Text(kAlice).Text("a@example.com")).status());
                  return session.Execute(kInsertUser, sql::Params().Text(kBob).Text("b@example.com")).status();
                }).ok());
  }

  Status Write(const sql::Database::Work& work) {
    const Status status = database_->Transact(work);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return status;
  }

  static StoredCipher Cipher(int n, const char* user, TimeMs created) {
    StoredCipher cipher;
    cipher.id = Id(n);
    cipher.user_id = user;
    cipher.type = 1 + n % 5;
    cipher.data = R"({"name":"2.item)" + std::to_string(n) + R"("})";
    if (n % 2 == 0) cipher.folder_id = Id(900 + n);
    cipher.favorite = n % 3 == 0;
    cipher.reprompt = n % 2;
    cipher.creation_date = created;
    cipher.revision_date = created + 5;
    if (n % 4 == 0) cipher.deleted_date = created + 7;
    return cipher;
  }

  keywarden::testing::TempDir dir_;
  std::unique_ptr<sql::Database> database_;
};

TEST_P(VaultStoreTest, CiphersListOldestFirstThenByIdWithEveryColumn) {
  // Written out of order: creation dates 30, 10, 20, 10, 40; the two made at 10 differ by id.
  const std::vector<StoredCipher> written = {Cipher(5, kAlice, 30), Cipher(4, kAlice, 10), Cipher(3, kAlice, 20),
                                             Cipher(2, kAlice, 10), Cipher(1, kBob, 15)};
  ASSERT_TRUE(Write([&](sql::Session& session) -> Status {
                for (const StoredCipher& cipher : written) KW_RETURN_IF_ERROR(InsertCipher(session, cipher));
                return OkStatus();
              }).ok());

  std::vector<StoredCipher> listed;
  ASSERT_TRUE(database_
                  ->Read([&](sql::Session& session) -> Status {
                    KW_ASSIGN_OR_RETURN(listed, ListCiphers(session, kAlice));
                    return OkStatus();
                  })
                  .ok());
  ASSERT_EQ(listed.size(), 4U);
  const std::vector<std::string> order = {Id(2), Id(4), Id(3), Id(5)};
  for (std::size_t i = 0; i < order.size(); ++i) {
    EXPECT_EQ(listed[i].id, order[i]) << "position " << i;
    const int n = order[i].back() - '0';
    const StoredCipher expected = Cipher(n, kAlice, listed[i].creation_date);
    EXPECT_EQ(listed[i].user_id, expected.user_id);
    EXPECT_EQ(listed[i].organization_id, std::nullopt);
    EXPECT_EQ(listed[i].type, expected.type);
    EXPECT_EQ(listed[i].data, expected.data);
    EXPECT_EQ(listed[i].folder_id, expected.folder_id);
    EXPECT_EQ(listed[i].favorite, expected.favorite);
    EXPECT_EQ(listed[i].reprompt, expected.reprompt);
    EXPECT_EQ(listed[i].revision_date, listed[i].creation_date + 5);
    EXPECT_EQ(listed[i].deleted_date, expected.deleted_date);
    EXPECT_EQ(listed[i].archived_date, std::nullopt);
  }
  EXPECT_EQ(listed[0].creation_date, 10);
  EXPECT_EQ(listed[1].creation_date, 10);
  EXPECT_EQ(listed[2].creation_date, 20);
  EXPECT_EQ(listed[3].creation_date, 30);
}

TEST_P(VaultStoreTest, ForEachCipherVisitsTheListInOrderAndStopsOnAnError) {
  ASSERT_TRUE(Write([&](sql::Session& session) -> Status {
                for (const StoredCipher& cipher :
                     {Cipher(3, kAlice, 30), Cipher(1, kAlice, 10), Cipher(2, kAlice, 20), Cipher(4, kBob, 5)}) {
                  KW_RETURN_IF_ERROR(InsertCipher(session, cipher));
                }
                return OkStatus();
              }).ok());
  std::vector<std::string> ids;
  std::vector<std::string> data;
  std::set<const StoredCipher*> handed_out;  // one object, refilled per row: never a list of the vault
  ASSERT_TRUE(database_
                  ->Read([&](sql::Session& session) {
                    ids.clear();
                    data.clear();
                    handed_out.clear();
                    return ForEachCipher(session, kAlice, [&](const StoredCipher& cipher) {
                      handed_out.insert(&cipher);
                      ids.push_back(cipher.id);
                      data.push_back(cipher.data);
                      EXPECT_EQ(cipher.folder_id, Cipher(cipher.id.back() - '0', kAlice, 0).folder_id);
                      return OkStatus();
                    });
                  })
                  .ok());
  EXPECT_EQ(ids, (std::vector<std::string>{Id(1), Id(2), Id(3)}));
  EXPECT_EQ(handed_out.size(), 1u);
  EXPECT_EQ(data, (std::vector<std::string>{Cipher(1, kAlice, 0).data, Cipher(2, kAlice, 0).data,
                                            Cipher(3, kAlice, 0).data}));

  int visited = 0;
  const Status stopped = database_->Read([&](sql::Session& session) {
    visited = 0;
    return ForEachCipher(session, kAlice, [&](const StoredCipher&) {
      return ++visited == 2 ? InvalidArgumentError("stop") : OkStatus();
    });
  });
  EXPECT_EQ(stopped.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(visited, 2);
}

TEST_P(VaultStoreTest, FoldersListOldestFirstThenById) {
  // A folder is created at its first revision date; written out of order, with a tie at 10.
  const std::vector<std::pair<int, TimeMs>> written = {{7, 30}, {9, 10}, {8, 10}, {6, 20}};
  ASSERT_TRUE(Write([&](sql::Session& session) -> Status {
                for (const auto& [n, created] : written) {
                  KW_RETURN_IF_ERROR(InsertFolder(session, kAlice, StoredFolder{Id(n), "2.folder", created}));
                }
                return InsertFolder(session, kBob, StoredFolder{Id(5), "2.other", 1});
              }).ok());
  std::vector<StoredFolder> listed;
  ASSERT_TRUE(database_
                  ->Read([&](sql::Session& session) -> Status {
                    KW_ASSIGN_OR_RETURN(listed, ListFolders(session, kAlice));
                    return OkStatus();
                  })
                  .ok());
  ASSERT_EQ(listed.size(), 4U);
  EXPECT_EQ(listed[0].id, Id(8));
  EXPECT_EQ(listed[1].id, Id(9));
  EXPECT_EQ(listed[2].id, Id(6));
  EXPECT_EQ(listed[3].id, Id(7));
  for (const StoredFolder& folder : listed) EXPECT_EQ(folder.name, "2.folder");
  EXPECT_EQ(listed[2].revision_date, 20);
}

// Schema V002: SQLite answers the lists in index order, with no temporary B-tree to sort a vault
// (the queries as vault_store.cc runs them).
TEST_P(VaultStoreTest, SqliteListsFollowAnIndexWithoutSorting) {
  if (GetParam() != config::DatabaseProvider::kSqlite) {
    GTEST_SKIP() << "PostgreSQL's planner picks a plan by table size";
  }
  constexpr sql::Statement kPlanCiphers = {
      "test_plan_ciphers",
      "EXPLAIN QUERY PLAN SELECT id, data FROM ciphers WHERE user_id = $1 ORDER BY creation_date, id", nullptr, nullptr,
      "to explain"};
  constexpr sql::Statement kPlanFolders = {
      "test_plan_folders",
      "EXPLAIN QUERY PLAN SELECT id, name FROM folders WHERE user_id = $1 ORDER BY creation_date, id", nullptr, nullptr,
      "to explain"};
  for (const sql::Statement* plan : {&kPlanCiphers, &kPlanFolders}) {
    std::string details;
    ASSERT_TRUE(database_
                    ->Read([&](sql::Session& session) -> Status {
                      KW_ASSIGN_OR_RETURN(const sql::Rows rows, session.Execute(*plan, sql::Params().Text(kAlice)));
                      details.clear();
                      for (std::size_t i = 0; i < rows.size(); ++i) details += rows.Text(i, 3) + "\n";
                      return OkStatus();
                    })
                    .ok());
    EXPECT_NE(details.find("_by_user_created"), std::string::npos) << details;
    EXPECT_EQ(details.find("TEMP B-TREE"), std::string::npos) << details;
  }
}

INSTANTIATE_TEST_SUITE_P(Databases, VaultStoreTest,
                         ::testing::Values(config::DatabaseProvider::kSqlite, config::DatabaseProvider::kPostgresql),
                         [](const auto& test) {
                           return test.param == config::DatabaseProvider::kSqlite ? "Sqlite" : "Postgres";
                         });

}  // namespace
}  // namespace keywarden::server::vault
