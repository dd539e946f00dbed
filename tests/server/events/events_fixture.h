// Test support for the event log's suites: a server on each database, organisations and members
// written straight into the server's database through the stores (on a second handle, as the
// organisation routes are not there yet), items, events, and reading a whole event list by
// following its continuation tokens.
#ifndef KEYWARDEN_TESTS_SERVER_EVENTS_EVENTS_FIXTURE_H_
#define KEYWARDEN_TESTS_SERVER_EVENTS_EVENTS_FIXTURE_H_

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/user_id.h"
#include "server/collections/collection_store.h"
#include "server/events/event_log.h"
#include "server/organizations/member_store.h"
#include "server/organizations/organization_store.h"
#include "server/server_fixture.h"
#include "server/store/server_database.h"
#include "server/vault/organization_cipher_store.h"
#include "server/vault/vault_store.h"

namespace keywarden::server::testing {

class EventsTest : public ServerTestOnEachDatabase {
 protected:
  void SetUp() override {
    ServerTestOnEachDatabase::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto database = OpenServerDatabase(config_->database);
    ASSERT_TRUE(database.ok()) << database.status().message();
    database_handle_ = *std::move(database);
  }

  sql::Database& db() { return *database_handle_; }

  static std::string NewId() {
    auto id = auth::NewGuid();
    EXPECT_TRUE(id.ok());
    return id.ok() ? *id : std::string();
  }

  static TimeMs NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  std::string CreateOrganization(bool enabled = true) {
    organizations::Organization organization;
    organization.id = NewId();
    organization.name = "Org";
    organization.billing_email = "billing@example.com";
    organization.public_key = "public";
    organization.private_key = "2.x|y|z";
    organization.enabled = enabled;
    organization.creation_date = organization.revision_date = NowMs();
    EXPECT_TRUE(
        db().Transact([&](sql::Session& session) { return organizations::InsertOrganization(session, organization); })
            .ok());
    return organization.id;
  }

  // A member of the organisation; `user_id` empty for an invitation by address.
  std::string AddMember(const std::string& organization_id, const std::string& user_id, organizations::MemberType type,
                        organizations::MemberStatus status, organizations::MemberPermissions permissions = {}) {
    organizations::Member member;
    member.id = NewId();
    member.organization_id = organization_id;
    member.user_id = user_id;
    if (user_id.empty()) member.email = member.id + "@invited.example.com";
    member.type = type;
    member.status = status;
    member.permissions = permissions;
    if (status == organizations::MemberStatus::kConfirmed) member.member_key = "4.key";
    member.creation_date = member.revision_date = NowMs();
    const Status inserted =
        db().Transact([&](sql::Session& session) { return organizations::InsertMember(session, member); });
    EXPECT_TRUE(inserted.ok()) << inserted.message();
    return member.id;
  }

  // An item: personal (owned by `user_id`) or the organisation's.
  std::string AddCipher(const std::string& user_id, const std::string& organization_id) {
    vault::StoredCipher cipher;
    cipher.id = NewId();
    if (!user_id.empty()) cipher.user_id = user_id;
    if (!organization_id.empty()) cipher.organization_id = organization_id;
    cipher.type = 2;
    cipher.data = "{}";
    cipher.creation_date = cipher.revision_date = NowMs();
    const Status inserted = db().Transact([&](sql::Session& session) { return vault::InsertCipher(session, cipher); });
    EXPECT_TRUE(inserted.ok()) << inserted.message();
    return cipher.id;
  }

  // Puts the organisation's item `cipher_id` in a new collection and assigns `member_id` to it:
  // what makes the item visible to a member who is neither owner nor admin.
  void ShareWithMember(const std::string& organization_id, const std::string& cipher_id, const std::string& member_id) {
    collections::Collection collection;
    collection.id = NewId();
    collection.organization_id = organization_id;
    collection.name =
        "2.AAAAAAAAAAAAAAAAAAAAAA==|AAAAAAAAAAAAAAAAAAAAAA==|AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    collection.creation_date = collection.revision_date = NowMs();
    const Status shared = db().Transact([&](sql::Session& session) -> Status {
      KW_RETURN_IF_ERROR(collections::InsertCollection(session, collection));
      KW_RETURN_IF_ERROR(collections::UpsertMemberGrant(session, collection.id, collections::AccessGrant{member_id}));
      return vault::SetCipherCollections(session, cipher_id, {collection.id});
    });
    EXPECT_TRUE(shared.ok()) << shared.message();
  }

  events::EventLog& log() { return service_->events(); }

  // Every event of a list, following continuation tokens; `pages` counts the requests.
  std::vector<nlohmann::json> ReadAll(const std::string& path, const std::string& token, int* pages = nullptr) {
    std::vector<nlohmann::json> all;
    std::string continuation;
    const char separator = path.find('?') == std::string::npos ? '?' : '&';
    for (int page = 0; page < 1000; ++page) {
      const std::string url = continuation.empty() ? path : path + separator + "continuationToken=" + continuation;
      const TestResponse response = Send("GET", url, "", token);
      EXPECT_EQ(response.status, 200) << url << ": " << response.body;
      const nlohmann::json body = response.json();
      if (response.status != 200 || !body.is_object()) return all;
      if (pages != nullptr) *pages = page + 1;
      for (const auto& event : body["data"]) all.push_back(event);
      if (body["continuationToken"].is_null()) return all;
      continuation = body["continuationToken"].get<std::string>();
    }
    ADD_FAILURE() << "the list never ended";
    return all;
  }

  // The types of `events`, in order.
  static std::vector<int> Types(const std::vector<nlohmann::json>& events) {
    std::vector<int> types;
    for (const auto& event : events) types.push_back(event["type"].get<int>());
    return types;
  }

  std::unique_ptr<sql::Database> database_handle_;
};

}  // namespace keywarden::server::testing

#endif  // KEYWARDEN_TESTS_SERVER_EVENTS_EVENTS_FIXTURE_H_
