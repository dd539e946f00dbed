#include "sql/mariadb/mariadb_options.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace keywarden::sql {
namespace {

sql::MariaDbOptions MustParse(std::string_view text) {
  auto options = sql::ParseMariaDbConnectionString(text);
  EXPECT_TRUE(options.ok()) << text << ": " << options.status().ToString();
  return options.ok() ? std::move(*options) : sql::MariaDbOptions();
}

// Fails with kInvalidArgument, and the message names `needle`.
void ExpectRefused(std::string_view text, std::string_view needle) {
  auto options = sql::ParseMariaDbConnectionString(text);
  ASSERT_FALSE(options.ok()) << text;
  EXPECT_EQ(options.status().code(), ErrorCode::kInvalidArgument) << text;
  EXPECT_NE(options.status().message().find(needle), std::string::npos) << text << " -> " << options.status().message();
}

TEST(MariaDbOptionsTest, ReadsTheReferenceForm) {
  sql::MariaDbOptions options = MustParse("Server=db.example.com;Port=3307;Database=keyconnector;Uid=kc;Pwd=s3cret");
  EXPECT_EQ(options.host, "db.example.com");
  EXPECT_EQ(options.port, 3307);
  EXPECT_TRUE(options.unix_socket.empty());
  EXPECT_EQ(options.database, "keyconnector");
  EXPECT_EQ(options.user, "kc");
  EXPECT_EQ(options.password.view(), "s3cret");
  EXPECT_EQ(options.Describe(), "kc@db.example.com:3307/keyconnector");
}

TEST(MariaDbOptionsTest, DefaultsFollowMySqlConnector) {
  sql::MariaDbOptions options = MustParse("Database=d;Uid=u");
  EXPECT_EQ(options.host, "localhost");
  EXPECT_EQ(options.port, 3306);
  EXPECT_TRUE(options.password.empty());
  EXPECT_EQ(options.ssl_mode, sql::MariaDbSslMode::kPreferred);
  EXPECT_FALSE(options.max_pool_size.has_value());
  EXPECT_EQ(options.connect_timeout, std::chrono::seconds(3));
  EXPECT_EQ(options.read_timeout, std::chrono::seconds(5));
  EXPECT_EQ(options.write_timeout, std::chrono::seconds(5));
}

TEST(MariaDbOptionsTest, AcceptsSynonymsInAnyCase) {
  for (const char* text :
       {"Host=h;User Id=u;Password=p;Initial Catalog=d", "data source=h;USERID=u;pwd=p;database=d",
        "ADDRESS=h;user_name=u;Password=p;Database=d", "Server=h;User=u;PWD=p;Database=d;Pooling=True"}) {
    sql::MariaDbOptions options = MustParse(text);
    EXPECT_EQ(options.host, "h") << text;
    EXPECT_EQ(options.user, "u") << text;
    EXPECT_EQ(options.password.view(), "p") << text;
    EXPECT_EQ(options.database, "d") << text;
  }
}

TEST(MariaDbOptionsTest, QuotedValuesKeepSeparators) {
  sql::MariaDbOptions options = MustParse("Server=h; Database = d ;Uid=u;Pwd='a;b=c''d'");
  EXPECT_EQ(options.password.view(), "a;b=c'd");
  EXPECT_EQ(options.database, "d");
}

TEST(MariaDbOptionsTest, ReadsTlsTimeoutsAndPoolSize) {
  sql::MariaDbOptions options = MustParse(
      "Server=h;Database=d;Uid=u;SslMode=VerifyFull;SslCa=/etc/ssl/db-ca.pem;Connection Timeout=3;"
      "Default Command Timeout=7;Maximum Pool Size=20");
  EXPECT_EQ(options.ssl_mode, sql::MariaDbSslMode::kVerifyFull);
  EXPECT_EQ(options.ssl_ca, "/etc/ssl/db-ca.pem");
  EXPECT_EQ(options.connect_timeout, std::chrono::seconds(3));
  EXPECT_EQ(options.read_timeout, std::chrono::seconds(7));
  EXPECT_EQ(options.write_timeout, std::chrono::seconds(7));
  EXPECT_EQ(options.max_pool_size, 20);

  EXPECT_EQ(MustParse("Database=d;Uid=u;SslMode=none").ssl_mode, sql::MariaDbSslMode::kNone);
  EXPECT_EQ(MustParse("Database=d;Uid=u;Ssl Mode=Required").ssl_mode, sql::MariaDbSslMode::kRequired);
  EXPECT_EQ(MustParse("Database=d;Uid=u;ssl-mode=PREFERRED").ssl_mode, sql::MariaDbSslMode::kPreferred);
}

TEST(MariaDbOptionsTest, AServerStartingWithASlashIsAUnixSocket) {
  sql::MariaDbOptions options = MustParse("Server=/run/mysqld/mysqld.sock;Database=d;Uid=u");
  EXPECT_EQ(options.unix_socket, "/run/mysqld/mysqld.sock");
  EXPECT_EQ(options.Describe(), "u@unix:/run/mysqld/mysqld.sock/d");
}

TEST(MariaDbOptionsTest, RefusesWhatItCannotHonour) {
  ExpectRefused("Server=h;Database=d;Uid=u;Pooling=false", "'pooling' must be true");
  ExpectRefused("Server=h;Database=d;Uid=u;Minimum Pool Size=2", "unknown setting 'minimum pool size'");
  ExpectRefused("Server=h;Database=d;Uid=u;AllowPublicKeyRetrieval=true", "'allowpublickeyretrieval'");
  ExpectRefused("Server=h;Database=d;Uid=a;User=b", "'user' and 'uid' set the same thing");
  ExpectRefused("Server=h;Uid=u", "no database");
  ExpectRefused("Server=h;Database=d", "no user");
  ExpectRefused("Server=h;Database=;Uid=u", "'database' is empty");
  ExpectRefused("Server=a,b;Database=d;Uid=u", "several servers");
  ExpectRefused("Database=d;Uid=u;SslMode=VerifyCA", "use VerifyFull");
  ExpectRefused("Database=d;Uid=u;SslMode=Sometimes", "must be None, Preferred, Required or VerifyFull");
  ExpectRefused("Database=d;Uid=u;SslCa=/ca.pem", "only used with SslMode=VerifyFull");
  ExpectRefused("Database=d;Uid=u;Default Command Timeout=1", "from 2 to 3600");
  ExpectRefused("Database=d;Uid=u;Connection Timeout=0", "from 1 to 3600");
  ExpectRefused("Database=d;Uid=u;Max Pool Size=0", "from 1 to 1000");
  ExpectRefused("Database=d;Uid=u;Server", "without '='");
  ExpectRefused("", "empty");
  for (const char* port : {"0", "65536", "33o6", "-1", "", "99999999999"}) {
    ExpectRefused("Database=d;Uid=u;Port=" + std::string(port), "'port' must be a number from 1 to 65535");
  }
}

TEST(MariaDbOptionsTest, ErrorsNeverShowThePassword) {
  const std::vector<std::string> bad = {
      "Server=h;Database=d;Uid=u;Pwd=hunter2;Pooling=maybe",
      "Server=h;Database=d;Uid=u;Pwd=hunter2;Port=hunter2",
      "Server=h;Database=d;Uid=u;Pwd=hunter2;Pwd=hunter2",
      "Server=h;Database=d;Uid=u;Pwd='hunter2",
      "Server=h;Uid=u;Pwd=hunter2",
      "mysql://u:hunter2@h/d?Password=hunter2",
      "mysql://u:hunter2@h:hunter2/d",
      "mysql://u:hunter2%zz@h/d",
  };
  for (const std::string& text : bad) {
    auto options = sql::ParseMariaDbConnectionString(text);
    ASSERT_FALSE(options.ok()) << text;
    EXPECT_EQ(options.status().message().find("hunter2"), std::string::npos) << options.status().message();
  }
}

TEST(MariaDbOptionsTest, ReadsUrls) {
  sql::MariaDbOptions options = MustParse("mysql://kc:s%40cr%3Bt@db.example.com:3307/keyconnector");
  EXPECT_EQ(options.user, "kc");
  EXPECT_EQ(options.password.view(), "s@cr;t");
  EXPECT_EQ(options.host, "db.example.com");
  EXPECT_EQ(options.port, 3307);
  EXPECT_EQ(options.database, "keyconnector");

  options = MustParse("  MariaDB://kc@[::1]/k%20c?SslMode=Required&MaxPoolSize=4&Connection%20Timeout=2  ");
  EXPECT_EQ(options.host, "::1");
  EXPECT_EQ(options.port, 3306);
  EXPECT_TRUE(options.password.empty());
  EXPECT_EQ(options.database, "k c");
  EXPECT_EQ(options.ssl_mode, sql::MariaDbSslMode::kRequired);
  EXPECT_EQ(options.max_pool_size, 4);
  EXPECT_EQ(options.connect_timeout, std::chrono::seconds(2));

  // An unencoded '@' in the password: the last '@' ends the user information.
  options = MustParse("mysql://u:p@ss@h/d");
  EXPECT_EQ(options.password.view(), "p@ss");
  EXPECT_EQ(options.host, "h");

  options = MustParse("mysql://u:p@%2Frun%2Fmysqld%2Fmysqld.sock/d");
  EXPECT_EQ(options.unix_socket, "/run/mysqld/mysqld.sock");
}

TEST(MariaDbOptionsTest, RefusesMalformedUrls) {
  ExpectRefused("mysql://u:p@h", "no database");
  ExpectRefused("mysql://u:p@h/", "no database");
  ExpectRefused("mysql://h/d", "no user");
  ExpectRefused("mysql://u@h/d/e", "just the database name");
  ExpectRefused("mysql://u@h:port/d", "'port' must be a number");
  ExpectRefused("mysql://u@[::1/d", "unterminated '['");
  ExpectRefused("mysql://u@h/d%2", "bad percent escape");
  ExpectRefused("mysql://u@h/d%00", "NUL");
  ExpectRefused("mysql://u@h/d#frag", "fragment");
  ExpectRefused("mysql://u@h/d?SslMode", "without '='");
  ExpectRefused("mysql://u@h/d?Frobnicate=1", "unknown setting 'frobnicate'");
  ExpectRefused("mysql://u@h/d?Database=e", "'database' and 'database'");
  ExpectRefused("postgresql://u@h/d", "only mysql:// and mariadb://");
}

TEST(MariaDbOptionsTest, CloneCopiesEverything) {
  sql::MariaDbOptions options = MustParse("Server=h;Port=1;Database=d;Uid=u;Pwd=p;SslMode=None;Max Pool Size=3");
  sql::MariaDbOptions copy = options.Clone();
  EXPECT_EQ(copy.host, "h");
  EXPECT_EQ(copy.port, 1);
  EXPECT_EQ(copy.password.view(), "p");
  EXPECT_EQ(copy.ssl_mode, sql::MariaDbSslMode::kNone);
  EXPECT_EQ(copy.max_pool_size, 3);
}

}  // namespace
}  // namespace keywarden::sql
