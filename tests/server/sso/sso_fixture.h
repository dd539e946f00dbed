// Test support for single sign-on configuration: an organisation fixture with the body the web
// admin console sends (libs/common sso-config.api.ts fromView: OpenID Connect members only) and
// helpers to read the result back through the API and the events table.
#ifndef KEYWARDEN_TESTS_SERVER_SSO_SSO_FIXTURE_H_
#define KEYWARDEN_TESTS_SERVER_SSO_SSO_FIXTURE_H_

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <set>
#include <string>

#include "server/organizations/organization_fixture.h"
#include "server/store/server_database.h"

namespace keywarden::server::testing {

class SsoTest : public OrganizationTest {
 protected:
  // POST /api/organizations/{id}/sso as the admin console sends it for OpenID Connect.
  static nlohmann::json ConsoleBody(const std::string& identifier, int decryption = 0, bool enabled = true) {
    return {{"enabled", enabled},
            {"identifier", identifier},
            {"data",
             {{"configType", 1},
              {"memberDecryptionType", decryption},
              {"keyConnectorUrl", decryption == 1 ? nlohmann::json("https://kc.example.com") : nlohmann::json()},
              {"authority", "https://idp.example.com/realms/acme"},
              {"clientId", "keywarden"},
              {"clientSecret", "s3cret-of-the-provider"},
              {"metadataAddress", nullptr},
              {"redirectBehavior", 1},
              {"getClaimsFromUserInfoEndpoint", true},
              {"additionalScopes", "groups, offline"},
              {"additionalUserIdClaimTypes", "oid"},
              {"additionalEmailClaimTypes", "upn,mail"},
              {"additionalNameClaimTypes", "display_name"},
              {"acrValues", nullptr},
              {"expectedReturnAcrValue", nullptr}}}};
  }

  std::string SsoPath(const TestOrganization& organization) { return "/api/organizations/" + organization.id + "/sso"; }

  TestResponse SaveSso(const TestOrganization& organization, const TestAccount& caller, const nlohmann::json& body) {
    return Post(SsoPath(organization), body, caller.access_token);
  }

  nlohmann::json ReadSso(const TestOrganization& organization, const TestAccount& caller) {
    const TestResponse answer = Send("GET", SsoPath(organization), "", caller.access_token);
    EXPECT_EQ(answer.status, 200) << answer.body;
    return answer.json();
  }

  TestResponse SetPolicy(const TestOrganization& organization, const TestAccount& caller, int type, bool enabled,
                         const nlohmann::json& data = nullptr) {
    return Send("PUT", "/api/organizations/" + organization.id + "/policies/" + std::to_string(type),
                nlohmann::json{{"policy", {{"enabled", enabled}, {"data", data}}}}.dump(), caller.access_token);
  }

  nlohmann::json Policy(const TestOrganization& organization, const TestAccount& caller, int type) {
    const TestResponse answer = Send(
        "GET", "/api/organizations/" + organization.id + "/policies/" + std::to_string(type), "", caller.access_token);
    EXPECT_EQ(answer.status, 200) << answer.body;
    return answer.json();
  }

  // The profile's entry for the organisation, as the account's sync carries it.
  nlohmann::json ProfileEntry(const TestAccount& account, const std::string& organization_id) {
    const nlohmann::json sync = Sync(account);
    for (const auto& organization : sync["profile"]["organizations"]) {
      if (organization.value("id", "") == organization_id) return organization;
    }
    ADD_FAILURE() << organization_id << " is not in the profile";
    return nullptr;
  }

  // Runs `statement` on the server's database (for what no route sets yet, and to look at rows).
  sql::Rows Query(const sql::Statement& statement, const sql::Params& params) {
    auto database = OpenServerDatabase(config_->database);
    EXPECT_TRUE(database.ok());
    sql::Rows out;
    const Status done = (*database)->Transact([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(out, session.Execute(statement, params));
      return OkStatus();
    });
    EXPECT_TRUE(done.ok()) << done.message();
    return out;
  }

  // The organisation's event numbers (events of one request share a date, so no order).
  std::multiset<int> EventTypes(const std::string& organization_id) {
    static constexpr sql::Statement kEvents = {"test_sso_events", "SELECT type FROM events WHERE organization_id = $1",
                                               nullptr, nullptr, "to read events"};
    service_->events().Flush();
    const sql::Rows rows = Query(kEvents, sql::Params().Text(organization_id));
    std::multiset<int> out;
    for (std::size_t i = 0; i < rows.size(); ++i) out.insert(static_cast<int>(*rows.Int(i, 0)));
    return out;
  }
};

}  // namespace keywarden::server::testing

#endif  // KEYWARDEN_TESTS_SERVER_SSO_SSO_FIXTURE_H_
