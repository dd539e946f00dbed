// The server's list settings as they are read: who may sign up and who may create
// organisations, from KEYWARDEN_* variables (the same rows read the TOML file).
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "server/config/server_config.h"

namespace keywarden::server {
namespace {

Result<ServerConfig> Load(std::vector<std::pair<std::string, std::string>> environment) {
  environment.emplace_back("KEYWARDEN_PUBLIC_URL", "https://vault.example.com");
  return LoadServerConfig(std::nullopt, environment);
}

TEST(ServerConfigTest, OrganizationCreatorsAreEveryoneNobodyOrAddresses) {
  using Creators = ServerConfig::Organizations::Creators;
  auto defaults = Load({});
  ASSERT_TRUE(defaults.ok()) << defaults.status().message();
  EXPECT_EQ(defaults->organizations.creators, Creators::kEveryone);
  auto nobody = Load({{"KEYWARDEN_ORGANIZATIONS_CREATORS", "nobody"}});
  ASSERT_TRUE(nobody.ok());
  EXPECT_EQ(nobody->organizations.creators, Creators::kNobody);
  auto listed = Load({{"KEYWARDEN_ORGANIZATIONS_CREATORS", " Admin@Example.com,, it@example.org "}});
  ASSERT_TRUE(listed.ok()) << listed.status().message();
  EXPECT_EQ(listed->organizations.creators, Creators::kListed);
  EXPECT_EQ(listed->organizations.creator_emails, (std::vector<std::string>{"admin@example.com", "it@example.org"}));
  for (const char* bad : {"anyone", "admin", "@example.com", ",", "a@b/c.d"}) {
    auto refused = Load({{"KEYWARDEN_ORGANIZATIONS_CREATORS", bad}});
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_NE(refused.status().message().find("KEYWARDEN_ORGANIZATIONS_CREATORS"), std::string::npos)
        << refused.status().message();
  }
}

TEST(ServerConfigTest, SignupDomainsAreLowerCasedWithoutTheirAt) {
  auto loaded = Load({{"KEYWARDEN_ACCOUNTS_SIGNUPS", "domains"},
                      {"KEYWARDEN_ACCOUNTS_SIGNUP_DOMAINS", "@Example.com, example.ORG ,"}});
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->accounts.signup_domains, (std::vector<std::string>{"example.com", "example.org"}));
  EXPECT_FALSE(Load({{"KEYWARDEN_ACCOUNTS_SIGNUP_DOMAINS", "a@example.com"}}).ok());
  EXPECT_FALSE(Load({{"KEYWARDEN_ACCOUNTS_SIGNUP_DOMAINS", "localhost"}}).ok());
}

}  // namespace
}  // namespace keywarden::server
