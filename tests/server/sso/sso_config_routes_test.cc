// GET and POST /api/organizations/{id}/sso (docs member-decryption.md 5 and 7) on SQLite and
// PostgreSQL: the configuration round trip as the web admin console sends and reads it, what
// the members' profiles then carry, and every refusal with its message.
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <set>
#include <string>

#include "server/sso/sso_config_store.h"
#include "server/sso/sso_fixture.h"

namespace keywarden::server::testing {
namespace {

class SsoConfigRoutesTest : public SsoTest {};
KW_SERVER_TEST_ON_EACH_DATABASE(SsoConfigRoutesTest);

// The 400 of a field error: the field named in validationErrors.
void ExpectFieldError(const TestResponse& answer, const std::string& field) {
  EXPECT_EQ(answer.status, 400) << answer.body;
  const nlohmann::json body = answer.json();
  EXPECT_TRUE(body["validationErrors"].contains(field)) << answer.body;
}

TEST_P(SsoConfigRoutesTest, NeverSavedReadsAsDisabledWithTheCallbackUrl) {
  TestAccount owner = NewUser("owner@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  const nlohmann::json sso = ReadSso(organization, owner);
  EXPECT_EQ(sso["object"], "organizationSso");
  EXPECT_EQ(sso["enabled"], false);
  EXPECT_TRUE(sso["identifier"].is_null());
  EXPECT_TRUE(sso["data"].is_null());
  EXPECT_EQ(sso["urls"]["callbackPath"], config_->public_url + "/sso/oidc-signin");
  EXPECT_EQ(sso["urls"]["signedOutCallbackPath"], config_->public_url + "/sso/oidc-signedout");
  EXPECT_EQ(sso["urls"]["spEntityId"], config_->public_url + "/sso/saml2/" + organization.id);
}

TEST_P(SsoConfigRoutesTest, RoundTripAsTheAdminConsoleSendsIt) {
  TestAccount owner = NewUser("owner@example.com");
  TestAccount member = NewUser("member@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  AddMember(organization, owner, member, 2);

  const TestResponse saved = SaveSso(organization, owner, ConsoleBody("Acme-SSO"));
  ASSERT_EQ(saved.status, 200) << saved.body;
  for (const nlohmann::json& sso : {saved.json(), ReadSso(organization, owner)}) {
    EXPECT_EQ(sso["object"], "organizationSso");
    EXPECT_EQ(sso["enabled"], true);
    EXPECT_EQ(sso["identifier"], "Acme-SSO");
    const nlohmann::json& data = sso["data"];
    EXPECT_EQ(data["configType"], 1);
    EXPECT_EQ(data["memberDecryptionType"], 0);
    EXPECT_EQ(data["keyConnectorEnabled"], false);
    EXPECT_TRUE(data["keyConnectorUrl"].is_null());
    EXPECT_EQ(data["authority"], "https://idp.example.com/realms/acme");
    EXPECT_EQ(data["clientId"], "keywarden");
    // The reference answers the secret to those who may edit it; the admin console shows it.
    EXPECT_EQ(data["clientSecret"], "s3cret-of-the-provider");
    EXPECT_TRUE(data["metadataAddress"].is_null());
    EXPECT_EQ(data["redirectBehavior"], 1);
    EXPECT_EQ(data["getClaimsFromUserInfoEndpoint"], true);
    EXPECT_EQ(data["additionalScopes"], "groups, offline");
    EXPECT_EQ(data["additionalUserIdClaimTypes"], "oid");
    EXPECT_EQ(data["additionalEmailClaimTypes"], "upn,mail");
    EXPECT_EQ(data["additionalNameClaimTypes"], "display_name");
    // SAML members with the reference's defaults, for the console's form.
    EXPECT_EQ(data["spOutboundSigningAlgorithm"], "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256");
    EXPECT_TRUE(data["idpEntityId"].is_null());
  }

  // Members' clients read the settings from their profile.
  for (const TestAccount* account : {&owner, &member}) {
    const nlohmann::json entry = ProfileEntry(*account, organization.id);
    EXPECT_EQ(entry["identifier"], "Acme-SSO");
    EXPECT_EQ(entry["useSso"], true);
    EXPECT_EQ(entry["ssoEnabled"], true);
    EXPECT_EQ(entry["ssoBound"], false);
    EXPECT_EQ(entry["ssoMemberDecryptionType"], 0);
    EXPECT_EQ(entry["keyConnectorEnabled"], false);
    EXPECT_TRUE(entry["keyConnectorUrl"].is_null());
  }
  const TestResponse listed = Send("GET", "/api/organizations", "", member.access_token);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.json()["data"][0]["ssoEnabled"], true);

  // Saving again replaces: disabled, identifier cleared, older keyConnectorEnabled form.
  nlohmann::json body = ConsoleBody("");
  body["enabled"] = false;
  body["identifier"] = nullptr;
  body["data"].erase("memberDecryptionType");
  body["data"]["keyConnectorEnabled"] = false;
  ASSERT_EQ(SaveSso(organization, owner, body).status, 200);
  const nlohmann::json again = ReadSso(organization, owner);
  EXPECT_EQ(again["enabled"], false);
  EXPECT_TRUE(again["identifier"].is_null());
  EXPECT_EQ(ProfileEntry(member, organization.id)["ssoEnabled"], false);
  // The configuration is read whether enabled or not, as the reference's profile does.
  EXPECT_EQ(ProfileEntry(member, organization.id)["ssoMemberDecryptionType"], 0);
}

TEST_P(SsoConfigRoutesTest, MemberNamesMatchWithoutRegardToCase) {
  TestAccount owner = NewUser("owner@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  const nlohmann::json body = {
      {"Enabled", true},
      {"Identifier", "acme"},
      {"Data",
       {{"ConfigType", 1}, {"Authority", "https://idp.example.com"}, {"ClientId", "kw"}, {"ClientSecret", "x"}}}};
  ASSERT_EQ(SaveSso(organization, owner, body).status, 200);
  EXPECT_EQ(ReadSso(organization, owner)["data"]["clientId"], "kw");
}

TEST_P(SsoConfigRoutesTest, BadInputIsRefusedAndNothingChanges) {
  TestAccount owner = NewUser("owner@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  ASSERT_EQ(SaveSso(organization, owner, ConsoleBody("acme")).status, 200);

  const auto with = [](const char* member, const nlohmann::json& value) {
    nlohmann::json body = ConsoleBody("acme");
    body["data"][member] = value;
    return body;
  };
  // SAML is refused with a message that says what is supported.
  const TestResponse saml = SaveSso(organization, owner, with("configType", 2));
  ExpectFieldError(saml, "Data.ConfigType");
  EXPECT_NE(saml.json()["validationErrors"]["Data.ConfigType"][0].get<std::string>().find("OpenID Connect"),
            std::string::npos);
  ExpectFieldError(SaveSso(organization, owner, with("configType", 7)), "Data.ConfigType");
  ExpectFieldError(SaveSso(organization, owner, with("memberDecryptionType", 3)), "Data.MemberDecryptionType");
  ExpectFieldError(SaveSso(organization, owner, with("memberDecryptionType", "1")), "Data.MemberDecryptionType");
  ExpectFieldError(SaveSso(organization, owner, with("authority", "not a url")), "Data.Authority");
  ExpectFieldError(SaveSso(organization, owner, with("authority", "http://idp.example.com")), "Data.Authority");
  ExpectFieldError(SaveSso(organization, owner, with("authority", "ftp://idp.example.com")), "Data.Authority");
  ExpectFieldError(SaveSso(organization, owner, with("authority", "  ")), "Data.Authority");
  ExpectFieldError(SaveSso(organization, owner, with("clientId", nullptr)), "Data.ClientId");
  ExpectFieldError(SaveSso(organization, owner, with("clientSecret", "")), "Data.ClientSecret");
  ExpectFieldError(SaveSso(organization, owner, with("metadataAddress", "https://idp.example.com/#x")),
                   "Data.MetadataAddress");
  ExpectFieldError(SaveSso(organization, owner, with("redirectBehavior", 2)), "Data.RedirectBehavior");
  nlohmann::json key_connector = with("memberDecryptionType", 1);
  key_connector["data"]["keyConnectorUrl"] = nullptr;
  ExpectFieldError(SaveSso(organization, owner, key_connector), "Data.KeyConnectorUrl");
  key_connector["data"]["keyConnectorUrl"] = "http://kc.example.com";
  ExpectFieldError(SaveSso(organization, owner, key_connector), "Data.KeyConnectorUrl");
  nlohmann::json long_identifier = ConsoleBody(std::string(51, 'a'));
  ExpectFieldError(SaveSso(organization, owner, long_identifier), "Identifier");
  nlohmann::json no_data = ConsoleBody("acme");
  no_data.erase("data");
  ExpectFieldError(SaveSso(organization, owner, no_data), "Data");
  EXPECT_EQ(Send("POST", SsoPath(organization), "{not json", owner.access_token).status, 400);
  EXPECT_EQ(Send("POST", SsoPath(organization), "[]", owner.access_token).status, 400);

  // Plain http is for a provider on this machine only (local tests).
  ASSERT_EQ(SaveSso(organization, owner, with("authority", "http://127.0.0.1:9/realm")).status, 200);
  EXPECT_EQ(ReadSso(organization, owner)["data"]["authority"], "http://127.0.0.1:9/realm");
}

TEST_P(SsoConfigRoutesTest, AnIdentifierBelongsToOneOrganizationWhateverItsCase) {
  TestAccount owner = NewUser("owner@example.com");
  const TestOrganization first = NewOrganizationOf(owner, "First");
  const TestOrganization second = NewOrganizationOf(owner, "Second");
  ASSERT_EQ(SaveSso(first, owner, ConsoleBody("Acme")).status, 200);

  const TestResponse taken = SaveSso(second, owner, ConsoleBody("aCME"));
  EXPECT_EQ(taken.status, 400) << taken.body;
  EXPECT_EQ(taken.json()["message"], "Identifier already in use by another organization.");
  // Refused as a whole: the second organisation has no configuration.
  EXPECT_TRUE(ReadSso(second, owner)["data"].is_null());
  EXPECT_TRUE(ReadSso(second, owner)["identifier"].is_null());
  // The holder may change its own identifier's case.
  ASSERT_EQ(SaveSso(first, owner, ConsoleBody("ACME")).status, 200);
  EXPECT_EQ(ReadSso(first, owner)["identifier"], "ACME");
}

TEST_P(SsoConfigRoutesTest, TrustedDevicesTurnsOnItsPoliciesAndKeepsThemOn) {
  TestAccount owner = NewUser("owner@example.com");
  TestAccount member = NewUser("member@example.com");
  TestAccount elsewhere = NewUser("elsewhere@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  const TestOrganization other = NewOrganizationOf(elsewhere, "Other");
  AddMember(organization, owner, member, 2);
  const std::string member_elsewhere = AddMember(organization, owner, elsewhere, 2);

  ASSERT_EQ(SaveSso(organization, owner, ConsoleBody("acme", 2)).status, 200);
  EXPECT_EQ(Policy(organization, owner, 3)["enabled"], true);
  EXPECT_EQ(Policy(organization, owner, 4)["enabled"], true);
  const nlohmann::json recovery = Policy(organization, owner, 8);
  EXPECT_EQ(recovery["enabled"], true);
  EXPECT_EQ(recovery["data"]["autoEnrollEnabled"], true);
  EXPECT_EQ(ProfileEntry(member, organization.id)["ssoMemberDecryptionType"], 2);
  // Single organisation is enforced as when an administrator turns it on: a member (not an
  // owner) of another organisation is revoked.
  const TestResponse details =
      Send("GET", "/api/organizations/" + organization.id + "/users/" + member_elsewhere, "", owner.access_token);
  ASSERT_EQ(details.status, 200) << details.body;
  EXPECT_EQ(details.json()["status"], -1);

  // While it is on, account recovery and require single sign-on stay on, with the reference's message.
  const std::string refusal = "Trusted device encryption is on and requires this policy.";
  for (const TestResponse& answer :
       {SetPolicy(organization, owner, 8, false),
        SetPolicy(organization, owner, 8, true, {{"autoEnrollEnabled", false}}),
        SetPolicy(organization, owner, 8, true), SetPolicy(organization, owner, 4, false)}) {
    EXPECT_EQ(answer.status, 400) << answer.body;
    EXPECT_EQ(answer.json()["message"], refusal);
  }
  EXPECT_EQ(Policy(organization, owner, 8)["data"]["autoEnrollEnabled"], true);
  // Saving it again with automatic enrolment on is allowed.
  EXPECT_EQ(SetPolicy(organization, owner, 8, true, {{"autoEnrollEnabled", true}}).status, 200);

  // Once single sign-on is off, the policies are the administrators' again.
  ASSERT_EQ(SaveSso(organization, owner, ConsoleBody("acme", 2, /*enabled=*/false)).status, 200);
  EXPECT_EQ(SetPolicy(organization, owner, 8, false).status, 200);
  EXPECT_EQ(SetPolicy(organization, owner, 4, false).status, 200);
  (void)other;
}

constexpr sql::Statement kUseKeyConnector = {"test_use_key_connector",
                                             "UPDATE users SET uses_key_connector = 1 WHERE id = $1", nullptr, nullptr,
                                             "to mark an account as a Key Connector user"};

TEST_P(SsoConfigRoutesTest, KeyConnectorNeedsItsPoliciesAndStaysWhileMembersUseIt) {
  TestAccount owner = NewUser("owner@example.com");
  TestAccount member = NewUser("member@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  AddMember(organization, owner, member, 2);

  const auto expect_refused = [&](const nlohmann::json& body, const std::string& message) {
    const TestResponse answer = SaveSso(organization, owner, body);
    EXPECT_EQ(answer.status, 400) << answer.body;
    EXPECT_EQ(answer.json()["message"], message);
  };
  expect_refused(ConsoleBody("acme", 1), "Key Connector requires the Single Organization policy to be enabled.");
  ASSERT_EQ(SetPolicy(organization, owner, 3, true).status, 200);
  expect_refused(ConsoleBody("acme", 1),
                 "Key Connector requires the Single Sign-On Authentication policy to be enabled.");
  ASSERT_EQ(SetPolicy(organization, owner, 4, true).status, 200);
  expect_refused(ConsoleBody("acme", 1, /*enabled=*/false), "You must enable SSO to use Key Connector.");
  EXPECT_TRUE(ReadSso(organization, owner)["data"].is_null());

  ASSERT_EQ(SaveSso(organization, owner, ConsoleBody("acme", 1)).status, 200);
  const nlohmann::json entry = ProfileEntry(member, organization.id);
  EXPECT_EQ(entry["keyConnectorEnabled"], true);
  EXPECT_EQ(entry["keyConnectorUrl"], "https://kc.example.com");
  EXPECT_EQ(entry["ssoMemberDecryptionType"], 1);
  EXPECT_EQ(ReadSso(organization, owner)["data"]["keyConnectorEnabled"], true);

  // Its policies stay on while it is configured.
  for (int type : {4, 3}) {
    const TestResponse answer = SetPolicy(organization, owner, type, false);
    EXPECT_EQ(answer.status, 400) << answer.body;
  }
  EXPECT_EQ(SetPolicy(organization, owner, 4, false).json()["message"],
            "Key Connector is enabled and requires this policy.");

  // Leaving Key Connector is refused once a member uses it.
  Query(kUseKeyConnector, sql::Params().Text(member.id));
  expect_refused(ConsoleBody("acme", 0), "Key Connector cannot be disabled at this moment.");
  EXPECT_EQ(ReadSso(organization, owner)["data"]["memberDecryptionType"], 1);
}

TEST_P(SsoConfigRoutesTest, SavesLogTheReferenceEvents) {
  TestAccount owner = NewUser("owner@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  const TestOrganization quiet = NewOrganizationOf(owner, "Quiet");
  std::multiset<int> seen = EventTypes(organization.id);
  // What the last save added.
  const auto added = [&]() {
    const std::multiset<int> now = EventTypes(organization.id);
    std::multiset<int> out;
    std::set_difference(now.begin(), now.end(), seen.begin(), seen.end(), std::inserter(out, out.begin()));
    seen = now;
    return out;
  };
  ASSERT_EQ(SaveSso(organization, owner, ConsoleBody("acme")).status, 200);
  EXPECT_EQ(added(), (std::multiset<int>{1600, 1604}));
  ASSERT_EQ(SaveSso(organization, owner, ConsoleBody("acme")).status, 200);
  EXPECT_EQ(added(), (std::multiset<int>{1600}));
  ASSERT_EQ(SaveSso(organization, owner, ConsoleBody("acme", 0, false)).status, 200);
  EXPECT_EQ(added(), (std::multiset<int>{1600, 1605}));

  ASSERT_EQ(SetPolicy(organization, owner, 3, true).status, 200);
  ASSERT_EQ(SetPolicy(organization, owner, 4, true).status, 200);
  added();
  ASSERT_EQ(SaveSso(organization, owner, ConsoleBody("acme", 1)).status, 200);
  EXPECT_EQ(added(), (std::multiset<int>{1600, 1604, 1606}));
  ASSERT_EQ(SaveSso(organization, owner, ConsoleBody("acme", 2)).status, 200);
  // Trusted devices saves its three policies (1700 each) and leaves Key Connector.
  EXPECT_EQ(added(), (std::multiset<int>{1600, 1607, 1700, 1700, 1700}));
  // A refused save logs nothing.
  EXPECT_EQ(SaveSso(organization, owner, ConsoleBody(std::string(51, 'x'))).status, 400);
  EXPECT_EQ(added(), std::multiset<int>{});

  // As in the reference, a first save that is disabled counts as turning single sign-on off.
  ASSERT_EQ(SaveSso(quiet, owner, ConsoleBody("quiet", 0, false)).status, 200);
  EXPECT_EQ(EventTypes(quiet.id).count(1605), 1U);
}

constexpr sql::Statement kCountConfigs = {"test_count_sso_configs",
                                          "SELECT COUNT(*) FROM sso_configs WHERE organization_id = $1", nullptr,
                                          nullptr, "to count configurations"};

TEST_P(SsoConfigRoutesTest, DeletingTheOrganizationDeletesItsConfiguration) {
  TestAccount owner = NewUser("owner@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  ASSERT_EQ(SaveSso(organization, owner, ConsoleBody("acme")).status, 200);
  ASSERT_EQ(*Query(kCountConfigs, sql::Params().Text(organization.id)).Int(0, 0), 1);
  const TestResponse deleted =
      Send("DELETE", "/api/organizations/" + organization.id,
           nlohmann::json{{"masterPasswordHash", owner.client_hash}}.dump(), owner.access_token);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(*Query(kCountConfigs, sql::Params().Text(organization.id)).Int(0, 0), 0);
  // The identifier is free again.
  const TestOrganization next = NewOrganizationOf(owner, "Next");
  EXPECT_EQ(SaveSso(next, owner, ConsoleBody("ACME")).status, 200);
}

// What the login flow starts from: the configuration by SSO identifier, in any case.
TEST_P(SsoConfigRoutesTest, TheConfigurationIsFoundByIdentifierInAnyCase) {
  TestAccount owner = NewUser("owner@example.com");
  const TestOrganization organization = NewOrganizationOf(owner);
  const TestOrganization unconfigured = NewOrganizationOf(owner, "Bare");
  ASSERT_EQ(SaveSso(organization, owner, ConsoleBody("Acme", 0, /*enabled=*/false)).status, 200);
  auto database = OpenServerDatabase(config_->database);
  ASSERT_TRUE(database.ok());
  const Status read = (*database)->Read([&](sql::Session& session) -> Status {
    KW_ASSIGN_OR_RETURN(std::optional<sso::OrganizationSso> found, sso::FindSsoConfigByIdentifier(session, "aCmE"));
    EXPECT_TRUE(found.has_value());
    if (found) {
      EXPECT_EQ(found->organization.id, organization.id);
      EXPECT_FALSE(found->config.enabled);
      EXPECT_EQ(found->config.data.client_secret, "s3cret-of-the-provider");
      EXPECT_EQ(sso::SplitList(found->config.data.additional_email_claim_types),
                (std::vector<std::string>{"upn", "mail"}));
    }
    KW_ASSIGN_OR_RETURN(found, sso::FindSsoConfigByIdentifier(session, "nobody"));
    EXPECT_FALSE(found.has_value());
    KW_ASSIGN_OR_RETURN(found, sso::FindSsoConfigByIdentifier(session, ""));
    EXPECT_FALSE(found.has_value());
    return OkStatus();
  });
  EXPECT_TRUE(read.ok()) << read.message();
  (void)unconfigured;
}

}  // namespace
}  // namespace keywarden::server::testing
