#include "sql/connection_string.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace keywarden::sql {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

Pairs ParseOk(std::string_view text) {
  auto pairs = sql::ParseKeyValueConnectionString(text);
  EXPECT_TRUE(pairs.ok()) << text << ": " << pairs.status().ToString();
  return pairs.ok() ? *pairs : Pairs{};
}

std::string ParseError(std::string_view text) {
  auto pairs = sql::ParseKeyValueConnectionString(text);
  EXPECT_FALSE(pairs.ok()) << text;
  if (pairs.ok()) return "";
  EXPECT_EQ(pairs.status().code(), ErrorCode::kInvalidArgument);
  return pairs.status().message();
}

TEST(ConnectionStringTest, ReadsTheReferenceForms) {
  EXPECT_EQ(
      ParseOk("Host=db.example;Port=5432;Database=keys;Username=kc;Password=s3cret"),
      (Pairs{
          {"host", "db.example"}, {"port", "5432"}, {"database", "keys"}, {"username", "kc"}, {"password", "s3cret"}}));
  EXPECT_EQ(ParseOk("Server=db;Port=3306;Database=keys;Uid=kc;Pwd=s3cret;"),
            (Pairs{{"server", "db"}, {"port", "3306"}, {"database", "keys"}, {"uid", "kc"}, {"pwd", "s3cret"}}));
}

TEST(ConnectionStringTest, LowerCasesKeysTrimsSpacesKeepsInnerSpaces) {
  EXPECT_EQ(ParseOk("  USER ID =  kc admin ; ;;Ssl Mode=Require  ;"),
            (Pairs{{"user id", "kc admin"}, {"ssl mode", "Require"}}));
  EXPECT_EQ(ParseOk(""), Pairs{});
  EXPECT_EQ(ParseOk(" ; ; "), Pairs{});
  EXPECT_EQ(ParseOk("Password="), (Pairs{{"password", ""}}));
}

TEST(ConnectionStringTest, QuotedValuesKeepSeparatorsAndDoubledQuotes) {
  EXPECT_EQ(ParseOk("Password=\"a;b=c\"\"d\";Host=h"), (Pairs{{"password", "a;b=c\"d"}, {"host", "h"}}));
  EXPECT_EQ(ParseOk("Password='it''s; \"fine\"' ; Host=h"), (Pairs{{"password", "it's; \"fine\""}, {"host", "h"}}));
  EXPECT_EQ(ParseOk("Password=\"  padded  \""), (Pairs{{"password", "  padded  "}}));
  EXPECT_EQ(ParseOk("Password=''"), (Pairs{{"password", ""}}));
  // A quote inside an unquoted value is an ordinary character, as in .NET.
  EXPECT_EQ(ParseOk("Password=ab\"c'd"), (Pairs{{"password", "ab\"c'd"}}));
}

TEST(ConnectionStringTest, DoubledEqualsInAKeyIsALiteralEquals) {
  EXPECT_EQ(ParseOk("a==b=c"), (Pairs{{"a=b", "c"}}));
  // In a value '=' needs no escaping.
  EXPECT_EQ(ParseOk("Password=x=y=="), (Pairs{{"password", "x=y=="}}));
}

TEST(ConnectionStringTest, MalformedInputIsAClearErrorThatNeverShowsAValue) {
  EXPECT_EQ(ParseError("Host=h;s3cret-alone;Port=1"), "connection string has a setting without '=' after 'host'");
  EXPECT_EQ(ParseError("s3cret-alone"), "connection string has a setting without '=' at the start");
  EXPECT_EQ(ParseError("Host=h; =s3cret"), "connection string has a setting without a name after 'host'");
  EXPECT_EQ(ParseError("Password='s3cret;Host=h"), "connection string setting 'password' has an unterminated quote");
  EXPECT_EQ(ParseError("Password=\"s3cret\"x;Host=h"),
            "connection string setting 'password' has text after its closing quote");
  EXPECT_EQ(ParseError("Password=s3cret'"),
            "connection string setting 'password' has a quote at the end of an unquoted value; quote the whole value");
  EXPECT_EQ(ParseError("Host=a;HOST=b"), "connection string sets 'host' twice");
  EXPECT_EQ(ParseError(std::string_view("Host=a\0b", 8)), "connection string contains a NUL character");
  EXPECT_EQ(ParseError("Ho\x01st=a"), "connection string has a setting name with a control character at the start");
}

}  // namespace
}  // namespace keywarden::sql
