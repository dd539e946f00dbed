// The connector's configuration reaches a real MariaDB: the reference's variables for a MySQL
// database, through OpenKeyStore, to a working store.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "connector/config/connector_config.h"
#include "connector/store/open_key_store.h"
#include "support/mariadb_server.h"

namespace keywarden::connector {
namespace {

using Env = std::vector<std::pair<std::string, std::string>>;

Result<ConnectorConfig> Load(const std::string& connection_string) {
  const Env env = {{"keyConnectorSettings__identityServerUri", "https://identity.example.com"},
                   {"keyConnectorSettings__database__provider", "mysql"},
                   {"keyConnectorSettings__database__mySqlConnectionString", connection_string}};
  return LoadConnectorConfig(std::nullopt, env);
}

TEST(MariaDbKeyStoreFactoryTest, TheReferencesVariablesOpenAWorkingStore) {
  KW_REQUIRE_MARIADB(server);
  auto database = server->CreateDatabase();
  ASSERT_TRUE(database.ok()) << database.status().ToString();
  auto config = Load(server->ConnectionString(*database));
  ASSERT_TRUE(config.ok()) << config.status().ToString();

  auto store = OpenKeyStore(config->database);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_TRUE((*store)->Ping().ok());
  connector::store::UserKeyRecord record;
  record.user_id = "a09726a0-9590-49d1-a5f5-afe300b6a515";
  record.sealed.assign(60, 0x42);
  record.data_key_version = 1;
  record.creation_date = 1000;
  ASSERT_TRUE((*store)->InsertUserKey(record).ok());
  EXPECT_EQ((*store)->GetUserKey(record.user_id)->sealed, record.sealed);
  EXPECT_EQ((*store)->SchemaVersion().value(), 2);
}

TEST(MariaDbKeyStoreFactoryTest, AWrongPasswordStopsStartUpWithoutShowingIt) {
  KW_REQUIRE_MARIADB(server);
  auto database = server->CreateDatabase();
  ASSERT_TRUE(database.ok()) << database.status().ToString();
  const std::string url =
      "mysql://" + server->user() + ":Wr0ng-Passw0rd@127.0.0.1:" + std::to_string(server->port()) + "/" + *database;
  auto config = Load(url);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  auto store = OpenKeyStore(config->database);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(store.status().message().find("Access denied"), std::string::npos) << store.status().message();
  EXPECT_EQ(store.status().message().find("Wr0ng-Passw0rd"), std::string::npos);
}

}  // namespace
}  // namespace keywarden::connector
