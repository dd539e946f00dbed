// The event routes' own parsers, without a server: continuation tokens, the date range
// with the reference's defaults and limit, and the /events/collect body.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/iso_date.h"
#include "server/events/collect_request.h"
#include "server/events/continuation_token.h"
#include "server/events/event_range.h"

namespace keywarden::server::events {
namespace {

TEST(ContinuationTokenTest, RoundTrips) {
  const PagePosition position{1795620600123, "0f8fad5b-d9cb-469f-a165-70867728950e"};
  const std::string token = EncodeContinuationToken(position);
  EXPECT_EQ(token, "000001a21353f93b0f8fad5bd9cb469fa16570867728950e");
  auto parsed = ParseContinuationToken(token);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, position);
  const PagePosition zero{0, "00000000-0000-0000-0000-000000000000"};
  EXPECT_EQ(*ParseContinuationToken(EncodeContinuationToken(zero)), zero);
}

TEST(ContinuationTokenTest, RefusesAnythingItDidNotMake) {
  const std::string good = "000001a21353f93b0f8fad5bd9cb469fa16570867728950e";
  for (const std::string& token : std::vector<std::string>{
           std::string(), good.substr(1), good + "0", "000001A21353F93B0F8FAD5BD9CB469FA16570867728950E",
           "8000000000000000" + good.substr(16), std::string(48, 'g'), good.substr(0, 47) + "-",
           std::string("1795620600123"), good.substr(0, 20) + std::string(1, '\0') + good.substr(21)}) {
    auto parsed = ParseContinuationToken(token);
    ASSERT_FALSE(parsed.ok()) << token;
    EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(parsed.status().message(), "ContinuationToken is not valid.");
  }
}

TEST(EventRangeTest, DefaultsToTheLastThirtyDays) {
  const TimeMs now = *ParseIsoDate("2026-11-25T15:30:00Z");
  for (const char* query : {"", "start=2026-01-01", "end=2026-01-01", "start=&end=", "other=1"}) {
    auto range = ParseEventRange(query, now);
    ASSERT_TRUE(range.ok()) << query;
    EXPECT_EQ(range->start, *ParseIsoDate("2026-10-26")) << query;
    EXPECT_EQ(range->end, *ParseIsoDate("2026-11-25T23:59:59.999Z")) << query;
    EXPECT_FALSE(range->after.has_value());
  }
}

TEST(EventRangeTest, SwapsLimitsAndReadsTheToken) {
  const TimeMs now = 0;
  auto range = ParseEventRange("END=2026-01-01&Start=2026-03-01T00:00:00.000Z", now);
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(range->start, *ParseIsoDate("2026-01-01"));
  EXPECT_EQ(range->end, *ParseIsoDate("2026-03-01"));
  range = ParseEventRange(
      "start=2026-01-01T00%3A00%3A00.000Z&end=2026-01-02&continuationToken="
      "000001a21353f93b0f8fad5bd9cb469fa16570867728950e",
      now);
  ASSERT_TRUE(range.ok());
  ASSERT_TRUE(range->after.has_value());
  EXPECT_EQ(range->after->id, "0f8fad5b-d9cb-469f-a165-70867728950e");
}

TEST(EventRangeTest, RefusesTooLongRangesAndBadValues) {
  auto range = ParseEventRange("start=2025-01-01&end=2026-01-04", 0);
  ASSERT_FALSE(range.ok());
  EXPECT_EQ(range.status().message(), "Range too large.");
  EXPECT_TRUE(ParseEventRange("start=2025-01-01&end=2026-01-03", 0).ok());  // 367 days exactly
  EXPECT_EQ(ParseEventRange("start=x&end=2026-01-01", 0).status().message(), "Start is not a valid date.");
  EXPECT_EQ(ParseEventRange("start=2026-01-01&end=x", 0).status().message(), "End is not a valid date.");
  EXPECT_EQ(ParseEventRange("continuationToken=x", 0).status().message(), "ContinuationToken is not valid.");
  EXPECT_FALSE(ParseEventRange("start=%zz", 0).ok());
}

TEST(CollectRequestTest, ReadsTheClientsBatches) {
  auto events = ParseCollectRequest(
      R"([{"type":1107,"cipherId":"0F8FAD5B-D9CB-469F-A165-70867728950E","date":"2026-11-25T15:30:00.000Z",)"
      R"("organizationId":null},{"Type":1007},{"type":-3,"extra":{"a":[1]}}])");
  ASSERT_TRUE(events.ok()) << events.status().message();
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].type, 1107);
  EXPECT_EQ((*events)[0].cipher_id, "0f8fad5b-d9cb-469f-a165-70867728950e");
  EXPECT_TRUE((*events)[0].organization_id.empty());
  EXPECT_EQ((*events)[0].date, 1795620600000);
  EXPECT_EQ((*events)[1].type, 1007);
  EXPECT_FALSE((*events)[1].date.has_value());
  EXPECT_EQ((*events)[2].type, -3);
}

TEST(CollectRequestTest, RefusesWhatDoesNotBind) {
  for (const std::string& body : std::vector<std::string>{
           "", "[]", "{}", "null", "1", "[null]", "[[]]", R"([{"type":"1107"}])", R"([{"type":1107.5}])",
           R"([{"type":true}])", R"([{"type":4294967296}])", R"([{"type":-4294967296}])",
           R"([{"cipherId":"not-a-guid"}])", R"([{"organizationId":{}}])", R"([{"date":"2026-13-01"}])",
           R"([{"date":5}])", "[{}", std::string(kMaxCollectBodyBytes + 1, ' ')}) {
    EXPECT_FALSE(ParseCollectRequest(body).ok()) << body.substr(0, 40);
  }
  std::string many = "[";
  for (std::size_t i = 0; i <= kMaxCollectedEvents; ++i) many += i == 0 ? "{}" : ",{}";
  many += "]";
  EXPECT_FALSE(ParseCollectRequest(many).ok());
}

}  // namespace
}  // namespace keywarden::server::events
