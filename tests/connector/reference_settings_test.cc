// The reference's settings file, as `connector import-reference --from` reads it.
#include "connector/reference/reference_settings.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.h"

namespace keywarden::connector {
namespace {

using keywarden::testing::TempDir;

class ReferenceSettingsTest : public ::testing::Test {
 protected:
  Result<ReferenceSettings> Load(const std::string& text) {
    std::ofstream(path_) << text;
    auto file = ReadSettingsFile(path_);
    if (!file.ok()) return file.status();
    return LoadReferenceSettings(*file);
  }

  TempDir dir_;
  std::string path_ = dir_.File("key-connector.env");
};

TEST_F(ReferenceSettingsTest, DefaultsAreTheReferences) {
  auto settings = Load("");
  ASSERT_TRUE(settings.ok()) << settings.status().ToString();
  EXPECT_EQ(settings->database_provider, "json");
  EXPECT_EQ(settings->json_file_path, "/etc/bitwarden/data.json");
  EXPECT_EQ(settings->rsa_key.provider, custody::RsaKeySettings::Provider::kFile);
  EXPECT_EQ(settings->rsa_key.key_file, "/etc/bitwarden/key.pfx");
  EXPECT_FALSE(settings->rsa_key.key_password.has_value());
}

TEST_F(ReferenceSettingsTest, ReadsTheDatabaseAndKeyAndIgnoresTheRest) {
  auto settings = Load(
      "# comment\r\n"
      "\n"
      "  keyConnectorSettings__database__provider = SQLite\r\n"
      "KEYCONNECTORSETTINGS__DATABASE__SQLITECONNECTIONSTRING=Data Source=/data/kc.db\n"
      "keyConnectorSettings__webVaultUri=https://vault.example.com\n"
      "keyConnectorSettings__transferTo__lockfilePath=/etc/bitwarden/transfer.lock\n"
      "ASPNETCORE_ENVIRONMENT=Production\n"
      "keyConnectorSettings__rsaKey__provider=certificate\n"
      "keyConnectorSettings__certificate__provider=filesystem\n"
      "keyConnectorSettings__certificate__filesystemPath=/keys/key.pfx\n"
      "keyConnectorSettings__certificate__filesystemPassword=p=w \"quoted\"\n");
  ASSERT_TRUE(settings.ok()) << settings.status().ToString();
  EXPECT_EQ(settings->database_provider, "sqlite");
  EXPECT_EQ(settings->sqlite_path, "/data/kc.db");
  EXPECT_EQ(settings->rsa_key.key_file, "/keys/key.pfx");
  ASSERT_TRUE(settings->rsa_key.key_password.has_value());
  EXPECT_EQ(settings->rsa_key.key_password->view(), "p=w \"quoted\"");  // kept as written, as docker does
}

TEST_F(ReferenceSettingsTest, ReadsTheServersConnectionStrings) {
  auto settings = Load(
      "keyConnectorSettings__database__provider=postgresql\n"
      "keyConnectorSettings__database__postgreSqlConnectionString=Host=db;Database=kc;Password=a=b\n"
      "keyConnectorSettings__database__mySqlConnectionString=not used\n");
  ASSERT_TRUE(settings.ok()) << settings.status().ToString();
  EXPECT_EQ(settings->database_provider, "postgresql");
  EXPECT_EQ(settings->connection_string, "Host=db;Database=kc;Password=a=b");
}

TEST_F(ReferenceSettingsTest, ErrorsNameTheLineOrSettingNeverAValue) {
  auto no_equals = Load("keyConnectorSettings__database__provider=json\nsecret-looking-line\n");
  ASSERT_FALSE(no_equals.ok());
  EXPECT_NE(no_equals.status().message().find("line 2"), std::string::npos);
  EXPECT_EQ(no_equals.status().message().find("secret-looking-line"), std::string::npos);

  auto twice = Load("keyConnectorSettings__database__provider=json\nKEYCONNECTORSETTINGS__DATABASE__PROVIDER=json\n");
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("twice"), std::string::npos);

  auto bad_sqlite = Load(
      "keyConnectorSettings__database__provider=sqlite\n"
      "keyConnectorSettings__database__sqliteConnectionString=Data Source=x.db;Password=hunter2\n");
  ASSERT_FALSE(bad_sqlite.ok());
  EXPECT_EQ(bad_sqlite.status().message().find("hunter2"), std::string::npos);

  auto no_sqlite = Load("keyConnectorSettings__database__provider=sqlite\n");
  ASSERT_FALSE(no_sqlite.ok());
  EXPECT_NE(no_sqlite.status().message().find("sqliteConnectionString"), std::string::npos);

  auto no_postgres = Load("keyConnectorSettings__database__provider=postgresql\n");
  ASSERT_FALSE(no_postgres.ok());
  EXPECT_NE(no_postgres.status().message().find("postgreSqlConnectionString"), std::string::npos);

  auto bad_mysql = Load(
      "keyConnectorSettings__database__provider=mysql\n"
      "keyConnectorSettings__database__mySqlConnectionString=Server=db;Bogus=1;Pwd=hunter2\n");
  ASSERT_FALSE(bad_mysql.ok());
  EXPECT_NE(bad_mysql.status().message().find("mySqlConnectionString"), std::string::npos);
  EXPECT_EQ(bad_mysql.status().message().find("hunter2"), std::string::npos);

  auto unknown = Load("keyConnectorSettings__database__provider=oracle\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), ErrorCode::kInvalidArgument);

  auto cloud = Load("keyConnectorSettings__rsaKey__provider=awskms\n");
  ASSERT_FALSE(cloud.ok());
  EXPECT_EQ(cloud.status().code(), ErrorCode::kUnsupported);

  std::filesystem::remove(path_);
  auto missing = ReadSettingsFile(path_);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find(path_), std::string::npos);
}

}  // namespace
}  // namespace keywarden::connector
