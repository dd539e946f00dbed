#include "sql/postgres/postgres_options.h"

#include <gtest/gtest.h>

#include <string>

namespace keywarden::sql {
namespace {

sql::PostgresOptions ParseOk(std::string_view text) {
  auto options = sql::ParsePostgresConnectionString(text);
  EXPECT_TRUE(options.ok()) << text << ": " << options.status().ToString();
  return options.ok() ? *options : sql::PostgresOptions{};
}

// The error for `text`, which must not contain "s3cret".
std::string ParseError(std::string_view text) {
  auto options = sql::ParsePostgresConnectionString(text);
  EXPECT_FALSE(options.ok()) << text;
  if (options.ok()) return "";
  EXPECT_EQ(options.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(options.status().message().find("s3cret"), std::string::npos) << options.status().message();
  return options.status().message();
}

TEST(PostgresOptionsTest, ReadsTheReferenceForm) {
  const sql::PostgresOptions options = ParseOk("Host=db.example;Port=6432;Database=keys;Username=kc;Password=s3cret");
  ASSERT_EQ(options.hosts.size(), 1u);
  EXPECT_EQ(options.hosts[0].host, "db.example");
  EXPECT_EQ(options.hosts[0].port, 6432);
  EXPECT_EQ(options.database, "keys");
  EXPECT_EQ(options.user, "kc");
  EXPECT_EQ(options.password, "s3cret");
  EXPECT_EQ(options.ssl_mode, "");
  EXPECT_FALSE(options.max_pool_size.has_value());
  EXPECT_EQ(options.connect_timeout, std::chrono::seconds(3));
  EXPECT_EQ(options.command_timeout, std::chrono::seconds(5));
  EXPECT_EQ(sql::DescribePostgresTarget(options), "db.example:6432/keys");
}

TEST(PostgresOptionsTest, AcceptsNpgsqlSynonymsAndLibpqNames) {
  for (const char* text :
       {"Server=h;User ID=u;PWD=s3cret;DB=d", "host=h;user=u;psw=s3cret;dbname=d",
        "SERVER = h ; UID = u ; Password = 's3cret' ; Database = d ;", "Host=h;UserId=u;Pwd=s3cret;Db=d"}) {
    const sql::PostgresOptions options = ParseOk(text);
    ASSERT_EQ(options.hosts.size(), 1u) << text;
    EXPECT_EQ(options.hosts[0].host, "h") << text;
    EXPECT_EQ(options.hosts[0].port, 5432) << text;
    EXPECT_EQ(options.user, "u") << text;
    EXPECT_EQ(options.password, "s3cret") << text;
    EXPECT_EQ(options.database, "d") << text;
  }
}

TEST(PostgresOptionsTest, MapsSslModeTimeoutsPoolAndSessionAttributes) {
  const sql::PostgresOptions options = ParseOk(
      "Host=h;SSL Mode=VerifyFull;Root Certificate=/ca.pem;Trust Server Certificate=true;Timeout=3;"
      "Command Timeout=7;Maximum Pool Size=12;Min Pool Size=2;Pooling=true;Keepalive=9;"
      "Target Session Attributes=ReadWrite;Application Name=kc-1");
  EXPECT_EQ(options.ssl_mode, "verify-full");
  EXPECT_EQ(options.ssl_root_cert, "/ca.pem");
  EXPECT_EQ(options.connect_timeout, std::chrono::seconds(3));
  EXPECT_EQ(options.command_timeout, std::chrono::seconds(7));
  EXPECT_EQ(options.max_pool_size, std::optional<std::size_t>(12));
  EXPECT_EQ(options.min_pool_size, 2u);
  EXPECT_EQ(options.keepalive, std::chrono::seconds(9));
  EXPECT_EQ(options.target_session_attrs, "read-write");
  EXPECT_EQ(options.application_name, "kc-1");

  EXPECT_EQ(ParseOk("Host=h;SslMode=Require").ssl_mode, "require");
  EXPECT_EQ(ParseOk("Host=h;sslmode=verify-ca").ssl_mode, "verify-ca");
  EXPECT_EQ(ParseOk("Host=h;Tcp Keepalive=false").keepalive, std::chrono::seconds(0));
}

TEST(PostgresOptionsTest, ReadsSeveralHostsWithTheirOwnPorts) {
  const sql::PostgresOptions options = ParseOk("Host=a:6000, b ,[::1]:6001,::2,/run/pg;Port=7000;Database=k");
  ASSERT_EQ(options.hosts.size(), 5u);
  EXPECT_EQ(options.hosts[0].host, "a");
  EXPECT_EQ(options.hosts[0].port, 6000);
  EXPECT_EQ(options.hosts[1].host, "b");
  EXPECT_EQ(options.hosts[1].port, 7000);
  EXPECT_EQ(options.hosts[2].host, "::1");
  EXPECT_EQ(options.hosts[2].port, 6001);
  EXPECT_EQ(options.hosts[3].host, "::2");
  EXPECT_EQ(options.hosts[3].port, 7000);
  EXPECT_EQ(options.hosts[4].host, "/run/pg");
  EXPECT_EQ(sql::DescribePostgresTarget(options), "a:6000,b:7000,[::1]:6001,[::2]:7000,/run/pg:7000/k");
}

TEST(PostgresOptionsTest, ReadsUrls) {
  const sql::PostgresOptions options = ParseOk(
      "postgresql://kc:s3%40cret%3B@db.example:6432/key%20s?sslmode=require&connect_timeout=4&application_name=x");
  ASSERT_EQ(options.hosts.size(), 1u);
  EXPECT_EQ(options.hosts[0].host, "db.example");
  EXPECT_EQ(options.hosts[0].port, 6432);
  EXPECT_EQ(options.user, "kc");
  EXPECT_EQ(options.password, "s3@cret;");
  EXPECT_EQ(options.database, "key s");
  EXPECT_EQ(options.ssl_mode, "require");
  EXPECT_EQ(options.connect_timeout, std::chrono::seconds(4));
  EXPECT_EQ(options.application_name, "x");

  const sql::PostgresOptions multi = ParseOk("POSTGRES://a,[::1]:6001/k?target_session_attrs=primary&max_pool_size=3");
  ASSERT_EQ(multi.hosts.size(), 2u);
  EXPECT_EQ(multi.hosts[1].host, "::1");
  EXPECT_EQ(multi.hosts[1].port, 6001);
  EXPECT_EQ(multi.target_session_attrs, "primary");
  EXPECT_EQ(multi.max_pool_size, std::optional<std::size_t>(3));

  const sql::PostgresOptions socket = ParseOk("postgresql://%2Frun%2Fpostgresql/k");
  ASSERT_EQ(socket.hosts.size(), 1u);
  EXPECT_EQ(socket.hosts[0].host, "/run/postgresql");
  EXPECT_TRUE(socket.user.empty());
}

TEST(PostgresOptionsTest, RefusesUnknownRepeatedAndMalformedSettingsByName) {
  EXPECT_EQ(ParseError("Host=h;Password=s3cret;Search Path=s3cret"),
            "unsupported PostgreSQL connection string setting 'search path'");
  EXPECT_EQ(ParseError("Host=h;Server=s3cret"), "PostgreSQL connection string sets 'host' twice (as 'server')");
  EXPECT_EQ(ParseError("Host=h;Port=s3cret"),
            "PostgreSQL connection string setting 'port' must be an integer from 1 to 65535");
  EXPECT_EQ(ParseError("Host=h;Port=70000"),
            "PostgreSQL connection string setting 'port' must be an integer from 1 to 65535");
  EXPECT_EQ(ParseError("Host=h:s3cret"),
            "PostgreSQL connection string setting 'host port' must be an integer from 1 to 65535");
  EXPECT_EQ(ParseError("Host=h;SSL Mode=s3cret"),
            "PostgreSQL connection string setting 'ssl mode' must be one of disable, allow, prefer, require, "
            "verify-ca, verify-full");
  EXPECT_EQ(ParseError("Host=h;Pooling=false"),
            "PostgreSQL connection string setting 'pooling' cannot be false: keywarden always keeps a pool of "
            "connections");
  EXPECT_EQ(ParseError("Host=h;Command Timeout=0"),
            "PostgreSQL connection string setting 'command timeout' must be an integer from 1 to 3600");
  EXPECT_EQ(ParseError("Host=h;Maximum Pool Size=2;Minimum Pool Size=3"),
            "PostgreSQL connection string: the minimum pool size is larger than the maximum");
  EXPECT_EQ(ParseError("Database=k;Password=s3cret"), "PostgreSQL connection string has no host (Host=...)");
  EXPECT_EQ(ParseError("Host=a,,b"), "PostgreSQL connection string has an empty host in its host list");
  EXPECT_EQ(ParseError("Host=h;s3cret"),
            "PostgreSQL connection string: connection string has a setting without '=' after 'host'");
  EXPECT_EQ(ParseError("   "), "PostgreSQL connection string is empty");
}

TEST(PostgresOptionsTest, RefusesMalformedUrls) {
  EXPECT_EQ(ParseError("mysql://u:s3cret@h/k"), "a PostgreSQL URL must start with postgresql:// or postgres://");
  EXPECT_EQ(ParseError("postgresql://u:s3cret@h/k?search_path=x"),
            "unsupported PostgreSQL connection string setting 'search_path'");
  EXPECT_EQ(ParseError("postgresql://u:s3cret%zz@h/k"), "PostgreSQL URL has a malformed %-escape in its password");
  EXPECT_EQ(ParseError("postgresql://u:s3cret@h/k/x"), "PostgreSQL URL path must be just the database name");
  EXPECT_EQ(ParseError("postgresql://u:s3cret@h/k?sslmode"), "PostgreSQL URL has a query parameter without '='");
  EXPECT_EQ(ParseError("postgresql://u:s3cret@h/k#s3cret"), "PostgreSQL URL must not have a '#' fragment");
  EXPECT_EQ(ParseError("postgresql://u:s3cret@h/k?user=x"), "PostgreSQL connection string sets 'user' twice");
  EXPECT_EQ(ParseError("postgresql://u:s3cret@/k"), "PostgreSQL connection string has no host (Host=...)");
  EXPECT_EQ(ParseError("postgresql://u:s3cret@[::1/k"), "PostgreSQL connection string has a host with '[' but no ']'");
}

}  // namespace
}  // namespace keywarden::sql
