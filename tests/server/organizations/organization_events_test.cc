// The organisation routes' events: each action logs the reference's number once, for the right
// member, and nothing is logged for a refused action. Read straight from the events table (the
// event routes have tests of their own), on SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include <map>
#include <utility>
#include <vector>

#include "server/organizations/organization_fixture.h"
#include "server/store/server_database.h"

namespace keywarden::server::testing {
namespace {

constexpr sql::Statement kEvents = {"test_organization_events",
                                    "SELECT type, organization_user_id, policy_id, acting_user_id FROM events WHERE "
                                    "organization_id = $1 ORDER BY date, type",
                                    nullptr, nullptr, "to read events"};

struct LoggedEvent {
  int type = 0;
  std::string member_id;
  std::string policy_id;
  std::string actor;
};

class OrganizationEventsTest : public OrganizationTest {
 protected:
  std::vector<LoggedEvent> Events(const std::string& organization_id) {
    service_->events().Flush();
    auto database = OpenServerDatabase(config_->database);
    EXPECT_TRUE(database.ok());
    std::vector<LoggedEvent> out;
    const Status read = (*database)->Read([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kEvents, sql::Params().Text(organization_id)));
      for (std::size_t i = 0; i < rows.size(); ++i) {
        KW_ASSIGN_OR_RETURN(std::int64_t type, rows.Int(i, 0));
        out.push_back({static_cast<int>(type), rows.Text(i, 1), rows.Text(i, 2), rows.Text(i, 3)});
      }
      return OkStatus();
    });
    EXPECT_TRUE(read.ok()) << read.message();
    return out;
  }

  // How many events of each number were logged about `member_id` (or about no member).
  std::map<int, int> Counts(const std::string& organization_id, const std::string& member_id) {
    std::map<int, int> counts;
    for (const LoggedEvent& e : Events(organization_id)) {
      if (e.member_id == member_id) ++counts[e.type];
    }
    return counts;
  }
};
KW_SERVER_TEST_ON_EACH_DATABASE(OrganizationEventsTest);

TEST_P(OrganizationEventsTest, EachMemberActionLogsItsNumberOnce) {
  TestAccount owner = NewUser("owner@example.com");
  TestAccount alice = NewUser("alice@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  const std::string alice_id = Invite(organization, owner, alice, 2);
  ASSERT_EQ(Confirm(organization, owner, alice_id).status, 200);
  const std::string base = "/api/organizations/" + organization.id + "/users/" + alice_id;
  ASSERT_EQ(Send("PUT", base, R"({"type": 4, "permissions": {"accessEventLogs": true}})", owner.access_token).status,
            200);
  ASSERT_EQ(Send("PUT", base + "/revoke", "", owner.access_token).status, 200);
  ASSERT_EQ(Send("PUT", base + "/revoke", "", owner.access_token).status, 400);  // refused: no event
  ASSERT_EQ(Send("PUT", base + "/restore", "", owner.access_token).status, 200);
  ASSERT_EQ(Send("DELETE", base, "", owner.access_token).status, 200);

  const std::map<int, int> expected = {{1500, 1}, {1501, 1}, {1502, 1}, {1511, 1}, {1512, 1}, {1503, 1}};
  EXPECT_EQ(Counts(organization.id, alice_id), expected);
  for (const LoggedEvent& e : Events(organization.id)) EXPECT_EQ(e.actor, owner.id) << e.type;
}

TEST_P(OrganizationEventsTest, PolicyOrganizationAndLeavingAreLogged) {
  TestAccount owner = NewUser("owner@example.com");
  TestAccount alice = NewUser("alice@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  const std::string alice_id = AddMember(organization, owner, alice, 2);
  const TestResponse saved = Send("PUT", "/api/organizations/" + organization.id + "/policies/6",
                                  R"({"policy": {"enabled": true, "data": null}})", owner.access_token);
  ASSERT_EQ(saved.status, 200) << saved.body;
  ASSERT_EQ(Send("PUT", "/api/organizations/" + organization.id,
                 R"({"name": "Acme 2", "billingEmail": "owner@example.com"})", owner.access_token)
                .status,
            200);
  ASSERT_EQ(
      Post("/api/organizations/" + organization.id + "/leave", nlohmann::json::object(), alice.access_token).status,
      200);
  int policy_events = 0, updated = 0, left = 0;
  for (const LoggedEvent& e : Events(organization.id)) {
    if (e.type == 1700) {
      ++policy_events;
      EXPECT_EQ(e.policy_id, saved.json()["id"]);
    }
    if (e.type == 1600) ++updated;
    if (e.type == 1516) {
      ++left;
      EXPECT_EQ(e.member_id, alice_id);
      EXPECT_EQ(e.actor, alice.id);
    }
  }
  EXPECT_EQ(policy_events, 1);
  EXPECT_EQ(updated, 1);
  EXPECT_EQ(left, 1);
}

}  // namespace
}  // namespace keywarden::server::testing
