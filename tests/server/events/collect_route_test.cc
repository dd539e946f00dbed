// POST /events/collect over a real socket, on SQLite and on PostgreSQL: the client-side event
// types the reference accepts are logged for items and organisations the caller may see; every
// other type, item or organisation is dropped with the same 200; a body that does not bind is 400.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "server/events/events_fixture.h"

namespace keywarden::server::testing {
namespace {

using organizations::MemberStatus;
using organizations::MemberType;

class CollectRouteTest : public EventsTest {
 protected:
  TestResponse Collect(const nlohmann::json& body, const std::string& token) {
    return Send("POST", "/events/collect", body.dump(), token);
  }
  static nlohmann::json Reported(int type, const std::string& cipher_id, const std::string& organization_id,
                                 const std::string& date = "2026-11-20T10:00:00.000Z") {
    nlohmann::json event = {{"type", type}, {"date", date}};
    event["cipherId"] = cipher_id.empty() ? nlohmann::json() : nlohmann::json(cipher_id);
    event["organizationId"] = organization_id.empty() ? nlohmann::json() : nlohmann::json(organization_id);
    return event;
  }
  std::vector<nlohmann::json> OrgEvents(const std::string& organization_id, const TestAccount& reader) {
    log().Flush();
    return ReadAll(
        "/api/organizations/" + organization_id + "/events?start=2026-01-01T00:00:00Z&end=2026-12-31T23:59:59.999Z",
        reader.access_token);
  }
};

TEST_P(CollectRouteTest, ItemEventsOfTheCallersOrganisationsAreLogged) {
  const std::string org = CreateOrganization();
  TestAccount owner = NewUser("owner@example.com");
  TestAccount member = NewUser("member@example.com");
  AddMember(org, owner.id, MemberType::kOwner, MemberStatus::kConfirmed);
  const std::string member_id = AddMember(org, member.id, MemberType::kUser, MemberStatus::kConfirmed);
  const std::string item = AddCipher("", org);
  ShareWithMember(org, item, member_id);

  nlohmann::json body = nlohmann::json::array();
  for (int type : {1107, 1108, 1111, 1114, 1117, 1132}) body.push_back(Reported(type, item, org));
  body.push_back(Reported(1118, item, org));  // the TOTP seed shown: the reference drops it
  body.push_back(Reported(1100, item, org));  // a server-side type: dropped
  body.push_back(Reported(2400, "", org));    // phishing blocker: not on this server
  body.push_back(Reported(1107, "", org));    // no item
  const TestResponse response = Collect(body, member.access_token);
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_TRUE(response.body.empty());

  const auto events = OrgEvents(org, owner);
  ASSERT_EQ(events.size(), 6u);
  std::multiset<int> types;
  for (const auto& event : events) {
    types.insert(event["type"].get<int>());
    EXPECT_EQ(event["cipherId"], item);
    EXPECT_EQ(event["organizationId"], org);
    EXPECT_EQ(event["actingUserId"], member.id);
    EXPECT_TRUE(event["userId"].is_null());
    EXPECT_EQ(event["date"], "2026-11-20T10:00:00.000Z");  // the client's date
    EXPECT_EQ(event["ipAddress"], "127.0.0.1");
  }
  EXPECT_EQ(types, (std::multiset<int>{1107, 1108, 1111, 1114, 1117, 1132}));
  // The member's list in the admin console shows them too.
  EXPECT_EQ(ReadAll("/api/organizations/" + org + "/users/" + member_id +
                        "/events?start=2026-01-01T00:00:00Z&end=2026-12-31T23:59:59.999Z",
                    owner.access_token)
                .size(),
            6u);
}

TEST_P(CollectRouteTest, ItemsTheCallerMayNotSeeAreDroppedSilently) {
  const std::string org = CreateOrganization();
  const std::string other_org = CreateOrganization();
  const std::string disabled_org = CreateOrganization(/*enabled=*/false);
  TestAccount owner = NewUser("owner@example.com");
  TestAccount member = NewUser("member@example.com");
  TestAccount invited = NewUser("invited@example.com");
  AddMember(org, owner.id, MemberType::kOwner, MemberStatus::kConfirmed);
  AddMember(other_org, owner.id, MemberType::kOwner, MemberStatus::kConfirmed);
  AddMember(disabled_org, owner.id, MemberType::kOwner, MemberStatus::kConfirmed);
  AddMember(org, member.id, MemberType::kUser, MemberStatus::kConfirmed);
  AddMember(disabled_org, member.id, MemberType::kUser, MemberStatus::kConfirmed);
  AddMember(org, invited.id, MemberType::kUser, MemberStatus::kAccepted);
  const std::string other_item = AddCipher("", other_org);
  const std::string disabled_item = AddCipher("", disabled_org);
  const std::string org_item = AddCipher("", org);
  const std::string personal = AddCipher(member.id, "");
  const std::string someone_elses = AddCipher(owner.id, "");

  // Another organisation's item, even when the body names the caller's organisation; an item of a
  // disabled organisation; personal items (the reference logs organisation items only); an item
  // that does not exist.
  nlohmann::json body = nlohmann::json::array(
      {Reported(1107, other_item, org), Reported(1107, other_item, ""), Reported(1107, disabled_item, disabled_org),
       Reported(1107, personal, ""), Reported(1107, someone_elses, ""), Reported(1107, NewId(), org)});
  EXPECT_EQ(Collect(body, member.access_token).status, 200);
  // A confirmed member does not see an item outside their collections.
  EXPECT_EQ(Collect(nlohmann::json::array({Reported(1107, org_item, org)}), member.access_token).status, 200);
  // A member not yet confirmed sees no organisation item.
  EXPECT_EQ(Collect(nlohmann::json::array({Reported(1107, org_item, org)}), invited.access_token).status, 200);
  EXPECT_TRUE(OrgEvents(org, owner).empty());
  EXPECT_TRUE(OrgEvents(other_org, owner).empty());
  log().Flush();
  EXPECT_TRUE(
      ReadAll("/api/ciphers/" + personal + "/events?start=2026-01-01&end=2026-12-31", member.access_token).empty());
}

TEST_P(CollectRouteTest, OrganisationAndMemberEventsNeedMembership) {
  const std::string org = CreateOrganization();
  TestAccount owner = NewUser("owner@example.com");
  TestAccount accepted = NewUser("accepted@example.com");
  TestAccount stranger = NewUser("stranger@example.com");
  AddMember(org, owner.id, MemberType::kOwner, MemberStatus::kConfirmed);
  const std::string accepted_id = AddMember(org, accepted.id, MemberType::kUser, MemberStatus::kAccepted);

  // Any member, confirmed or not, as the reference's lookup by organisation and user.
  EXPECT_EQ(Collect(nlohmann::json::array({Reported(1602, "", org), Reported(1618, "", org), Reported(1522, "", ""),
                                           Reported(1627, "", org)}),
                    accepted.access_token)
                .status,
            200);
  EXPECT_EQ(
      Collect(nlohmann::json::array({Reported(1602, "", org), Reported(1619, "", org)}), stranger.access_token).status,
      200);
  const auto events = OrgEvents(org, owner);
  ASSERT_EQ(events.size(), 3u);
  for (const auto& event : events) {
    EXPECT_EQ(event["actingUserId"], accepted.id);
    if (event["type"] == 1618) {
      EXPECT_EQ(event["organizationUserId"], accepted_id);
      EXPECT_EQ(event["userId"], accepted.id);
    } else {
      EXPECT_TRUE(event["organizationUserId"].is_null());
    }
  }
}

TEST_P(CollectRouteTest, AnExportIsAUserEventWithTheClientsDate) {
  const std::string org = CreateOrganization();
  TestAccount member = NewUser("exporter@example.com");
  AddMember(org, member.id, MemberType::kAdmin, MemberStatus::kConfirmed);
  log().Flush();
  const auto before = ReadAll("/api/events?start=2026-01-01&end=2026-12-31", member.access_token);
  EXPECT_EQ(
      Collect(nlohmann::json::array({Reported(1007, "", "", "2026-11-21T08:30:00Z")}), member.access_token).status,
      200);
  log().Flush();
  const auto own = ReadAll("/api/events?start=2026-01-01&end=2026-12-31", member.access_token);
  ASSERT_EQ(own.size(), before.size() + 1);
  const auto exported = std::find_if(own.begin(), own.end(), [](const auto& event) { return event["type"] == 1007; });
  ASSERT_NE(exported, own.end());
  EXPECT_EQ((*exported)["date"], "2026-11-21T08:30:00.000Z");
  EXPECT_TRUE((*exported)["organizationId"].is_null());
  // The organisation's copy (dated when it arrived).
  const auto in_org = ReadAll("/api/organizations/" + org + "/events", member.access_token);
  ASSERT_EQ(Types(in_org), (std::vector<int>{1007}));
  EXPECT_EQ(in_org[0]["userId"], member.id);
}

TEST_P(CollectRouteTest, BodiesThatDoNotBindAreRefused) {
  TestAccount member = NewUser("client@example.com");
  for (const std::string body :
       {"", "[]", "{}", "null", "[1]", "not json", R"([{"type": "1107"}])", R"([{"type": 1.5}])",
        R"([{"type": 1107, "cipherId": "nope"}])", R"([{"type": 1107, "organizationId": 5}])",
        R"([{"type": 1107, "date": "yesterday"}])", R"([{"type": 99999999999}])"}) {
    const TestResponse response = Send("POST", "/events/collect", body, member.access_token);
    EXPECT_EQ(response.status, 400) << body << ": " << response.body;
  }
  nlohmann::json too_many = nlohmann::json::array();
  for (int i = 0; i < 1001; ++i) too_many.push_back({{"type", 1107}});
  EXPECT_EQ(Collect(too_many, member.access_token).status, 400);
  // Names in any case, unknown members ignored, no date: accepted (and nothing to log here).
  EXPECT_EQ(
      Send("POST", "/events/collect", R"([{"Type": 1107, "CIPHERID": null, "extra": [1, 2]}])", member.access_token)
          .status,
      200);
  EXPECT_EQ(Send("POST", "/events/collect", "[]").status, 401);
}

KW_SERVER_TEST_ON_EACH_DATABASE(CollectRouteTest);

}  // namespace
}  // namespace keywarden::server::testing
