// The event lists over a real socket, on SQLite and on PostgreSQL: who may read an organisation's,
// a member's, an item's and their own events (everyone else gets 404), the date range and its
// limits, and paging by continuation token (every event once, newest first).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "base/iso_date.h"
#include "server/events/continuation_token.h"
#include "server/events/events_fixture.h"

namespace keywarden::server::testing {
namespace {

using organizations::MemberPermissions;
using organizations::MemberStatus;
using organizations::MemberType;

class EventRoutesTest : public EventsTest {
 protected:
  events::Event OrgEvent(const std::string& organization_id, int type, TimeMs date) {
    events::Event event;
    event.type = type;
    event.date = date;
    event.organization_id = organization_id;
    return event;
  }
};

TEST_P(EventRoutesTest, OrganizationEventsNeedEventLogAccess) {
  const std::string org = CreateOrganization();
  MemberPermissions access;
  access.access_event_logs = true;
  MemberPermissions other;
  other.manage_users = true;
  struct Case {
    std::string name;
    MemberType type;
    MemberStatus status;
    MemberPermissions permissions;
    int expected;
  };
  const std::vector<Case> cases = {
      {"owner", MemberType::kOwner, MemberStatus::kConfirmed, {}, 200},
      {"admin", MemberType::kAdmin, MemberStatus::kConfirmed, {}, 200},
      {"custom-with", MemberType::kCustom, MemberStatus::kConfirmed, access, 200},
      {"custom-without", MemberType::kCustom, MemberStatus::kConfirmed, other, 404},
      {"user", MemberType::kUser, MemberStatus::kConfirmed, access, 404},  // permissions count for custom only
      {"invited", MemberType::kOwner, MemberStatus::kInvited, {}, 404},
      {"accepted", MemberType::kOwner, MemberStatus::kAccepted, {}, 404},
      {"revoked", MemberType::kAdmin, MemberStatus::kRevoked, {}, 404},
  };
  log().Record(OrgEvent(org, 1600, NowMs()));
  log().Flush();
  for (const Case& c : cases) {
    TestAccount account = NewUser(c.name + "@example.com");
    AddMember(org, account.id, c.type, c.status, c.permissions);
    const TestResponse response = Send("GET", "/api/organizations/" + org + "/events", "", account.access_token);
    EXPECT_EQ(response.status, c.expected) << c.name << ": " << response.body;
    if (c.expected == 200) {
      const nlohmann::json body = response.json();
      ASSERT_EQ(body["data"].size(), 1u) << c.name;
      EXPECT_EQ(body["object"], "list");
      EXPECT_TRUE(body["continuationToken"].is_null());
      const nlohmann::json& event = body["data"][0];
      EXPECT_EQ(event["type"], 1600);
      EXPECT_EQ(event["organizationId"], org);
      EXPECT_EQ(event["object"], "event");
      for (const char* member : {"userId",
                                 "providerId",
                                 "cipherId",
                                 "collectionId",
                                 "groupId",
                                 "policyId",
                                 "organizationUserId",
                                 "providerUserId",
                                 "providerOrganizationId",
                                 "actingUserId",
                                 "installationId",
                                 "deviceType",
                                 "ipAddress",
                                 "systemUser",
                                 "domainName",
                                 "secretId",
                                 "projectId",
                                 "serviceAccountId",
                                 "grantedServiceAccountId",
                                 "sendId"}) {
        ASSERT_TRUE(event.contains(member)) << member;
        EXPECT_TRUE(event[member].is_null()) << member;
      }
      EXPECT_TRUE(event["date"].is_string());
    } else {
      EXPECT_EQ(response.json()["message"], "Resource not found.") << c.name;
    }
  }
  // Not a member at all, another organisation, and ids that are not GUIDs.
  TestAccount stranger = NewUser("stranger@example.com");
  EXPECT_EQ(Send("GET", "/api/organizations/" + org + "/events", "", stranger.access_token).status, 404);
  EXPECT_EQ(Send("GET", "/api/organizations/" + NewId() + "/events", "", stranger.access_token).status, 404);
  EXPECT_EQ(Send("GET", "/api/organizations/not-a-guid/events", "", stranger.access_token).status, 404);
  // Without a token: 401, the only one.
  EXPECT_EQ(Send("GET", "/api/organizations/" + org + "/events").status, 401);
}

TEST_P(EventRoutesTest, MemberEventsAreThoseTheMemberCaused) {
  const std::string org = CreateOrganization();
  const std::string other_org = CreateOrganization();
  TestAccount admin = NewUser("admin@example.com");
  TestAccount member = NewUser("member@example.com");
  AddMember(org, admin.id, MemberType::kAdmin, MemberStatus::kConfirmed);
  const std::string member_id = AddMember(org, member.id, MemberType::kUser, MemberStatus::kConfirmed);
  const std::string invited_id = AddMember(org, "", MemberType::kUser, MemberStatus::kInvited);
  AddMember(other_org, member.id, MemberType::kUser, MemberStatus::kConfirmed);

  events::Event by_member = OrgEvent(org, 1107, NowMs());
  by_member.acting_user_id = member.id;
  events::Event by_admin = OrgEvent(org, 1500, NowMs());
  by_admin.acting_user_id = admin.id;
  events::Event elsewhere = OrgEvent(other_org, 1107, NowMs());
  elsewhere.acting_user_id = member.id;
  log().Record(by_member);
  log().Record(by_admin);
  log().Record(elsewhere);
  log().Flush();

  const std::string path = "/api/organizations/" + org + "/users/" + member_id + "/events";
  const std::vector<nlohmann::json> events = ReadAll(path, admin.access_token);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["type"], 1107);
  EXPECT_EQ(events[0]["actingUserId"], member.id);
  // The member may not read their own list; an invitation has none; the member id must be the
  // organisation's.
  EXPECT_EQ(Send("GET", path, "", member.access_token).status, 404);
  EXPECT_EQ(
      Send("GET", "/api/organizations/" + org + "/users/" + invited_id + "/events", "", admin.access_token).status,
      404);
  EXPECT_EQ(
      Send("GET", "/api/organizations/" + other_org + "/users/" + member_id + "/events", "", admin.access_token).status,
      404);
  EXPECT_EQ(Send("GET", "/api/organizations/" + org + "/users/" + NewId() + "/events", "", admin.access_token).status,
            404);
}

TEST_P(EventRoutesTest, CipherEventsFollowTheItemsOwner) {
  const std::string org = CreateOrganization();
  TestAccount owner = NewUser("owner@example.com");
  TestAccount custom = NewUser("custom@example.com");
  TestAccount user = NewUser("user@example.com");
  AddMember(org, owner.id, MemberType::kOwner, MemberStatus::kConfirmed);
  MemberPermissions access;
  access.access_event_logs = true;
  AddMember(org, custom.id, MemberType::kCustom, MemberStatus::kConfirmed, access);
  AddMember(org, user.id, MemberType::kUser, MemberStatus::kConfirmed);
  const std::string org_item = AddCipher("", org);
  const std::string personal_item = AddCipher(user.id, "");

  events::Event viewed = OrgEvent(org, 1107, NowMs());
  viewed.cipher_id = org_item;
  viewed.acting_user_id = user.id;
  events::Event other_item = OrgEvent(org, 1107, NowMs());
  other_item.cipher_id = NewId();
  events::Event personal;
  personal.type = 1101;
  personal.date = NowMs();
  personal.user_id = user.id;
  personal.cipher_id = personal_item;
  log().Record(viewed);
  log().Record(other_item);
  log().Record(personal);
  log().Flush();

  for (const TestAccount* reader : {&owner, &custom}) {
    const auto events = ReadAll("/api/ciphers/" + org_item + "/events", reader->access_token);
    ASSERT_EQ(events.size(), 1u) << reader->email;
    EXPECT_EQ(events[0]["cipherId"], org_item);
  }
  EXPECT_EQ(Send("GET", "/api/ciphers/" + org_item + "/events", "", user.access_token).status, 404);

  const auto own = ReadAll("/api/ciphers/" + personal_item + "/events", user.access_token);
  ASSERT_EQ(own.size(), 1u);
  EXPECT_EQ(own[0]["type"], 1101);
  EXPECT_EQ(own[0]["userId"], user.id);
  // An organisation's owner has no say over a member's personal item.
  EXPECT_EQ(Send("GET", "/api/ciphers/" + personal_item + "/events", "", owner.access_token).status, 404);
  EXPECT_EQ(Send("GET", "/api/ciphers/" + NewId() + "/events", "", owner.access_token).status, 404);
  EXPECT_EQ(Send("GET", "/api/ciphers/nope/events", "", owner.access_token).status, 404);
}

TEST_P(EventRoutesTest, OwnEventsAreTheAccountsOutsideOrganisations) {
  const std::string org = CreateOrganization();
  TestAccount account = NewUser("self@example.com");
  TestAccount other = NewUser("other@example.com");
  log().Flush();  // the log-ins' own events
  const auto before = ReadAll("/api/events", account.access_token);
  events::Event mine;
  mine.type = 1001;
  mine.date = NowMs();
  mine.user_id = mine.acting_user_id = account.id;
  events::Event mine_in_org = mine;
  mine_in_org.organization_id = org;
  events::Event theirs = mine;
  theirs.user_id = theirs.acting_user_id = other.id;
  log().Record(mine);
  log().Record(mine_in_org);
  log().Record(theirs);
  log().Flush();
  const auto after = ReadAll("/api/events", account.access_token);
  ASSERT_EQ(after.size(), before.size() + 1);
  EXPECT_EQ(after[0]["type"], 1001);
  EXPECT_TRUE(after[0]["organizationId"].is_null());
  for (const auto& event : after) EXPECT_EQ(event["userId"], account.id);
}

TEST_P(EventRoutesTest, PagesHoldEveryEventOnceNewestFirst) {
  const std::string org = CreateOrganization();
  TestAccount owner = NewUser("pager@example.com");
  AddMember(org, owner.id, MemberType::kOwner, MemberStatus::kConfirmed);
  // 250 events over 100 milliseconds: most share their millisecond with others, which paging by
  // date alone would lose at page boundaries.
  const TimeMs base = NowMs() - 60'000;
  for (int i = 0; i < 250; ++i) log().Record(OrgEvent(org, 1000 + i, base + i % 100));
  log().Flush();
  EXPECT_EQ(log().dropped(), 0u);

  int pages = 0;
  const auto events = ReadAll("/api/organizations/" + org + "/events", owner.access_token, &pages);
  EXPECT_EQ(pages, 5);  // 50 a page, and the last page says there is no next
  ASSERT_EQ(events.size(), 250u);
  std::set<int> types;
  for (const auto& event : events) types.insert(event["type"].get<int>());
  EXPECT_EQ(types.size(), 250u);  // none twice, none missed
  std::vector<TimeMs> dates;
  for (const auto& event : events) {
    const auto date = ParseIsoDate(event["date"].get<std::string>());
    ASSERT_TRUE(date.has_value());
    dates.push_back(*date);
  }
  EXPECT_TRUE(std::is_sorted(dates.rbegin(), dates.rend()));
  EXPECT_EQ(dates.front(), base + 99);
  EXPECT_EQ(dates.back(), base);

  // Events logged while a client pages do not shift its pages: they are newer than its token.
  const nlohmann::json first = Send("GET", "/api/organizations/" + org + "/events", "", owner.access_token).json();
  log().Record(OrgEvent(org, 9999, NowMs()));
  log().Flush();
  const std::string token = first["continuationToken"].get<std::string>();
  const nlohmann::json second =
      Send("GET", "/api/organizations/" + org + "/events?continuationToken=" + token, "", owner.access_token).json();
  ASSERT_EQ(second["data"].size(), 50u);
  EXPECT_EQ(second["data"][0]["type"], events[50]["type"]);
}

TEST_P(EventRoutesTest, RangesFollowTheReferencesRules) {
  const std::string org = CreateOrganization();
  TestAccount owner = NewUser("ranges@example.com");
  AddMember(org, owner.id, MemberType::kOwner, MemberStatus::kConfirmed);
  const TimeMs day = kMsPerDay;
  const TimeMs now = NowMs();
  log().Record(OrgEvent(org, 1, now - 1000));
  log().Record(OrgEvent(org, 2, now - 10 * day));
  log().Record(OrgEvent(org, 3, now - 40 * day));
  log().Record(OrgEvent(org, 4, now - 400 * day));
  log().Flush();
  const std::string base = "/api/organizations/" + org + "/events";
  const auto types = [&](const std::string& query) { return Types(ReadAll(base + query, owner.access_token)); };

  EXPECT_EQ(types(""), (std::vector<int>{1, 2}));  // the last 30 days
  const auto iso = [](TimeMs ms) { return FormatIsoDate(ms); };
  EXPECT_EQ(types("?start=" + iso(now - 50 * day) + "&end=" + iso(now - 5 * day)), (std::vector<int>{2, 3}));
  // In the wrong order, swapped; only one of the two, the default.
  EXPECT_EQ(types("?start=" + iso(now - 5 * day) + "&end=" + iso(now - 50 * day)), (std::vector<int>{2, 3}));
  EXPECT_EQ(types("?start=" + iso(now - 50 * day)), (std::vector<int>{1, 2}));
  // Dates as the clients write them, and as people do.
  EXPECT_EQ(types("?start=" + iso(now - 450 * day) + "&end=" + iso(now - 100 * day)), (std::vector<int>{4}));

  const TestResponse too_large =
      Send("GET", base + "?start=" + iso(now - 368 * day) + "&end=" + iso(now), "", owner.access_token);
  EXPECT_EQ(too_large.status, 400);
  EXPECT_EQ(too_large.json()["message"], "Range too large.");
  EXPECT_EQ(Send("GET", base + "?start=" + iso(now - 367 * day) + "&end=" + iso(now), "", owner.access_token).status,
            200);

  for (const std::string& query : std::vector<std::string>{
           "?start=yesterday&end=2026-01-01", "?start=2026-02-30&end=2026-03-01", "?start=2026-01-01T25:00:00Z&end=x",
           "?continuationToken=abc", "?continuationToken=" + std::string(48, 'g'),
           "?continuationToken=" + std::string(47, '0') + "%00",
           "?continuationToken=ffffffffffffffff" + std::string(32, '0'), "?start=%zz"}) {
    const TestResponse response = Send("GET", base + query, "", owner.access_token);
    EXPECT_EQ(response.status, 400) << query << ": " << response.body;
    EXPECT_EQ(response.json()["object"], "error") << query;
  }
  // Someone who may not read the list learns nothing from a bad query.
  TestAccount stranger = NewUser("nosy@example.com");
  EXPECT_EQ(Send("GET", base + "?continuationToken=abc", "", stranger.access_token).status, 404);
}

KW_SERVER_TEST_ON_EACH_DATABASE(EventRoutesTest);

}  // namespace
}  // namespace keywarden::server::testing
