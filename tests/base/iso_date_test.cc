// ISO 8601 dates: what the clients send is read to the millisecond, anything else is refused, and
// every stored instant, whoever sent it, is written back in the reference's one form.
#include "base/iso_date.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace keywarden {
namespace {

TEST(IsoDateTest, ReadsWhatClientsWrite) {
  EXPECT_EQ(ParseIsoDate("1970-01-01"), 0);
  EXPECT_EQ(ParseIsoDate("1970-01-01T00:00:00.001Z"), 1);
  EXPECT_EQ(ParseIsoDate("2026-11-25T15:30:00.123Z"), 1795620600123);
  EXPECT_EQ(ParseIsoDate("2026-11-25T15:30:00.1234567Z"), 1795620600123);  // .NET's seven digits
  EXPECT_EQ(ParseIsoDate("2026-11-25T15:30:00.123456789z"), 1795620600123);
  EXPECT_EQ(ParseIsoDate("2026-11-25T15:30:00.1Z"), 1795620600100);
  EXPECT_EQ(ParseIsoDate("2026-11-25T15:30"), 1795620600000);
  EXPECT_EQ(ParseIsoDate("2026-11-25T15:30:00"), 1795620600000);  // no zone: UTC
  EXPECT_EQ(ParseIsoDate("2026-11-25T16:30:00+01:00"), 1795620600000);
  EXPECT_EQ(ParseIsoDate("2026-11-25T10:00:00-05:30"), 1795620600000);
  EXPECT_EQ(ParseIsoDate("2026-11-26T05:30:00+14:00"), 1795620600000);
  EXPECT_EQ(ParseIsoDate("2024-02-29"), 1709164800000);  // a leap day
  EXPECT_EQ(ParseIsoDate("1969-12-31T23:59:59.999Z"), -1);
  EXPECT_EQ(ParseIsoDate("0001-01-01"), kMinIsoDate);
  EXPECT_EQ(ParseIsoDate("0001-01-01T00:00:00"), kMinIsoDate);  // .NET's DateTime.MinValue
  EXPECT_EQ(ParseIsoDate("9999-12-31T23:59:59.999Z"), kMaxIsoDate);
  EXPECT_EQ(ParseIsoDate("5220-01-31T12:00:00.000Z"), 102562718400000);  // found by the fuzzer
}

TEST(IsoDateTest, RefusesAnythingElse) {
  for (const char* text : {"",
                           "2026",
                           "2026-11",
                           "2026-13-01",
                           "2026-00-10",
                           "2026-02-29",
                           "2026-04-31",
                           "0000-01-01",
                           "2026-11-25T",
                           "2026-11-25 15:30",
                           "2026-11-25T24:00",
                           "2026-11-25T12:60",
                           "2026-11-25T12:00:60",
                           "2026-11-25T12:00:00.",
                           "2026-11-25T12:00:00.Z",
                           "2026-11-25T12:00:00.1234567891Z",
                           "2026-11-25T12:00Z1",
                           "2026-11-25T12:00:00+1",
                           "2026-11-25T12:00:00+1:00",
                           "2026-11-25T12:00:00+15:00",
                           "2026-11-25x",
                           " 2026-11-25",
                           "+2026-11-25",
                           "2026-1-5",
                           "yesterday",
                           "2026-11-25T12:00:00ZZ",
                           "0001-01-01T00:00:00+00:01",  // before the first instant
                           "9999-12-31T23:59:59-00:01",  // after the last
                           "２０２６-11-25"}) {
    EXPECT_FALSE(ParseIsoDate(text).has_value()) << text;
  }
}

TEST(IsoDateTest, WritesTheReferencesOneForm) {
  EXPECT_EQ(FormatIsoDate(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIsoDate(1795620600123), "2026-11-25T15:30:00.123Z");
  EXPECT_EQ(FormatIsoDate(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatIsoDate(kMinIsoDate), "0001-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIsoDate(kMaxIsoDate), "9999-12-31T23:59:59.999Z");
  std::string out = "\"";
  AppendIsoDate(1709164800000, out);
  EXPECT_EQ(out, "\"2024-02-29T00:00:00.000Z");
}

TEST(IsoDateTest, ClampsWhatNoFourDigitYearSpells) {
  EXPECT_EQ(FormatIsoDate(std::numeric_limits<TimeMs>::max()), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatIsoDate(std::numeric_limits<TimeMs>::min()), "0001-01-01T00:00:00.000Z");
}

TEST(IsoDateTest, WhatIsWrittenReadsBack) {
  for (const TimeMs when : {TimeMs{0}, TimeMs{-1}, TimeMs{1795620600123}, kMinIsoDate, kMaxIsoDate,
                            TimeMs{102562718400000}, TimeMs{951782400000}}) {
    EXPECT_EQ(ParseIsoDate(FormatIsoDate(when)), when) << when;
  }
}

TEST(IsoDateTest, StartOfUtcDay) {
  EXPECT_EQ(StartOfUtcDay(1795620600123), 1795564800000);
  EXPECT_EQ(StartOfUtcDay(0), 0);
  EXPECT_EQ(StartOfUtcDay(-1), -kMsPerDay);
}

}  // namespace
}  // namespace keywarden
