// The reference's stored dates, in each of its databases' text forms.
#include "connector/reference/reference_date.h"

#include <gtest/gtest.h>

namespace keywarden::connector {
namespace {

constexpr TimeMs k20200913 = 1'600'000'000'000;  // 2020-09-13T12:26:40Z

TEST(ReferenceDateTest, ReadsEveryFormTheReferenceWrites) {
  EXPECT_EQ(*ParseReferenceDate("2020-09-13T12:26:40.1234567Z"), k20200913 + 123);   // JSON (Newtonsoft)
  EXPECT_EQ(*ParseReferenceDate("2020-09-13 12:26:40.1234567"), k20200913 + 123);    // SQLite (EF Core)
  EXPECT_EQ(*ParseReferenceDate("2020-09-13 12:26:40.123456"), k20200913 + 123);     // PostgreSQL, MySQL
  EXPECT_EQ(*ParseReferenceDate("2020-09-13 12:26:40"), k20200913);                  // whole seconds
  EXPECT_EQ(*ParseReferenceDate("2020-09-13T12:26:40.5Z"), k20200913 + 500);         // zeros trimmed
  EXPECT_EQ(*ParseReferenceDate("2020-09-13T12:26:40.999999999"), k20200913 + 999);  // never rounds up
}

TEST(ReferenceDateTest, ZonesAreConvertedToUtc) {
  EXPECT_EQ(*ParseReferenceDate("2020-09-13T14:26:40+02:00"), k20200913);
  EXPECT_EQ(*ParseReferenceDate("2020-09-13T07:56:40.001-04:30"), k20200913 + 1);
}

TEST(ReferenceDateTest, CalendarEdges) {
  EXPECT_EQ(*ParseReferenceDate("1970-01-01 00:00:00"), 0);
  EXPECT_EQ(*ParseReferenceDate("1969-12-31 23:59:59.999"), -1);
  EXPECT_EQ(*ParseReferenceDate("2000-02-29 00:00:00"), 951'782'400'000);
  EXPECT_EQ(*ParseReferenceDate("0001-01-01 00:00:00"), -62'135'596'800'000);  // .NET's DateTime.MinValue
  EXPECT_EQ(*ParseReferenceDate("9999-12-31 23:59:59.9999999"), 253'402'300'799'999);
}

TEST(ReferenceDateTest, RefusesAnythingElse) {
  for (const char* text :
       {"", "2020-09-13", "2020-09-13T12:26", "2020-9-13 12:26:40", "2020-09-13X12:26:40", "2021-02-29 00:00:00",
        "2020-13-01 00:00:00", "2020-09-13 24:00:00", "2020-09-13 12:60:00", "2020-09-13 12:26:60",
        "0000-01-01 00:00:00", "2020-09-13 12:26:40.", "2020-09-13 12:26:40Z ", "2020-09-13 12:26:40+0200",
        "2020-09-13 12:26:40+15:00", "1600000000000", "2020-09-13 12:26:40.12a"}) {
    EXPECT_FALSE(ParseReferenceDate(text).ok()) << text;
  }
}

}  // namespace
}  // namespace keywarden::connector
