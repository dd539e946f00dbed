// Test support for the organisation routes: a server (SQLite and PostgreSQL) whose organisations,
// members, collections, groups and organisation items are set up by writing rows through the
// stores on a second handle to the server's database, so that each test states exactly the
// memberships and grants it is about.
#ifndef KEYWARDEN_TESTS_SERVER_COLLECTIONS_COLLECTION_ACCESS_FIXTURE_H_
#define KEYWARDEN_TESTS_SERVER_COLLECTIONS_COLLECTION_ACCESS_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "auth/user_id.h"
#include "keywarden/crypto/enc_string.h"
#include "keywarden/crypto/symmetric_key.h"
#include "server/collections/collection_store.h"
#include "server/collections/group_store.h"
#include "server/organizations/member_store.h"
#include "server/organizations/organization_store.h"
#include "server/server_fixture.h"
#include "server/store/server_database.h"
#include "server/vault/organization_cipher_store.h"
#include "server/vault/vault_store.h"

namespace keywarden::server::testing {

using organizations::MemberPermissions;
using organizations::MemberStatus;
using organizations::MemberType;

class CollectionAccessTest : public ServerTestOnEachDatabase {
 protected:
  // An EncString of `text` under a key of this test program.
  static std::string Enc(std::string_view text) {
    static const SymmetricKey key = *SymmetricKey::Generate();
    return EncString::EncryptText(key, text)->ToString();
  }

  static nlohmann::json LoginCipher(const std::string& name) {
    return {{"type", 1},
            {"name", Enc(name)},
            {"notes", nullptr},
            {"favorite", false},
            {"reprompt", 0},
            {"login", {{"username", Enc("alice")}, {"password", Enc("hunter2")}, {"uris", nlohmann::json::array()}}}};
  }

  void SetUp() override {
    ServerTestOnEachDatabase::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto database = OpenServerDatabase(config_->database);
    ASSERT_TRUE(database.ok()) << database.status().ToString();
    db_ = *std::move(database);
  }
  void TearDown() override { db_.reset(); }

  std::string NewId() { return *auth::NewGuid(); }

  void Run(const sql::Database::Work& work) {
    const Status status = db_->Transact(work);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  std::string NewOrganization(const std::string& name = "Acme") {
    organizations::Organization org;
    org.id = NewId();
    org.name = name;
    org.billing_email = "billing@example.com";
    org.public_key = "cHVibGlj";
    org.private_key = Enc("private");
    org.creation_date = org.revision_date = 1;
    Run([&](sql::Session& s) { return organizations::InsertOrganization(s, org); });
    return org.id;
  }

  // `account`'s membership of `org`; returns the member id.
  std::string AddMember(const std::string& org, const TestAccount& account, MemberType type,
                        MemberStatus status = MemberStatus::kConfirmed, MemberPermissions permissions = {}) {
    organizations::Member m;
    m.id = NewId();
    m.organization_id = org;
    m.user_id = account.id;
    m.type = type;
    m.status = status;
    m.permissions = permissions;
    if (status == MemberStatus::kConfirmed || status == MemberStatus::kRevoked) m.member_key = "4.a2V5";
    m.creation_date = m.revision_date = 1;
    Run([&](sql::Session& s) { return organizations::InsertMember(s, m); });
    return m.id;
  }

  std::string AddCollection(const std::string& org, const std::string& name = "Shared") {
    collections::Collection c{NewId(), org, Enc(name), "", 0, "", 1, 1};
    Run([&](sql::Session& s) { return collections::InsertCollection(s, c); });
    return c.id;
  }

  void Grant(const std::string& collection, const std::string& member, bool read_only = false,
             bool hide_passwords = false, bool manage = false) {
    Run([&](sql::Session& s) {
      return collections::UpsertMemberGrant(s, collection, {member, read_only, hide_passwords, manage});
    });
  }

  std::string AddGroup(const std::string& org, const std::vector<std::string>& members) {
    collections::Group g{NewId(), org, "Group", "", 1, 1};
    Run([&](sql::Session& s) -> Status {
      KW_RETURN_IF_ERROR(collections::InsertGroup(s, g));
      return collections::ReplaceGroupMembers(s, g.id, members);
    });
    return g.id;
  }

  void GrantGroup(const std::string& collection, const std::string& group, bool read_only = false,
                  bool hide_passwords = false, bool manage = false) {
    Run([&](sql::Session& s) {
      return collections::UpsertGroupGrant(s, collection, {group, read_only, hide_passwords, manage});
    });
  }

  // An item of `org` in `collections`, written directly.
  std::string AddOrganizationCipher(const std::string& org, const std::vector<std::string>& collection_ids,
                                    TimeMs created = 1) {
    vault::StoredCipher c;
    c.id = NewId();
    c.organization_id = org;
    c.type = 2;
    c.data = R"({"name":")" + Enc("note") +
             R"(","notes":null,"key":null,"secureNote":{"type":0},"fields":null,)"
             R"("passwordHistory":null})";
    c.creation_date = created;
    c.revision_date = created;
    Run([&](sql::Session& s) -> Status {
      KW_RETURN_IF_ERROR(vault::InsertCipher(s, c));
      return vault::SetCipherCollections(s, c.id, collection_ids);
    });
    return c.id;
  }

  nlohmann::json Sync(const TestAccount& account) {
    const TestResponse response = Send("GET", "/api/sync?excludeDomains=true", "", account.access_token);
    EXPECT_EQ(response.status, 200) << response.body;
    return response.json();
  }

  // The sync's item `id`, or null.
  static nlohmann::json FindById(const nlohmann::json& list, const std::string& id) {
    for (const auto& item : list) {
      if (item["id"] == id) return item;
    }
    return nullptr;
  }

  // Rows of the events table of `type`.
  std::int64_t CountEvents(int type) {
    service_->events().Flush();
    std::int64_t count = 0;
    constexpr sql::Statement kCount = {"test_count_events", "SELECT COUNT(*) FROM events WHERE type = $1", nullptr,
                                       nullptr, "to count events"};
    const Status read = db_->Read([&](sql::Session& s) -> Status {
      KW_ASSIGN_OR_RETURN(sql::Rows rows, s.Execute(kCount, sql::Params().Int(type)));
      KW_ASSIGN_OR_RETURN(count, rows.Int(0, 0));
      return OkStatus();
    });
    EXPECT_TRUE(read.ok()) << read.ToString();
    return count;
  }

  std::unique_ptr<sql::Database> db_;
};

}  // namespace keywarden::server::testing

#endif  // KEYWARDEN_TESTS_SERVER_COLLECTIONS_COLLECTION_ACCESS_FIXTURE_H_
