// The database settings for PostgreSQL and MySQL: the reference's variables, ours and TOML, and
// connection strings treated as the secrets they are.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "connector/config/connector_config.h"
#include "support/temp_dir.h"

namespace keywarden::connector {
namespace {

using Env = std::vector<std::pair<std::string, std::string>>;
using keywarden::testing::TempDir;

constexpr char kSecret[] = "Db-S3cret-Passw0rd";

Result<ConnectorConfig> Load(Env env, std::optional<std::string> toml = std::nullopt) {
  env.insert(env.begin(), {"KEYWARDEN_IDENTITY_SERVER_URI", "https://identity.example.com"});
  return LoadConnectorConfig(toml, env);
}

std::string ErrorOf(const Result<ConnectorConfig>& result) {
  EXPECT_FALSE(result.ok());
  if (result.ok()) return "";
  EXPECT_EQ(result.status().message().find(kSecret), std::string::npos) << result.status().message();
  return result.status().message();
}

TEST(DatabaseConfigTest, TheReferencesPostgresqlVariables) {
  const std::string connection =
      std::string("Host=db.example.com;Port=5433;Database=keys;Username=kc;Password=") + kSecret;
  auto config = Load({{"keyConnectorSettings__database__provider", "postgresql"},
                      {"keyConnectorSettings__database__postgreSqlConnectionString", connection}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->database.provider, config::DatabaseProvider::kPostgresql);
  EXPECT_EQ(config->database.postgresql, connection);
  EXPECT_EQ(config->database.connections, 8u);

  const std::string description = DescribeConfig(*config);
  EXPECT_NE(description.find("database: postgresql db.example.com:5433/keys, pool of 8\n"), std::string::npos)
      << description;
  EXPECT_EQ(description.find(kSecret), std::string::npos);
  EXPECT_EQ(description.find("kc"), std::string::npos) << description;
}

TEST(DatabaseConfigTest, TheReferencesMysqlVariables) {
  auto config = Load({{"KEYCONNECTORSETTINGS__DATABASE__PROVIDER", "MySql"},
                      {"keyConnectorSettings__database__mySqlConnectionString",
                       std::string("Server=db.example.com;Port=3307;Database=keys;Uid=kc;Pwd=") + kSecret}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->database.provider, config::DatabaseProvider::kMysql);
  const std::string description = DescribeConfig(*config);
  EXPECT_NE(description.find("database: mysql db.example.com:3307/keys"), std::string::npos) << description;
  EXPECT_EQ(description.find(kSecret), std::string::npos);
}

TEST(DatabaseConfigTest, OurVariablesAndTomlWithUrlsAndPoolSize) {
  auto config = Load({{"KEYWARDEN_DATABASE_PROVIDER", "postgresql"},
                      {"KEYWARDEN_DATABASE_POSTGRESQL", std::string("postgresql://kc:") + kSecret + "@db:6000/k"},
                      {"KEYWARDEN_DATABASE_CONNECTIONS", "3"}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->database.connections, 3u);
  EXPECT_NE(DescribeConfig(*config).find("database: postgresql db:6000/k, pool of 3\n"), std::string::npos);

  // The connection string's own pool size wins over database.connections.
  TempDir dir;
  const std::string path = dir.File("connector.toml");
  std::ofstream(path) << "[database]\nprovider = \"postgresql\"\nconnections = 5\n"
                      << "postgresql = \"Host=db;Database=k;Password=" << kSecret << ";Max Pool Size=11\"\n"
                      << "mysql = \"mysql://kc@db/k\"\n";
  config = Load({}, path);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->database.connections, 5u);
  EXPECT_EQ(config->database.mysql, "mysql://kc@db/k");
  EXPECT_NE(DescribeConfig(*config).find("database: postgresql db:5432/k, pool of 11\n"), std::string::npos);
}

TEST(DatabaseConfigTest, TheProvidersConnectionStringIsRequired) {
  EXPECT_EQ(ErrorOf(Load({{"keyConnectorSettings__database__provider", "postgresql"}})),
            "keyConnectorSettings__database__provider is postgresql but database.postgresql is not set "
            "(KEYWARDEN_DATABASE_POSTGRESQL or keyConnectorSettings__database__postgreSqlConnectionString)");
  EXPECT_EQ(ErrorOf(Load({{"KEYWARDEN_DATABASE_PROVIDER", "mysql"}, {"KEYWARDEN_DATABASE_POSTGRESQL", "Host=db"}})),
            "KEYWARDEN_DATABASE_PROVIDER is mysql but database.mysql is not set "
            "(KEYWARDEN_DATABASE_MYSQL or keyConnectorSettings__database__mySqlConnectionString)");
  // A connection string for a provider not in use is kept, not required to parse.
  EXPECT_TRUE(Load({{"KEYWARDEN_DATABASE_MYSQL", "not parsed"}}).ok());
}

TEST(DatabaseConfigTest, MalformedConnectionStringsNameTheSettingAndKeyNeverTheValue) {
  EXPECT_EQ(ErrorOf(Load({{"keyConnectorSettings__database__provider", "postgresql"},
                          {"keyConnectorSettings__database__postgreSqlConnectionString",
                           std::string("Host=db;Password=") + kSecret + ";Multiplexing=true"}})),
            "keyConnectorSettings__database__postgreSqlConnectionString: unsupported PostgreSQL connection string "
            "setting 'multiplexing'");
  EXPECT_EQ(ErrorOf(Load({{"KEYWARDEN_DATABASE_PROVIDER", "postgresql"},
                          {"KEYWARDEN_DATABASE_POSTGRESQL", std::string("Host=db;Password=") + kSecret + ";Port=x"}})),
            "KEYWARDEN_DATABASE_POSTGRESQL: PostgreSQL connection string setting 'port' must be an integer from 1 to "
            "65535");
  const std::string mysql =
      ErrorOf(Load({{"KEYWARDEN_DATABASE_PROVIDER", "mysql"},
                    {"KEYWARDEN_DATABASE_MYSQL", std::string("Server=db;Pwd=") + kSecret + ";Frobnicate=1"}}));
  EXPECT_TRUE(mysql.starts_with("KEYWARDEN_DATABASE_MYSQL: ")) << mysql;
  EXPECT_EQ(ErrorOf(Load({{"KEYWARDEN_DATABASE_CONNECTIONS", "0"}})),
            "KEYWARDEN_DATABASE_CONNECTIONS must be an integer from 1 to 1000");

  // A TOML syntax error on a connection string's line does not quote it.
  TempDir dir;
  const std::string path = dir.File("connector.toml");
  std::ofstream(path) << "[database]\npostgresql = \"postgresql://kc:" << kSecret << "@db/k\" oops\n";
  const std::string error = ErrorOf(Load({}, path));
  EXPECT_NE(error.find("details withheld"), std::string::npos) << error;
}

}  // namespace
}  // namespace keywarden::connector
