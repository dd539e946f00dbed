#include "sql/sqlite/sqlite_path.h"

#include <gtest/gtest.h>

namespace keywarden::sql {
namespace {

TEST(SqlitePathTest, ReadsTheReferenceForm) {
  auto path = sql::ParseSqliteConnectionString("Data Source=/etc/bitwarden/data.db");
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_EQ(*path, "/etc/bitwarden/data.db");
}

TEST(SqlitePathTest, KeysAreCaseInsensitiveAndSpacesTrimmed) {
  for (const char* s : {"data source=/d/k.db", "DATA SOURCE = /d/k.db", "  DataSource=/d/k.db  ", "filename=/d/k.db",
                        "Filename =\t/d/k.db ;", ";Data Source=/d/k.db;;"}) {
    auto path = sql::ParseSqliteConnectionString(s);
    ASSERT_TRUE(path.ok()) << s << ": " << path.status().ToString();
    EXPECT_EQ(*path, "/d/k.db") << s;
  }
}

TEST(SqlitePathTest, KeepsSpacesInsideThePath) {
  auto path = sql::ParseSqliteConnectionString("Data Source=/srv/key connector/data.db");
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(*path, "/srv/key connector/data.db");
}

TEST(SqlitePathTest, RefusesOtherSettingsByName) {
  for (const char* key : {"Mode", "Cache", "Password", "Foreign Keys"}) {
    const std::string s = std::string("Data Source=/d/k.db;") + key + "=secret-value";
    auto path = sql::ParseSqliteConnectionString(s);
    ASSERT_FALSE(path.ok()) << s;
    EXPECT_EQ(path.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(path.status().message(), std::string("unsupported SQLite connection string setting '") + key + "'");
    EXPECT_EQ(path.status().message().find("secret-value"), std::string::npos);
  }
}

TEST(SqlitePathTest, RefusesMalformedStrings) {
  for (const char* s : {"", "   ", ";", "Data Source=", "Data Source=  ", "/etc/bitwarden/data.db",
                        "Data Source=/a.db;Filename=/b.db", "=/d/k.db"}) {
    auto path = sql::ParseSqliteConnectionString(s);
    ASSERT_FALSE(path.ok()) << "'" << s << "'";
    EXPECT_EQ(path.status().code(), ErrorCode::kInvalidArgument);
  }
}

TEST(SqlitePathTest, TokenWithoutEqualsIsNotEchoed) {
  auto path = sql::ParseSqliteConnectionString("Data Source=/d/k.db;hunter2");
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.status().message().find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace keywarden::sql
