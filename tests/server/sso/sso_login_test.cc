// The single sign-on login end to end against a real OpenID provider (oidc_test_provider.h):
// prevalidate, authorize, the provider's sign-in, the callback, and the authorization_code
// grant with PKCE, as the official clients run them (docs member-decryption.md 7); the
// accounts it provisions and links, and the refusals of replayed, foreign or mismatched
// requests.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "jose/base64url.h"
#include "net/percent_encoding.h"
#include "server/identity/form.h"
#include "server/sso/oidc_test_provider.h"
#include "server/sso/sso_fixture.h"
#include "server/two_factor/codes.h"

namespace keywarden::server::testing {
namespace {

constexpr char kCliRedirect[] = "http://localhost:8065";
constexpr char kVerifier[] = "a-pkce-verifier-of-the-cli-that-is-long-enough-0123456789";

std::string Challenge(std::string_view verifier) {
  auto digest = two_factor::TokenHash(verifier);
  return jose::Base64UrlEncode(std::span<const std::uint8_t>(digest->data(), digest->size()));
}

struct ProviderUser {
  std::string login;
  std::string sub;
  std::string email;
  bool email_verified = true;
};

class SsoLoginTest : public SsoTest {
 protected:
  void SetUp() override {
    SsoTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (!OidcProviderAvailable()) KW_SKIP_OR_FAIL_IN_CI("node or npm oidc-provider is not installed (scripts/setup)");
  }

  // Starts the provider with `users` (password "pw") and our server as its client.
  void StartProvider(const std::vector<ProviderUser>& users, bool claims_in_user_info_only = false) {
    nlohmann::json config = {
        {"clients",
         nlohmann::json::array({{{"client_id", "keywarden"},
                                 {"client_secret", "s3cret-of-the-provider"},
                                 {"redirect_uris", nlohmann::json::array({config_->public_url + "/sso/oidc-signin"})},
                                 {"token_endpoint_auth_method", "client_secret_post"},
                                 {"grant_types", nlohmann::json::array({"authorization_code"})},
                                 {"response_types", nlohmann::json::array({"code"})}}})},
        {"users", nlohmann::json::object()},
        {"claimsInUserInfoOnly", claims_in_user_info_only}};
    for (const ProviderUser& user : users) {
      config["users"][user.login] = {
          {"password", "pw"},
          {"claims",
           {{"sub", user.sub}, {"email", user.email}, {"email_verified", user.email_verified}, {"name", user.login}}}};
    }
    provider_ = OidcTestProvider::Start(config);
    ASSERT_NE(provider_, nullptr);
  }

  // An organisation with single sign-on through the provider, identifier `identifier`.
  TestOrganization SsoOrganization(const TestAccount& owner, const std::string& identifier, int decryption,
                                   bool user_info = false) {
    TestOrganization organization = NewOrganizationOf(owner, identifier + " Inc");
    if (decryption == 1) {
      EXPECT_EQ(SetPolicy(organization, owner, 3, true).status, 200);
      EXPECT_EQ(SetPolicy(organization, owner, 4, true).status, 200);
    }
    nlohmann::json body = ConsoleBody(identifier, decryption);
    body["data"]["authority"] = provider_->issuer();
    body["data"]["redirectBehavior"] = 0;
    body["data"]["getClaimsFromUserInfoEndpoint"] = user_info;
    body["data"]["additionalScopes"] = nullptr;
    body["data"]["additionalUserIdClaimTypes"] = nullptr;
    body["data"]["additionalEmailClaimTypes"] = nullptr;
    body["data"]["additionalNameClaimTypes"] = nullptr;
    const TestResponse saved = SaveSso(organization, owner, body);
    EXPECT_EQ(saved.status, 200) << saved.body;
    return organization;
  }

  std::string Prevalidate(const std::string& identifier) {
    const TestResponse answer =
        Send("GET", "/identity/sso/prevalidate?domainHint=" + net::PercentEncode(identifier), "", "");
    EXPECT_EQ(answer.status, 200) << answer.body;
    return answer.json().value("token", "");
  }

  std::string AuthorizeUrl(const std::string& identifier, const std::string& sso_token,
                           const std::string& client_id = "cli", const std::string& redirect = kCliRedirect,
                           const std::string& challenge = Challenge(kVerifier)) {
    return config_->public_url + "/identity/connect/authorize?" +
           net::FormEncode({{"client_id", client_id},
                            {"redirect_uri", redirect},
                            {"response_type", "code"},
                            {"scope", "api offline_access"},
                            {"state", "client-state_identifier=" + identifier},
                            {"code_challenge", challenge},
                            {"code_challenge_method", "S256"},
                            {"response_mode", "query"},
                            {"domain_hint", identifier},
                            {"ssoToken", sso_token}});
  }

  // Signs `login` in through the provider; the code the client's redirect URI receives ("" and
  // a test failure when it got none).
  std::string SignIn(const std::string& identifier, const std::string& login) {
    const nlohmann::json out =
        OidcTestProvider::Browse(AuthorizeUrl(identifier, Prevalidate(identifier)), login, "pw", kCliRedirect);
    const std::string url = out.value("url", "");
    if (url.empty()) {
      ADD_FAILURE() << "no code: " << out.dump() << "\n" << provider_->log();
      return "";
    }
    auto query = Form::Parse(url.substr(url.find('?') + 1));
    EXPECT_TRUE(query.ok());
    EXPECT_EQ(query->Get("state"), "client-state_identifier=" + identifier);
    return std::string(query->Get("code"));
  }

  TestResponse RedeemCode(const std::string& code, const std::string& verifier = kVerifier,
                          const std::string& client_id = "cli", const std::string& redirect = kCliRedirect,
                          const std::string& device = "sso-device-1") {
    return Token({{"grant_type", "authorization_code"},
                  {"code", code},
                  {"code_verifier", verifier},
                  {"redirect_uri", redirect},
                  {"client_id", client_id},
                  {"scope", "api offline_access"},
                  {"deviceType", "25"},
                  {"deviceIdentifier", device},
                  {"deviceName", "linux"}});
  }

  // The member entry of `email` in the organisation's member list.
  nlohmann::json MemberEntry(const TestOrganization& organization, const TestAccount& owner, const std::string& email) {
    const TestResponse list = Send("GET", "/api/organizations/" + organization.id + "/users?", "", owner.access_token);
    EXPECT_EQ(list.status, 200) << list.body;
    const nlohmann::json body = list.json();
    for (const auto& member : body["data"]) {
      if (member.value("email", "") == email) return member;
    }
    return nullptr;
  }

  std::unique_ptr<OidcTestProvider> provider_;
};

TEST_P(SsoLoginTest, ANewMemberIsProvisionedWithoutKeysAndStaysInvited) {
  const TestAccount owner = NewUser("owner@example.com");
  StartProvider({{"carol", "idp-carol", "carol@example.com"}});
  const TestOrganization organization = SsoOrganization(owner, "acme", 0);

  const TestResponse token = RedeemCode(SignIn("acme", "carol"));
  ASSERT_EQ(token.status, 200) << token.body;
  const nlohmann::json body = token.json();
  EXPECT_FALSE(body.contains("Key") && body["Key"].is_string());
  EXPECT_FALSE(body["UserDecryptionOptions"]["HasMasterPassword"].get<bool>());
  EXPECT_FALSE(body["UserDecryptionOptions"].contains("MasterPasswordUnlock"));
  EXPECT_FALSE(body["UserDecryptionOptions"].contains("TrustedDeviceOption"));
  EXPECT_FALSE(body["UserDecryptionOptions"].contains("KeyConnectorOption"));
  EXPECT_FALSE(body.value("refresh_token", "").empty());

  // The access token works, for the new account.
  const TestResponse profile = Send("GET", "/api/accounts/profile", "", body.value("access_token", ""));
  ASSERT_EQ(profile.status, 200) << profile.body;
  EXPECT_EQ(profile.json().value("email", ""), "carol@example.com");
  EXPECT_EQ(profile.json().value("name", ""), "carol");

  const nlohmann::json member = MemberEntry(organization, owner, "carol@example.com");
  ASSERT_TRUE(member.is_object());
  EXPECT_EQ(member.value("status", -9), 0);  // Invited until the client sets keys
  EXPECT_EQ(member.value("type", -9), 2);
  EXPECT_EQ(EventTypes(organization.id).count(1510), 1U);

  // The next login finds the same account by the provider's subject, and is no first login.
  const TestResponse again = RedeemCode(SignIn("acme", "carol"), kVerifier, "cli", kCliRedirect, "sso-device-2");
  ASSERT_EQ(again.status, 200) << again.body;
  const TestResponse profile2 = Send("GET", "/api/accounts/profile", "", again.json().value("access_token", ""));
  EXPECT_EQ(profile2.json().value("id", "a"), profile.json().value("id", "b"));
  EXPECT_EQ(EventTypes(organization.id).count(1510), 1U);
}

TEST_P(SsoLoginTest, KeyConnectorAndTrustedDevicesOrganisationsSendTheirOptions) {
  const TestAccount owner = NewUser("owner@example.com");
  StartProvider({{"dave", "idp-dave", "dave@example.com"}, {"erin", "idp-erin", "erin@example.com"}});
  SsoOrganization(owner, "kc-org", 1);
  const TestResponse kc = RedeemCode(SignIn("kc-org", "dave"));
  ASSERT_EQ(kc.status, 200) << kc.body;
  EXPECT_EQ(kc.json()["UserDecryptionOptions"]["KeyConnectorOption"],
            nlohmann::json({{"KeyConnectorUrl", "https://kc.example.com"}}));
  EXPECT_FALSE(kc.json()["UserDecryptionOptions"].contains("TrustedDeviceOption"));

  const TestAccount owner2 = NewUser("owner2@example.com");
  SsoOrganization(owner2, "tde-org", 2);
  const TestResponse tde = RedeemCode(SignIn("tde-org", "erin"));
  ASSERT_EQ(tde.status, 200) << tde.body;
  const nlohmann::json options = tde.json()["UserDecryptionOptions"];
  EXPECT_FALSE(options.contains("KeyConnectorOption"));
  ASSERT_TRUE(options.contains("TrustedDeviceOption")) << options.dump();
  EXPECT_EQ(options["TrustedDeviceOption"], nlohmann::json({{"HasAdminApproval", false},
                                                            {"HasLoginApprovingDevice", false},
                                                            {"HasManageResetPasswordPermission", false},
                                                            {"IsTdeOffboarding", false}}));
  // Password and API-key logins never carry the organisation's options.
  EXPECT_FALSE(SendPasswordGrant(port(), owner2).json()["UserDecryptionOptions"].contains("TrustedDeviceOption"));
}

TEST_P(SsoLoginTest, AnExistingMemberIsLinkedOnlyWithAVerifiedAddress) {
  const TestAccount owner = NewUser("owner@example.com");
  const TestAccount frank = NewUser("frank@example.com");
  const TestAccount grace = NewUser("grace@example.com");
  StartProvider({{"frank", "idp-frank", "frank@example.com", false},
                 {"frank-verified", "idp-frank-2", "frank@example.com", true},
                 {"grace", "idp-grace", "grace@example.com", true}});
  const TestOrganization organization = SsoOrganization(owner, "acme", 0);
  AddMember(organization, owner, frank, 2);

  // Unverified address: no link, a readable refusal.
  const nlohmann::json refused =
      OidcTestProvider::Browse(AuthorizeUrl("acme", Prevalidate("acme")), "frank", "pw", kCliRedirect);
  EXPECT_EQ(refused.value("status", 0), 400) << refused.dump();
  EXPECT_NE(refused.value("body", "").find("not verified your e-mail address"), std::string::npos);

  // Verified: the existing account, with its master password.
  const TestResponse linked = RedeemCode(SignIn("acme", "frank-verified"));
  ASSERT_EQ(linked.status, 200) << linked.body;
  EXPECT_TRUE(linked.json()["UserDecryptionOptions"]["HasMasterPassword"].get<bool>());
  const TestResponse profile = Send("GET", "/api/accounts/profile", "", linked.json().value("access_token", ""));
  EXPECT_EQ(profile.json().value("id", ""), frank.id);

  // An account outside the organisation is never taken over.
  const nlohmann::json outsider =
      OidcTestProvider::Browse(AuthorizeUrl("acme", Prevalidate("acme")), "grace", "pw", kCliRedirect);
  EXPECT_EQ(outsider.value("status", 0), 400) << outsider.dump();
  EXPECT_NE(outsider.value("body", "").find("not a member"), std::string::npos);
}

// The web vault's "link SSO": a signed-in account asks for a link token and the login that
// carries it links that account, whatever the provider says of the address; once, for that
// account only, never over another account's link. Unlinking and relinking log 1505 and 1509.
TEST_P(SsoLoginTest, AnAccountLinksItselfWithItsLinkToken) {
  const TestAccount owner = NewUser("owner@example.com");
  const TestAccount frank = NewUser("frank@example.com");
  const TestAccount grace = NewUser("grace@example.com");
  StartProvider({{"frank", "idp-frank", "frank@work.example.com", false},
                 {"frank-new", "idp-frank-new", "frank@work.example.com", false}});
  const TestOrganization organization = SsoOrganization(owner, "acme", 0);
  AddMember(organization, owner, frank, 2);
  AddMember(organization, owner, grace, 2);
  const auto link_token = [&](const TestAccount& account) {
    const TestResponse answer = Send("GET", "/api/accounts/sso/user-identifier", "", account.access_token);
    EXPECT_EQ(answer.status, 200) << answer.body;
    return answer.json().is_string() ? answer.json().get<std::string>() : std::string();
  };
  const auto with_link = [&](const std::string& user_identifier) {
    return AuthorizeUrl("acme", Prevalidate("acme")) + "&user_identifier=" + net::PercentEncode(user_identifier);
  };
  const auto sign_in_with = [&](const std::string& user_identifier, const std::string& login) {
    return OidcTestProvider::Browse(with_link(user_identifier), login, "pw", kCliRedirect);
  };
  const auto account_of = [&](const nlohmann::json& walk) {
    const std::string url = walk.value("url", "");
    if (url.empty()) return "no code: " + walk.dump();
    auto query = Form::Parse(url.substr(url.find('?') + 1));
    const TestResponse token = RedeemCode(std::string(query->Get("code")));
    if (token.status != 200) return "grant " + token.body;
    return Send("GET", "/api/accounts/profile", "", token.json().value("access_token", "")).json().value("id", "");
  };

  // The token names its account; an unverified, different address is linked through it.
  const std::string frank_link = link_token(frank);
  EXPECT_EQ(frank_link.rfind(frank.id + ",", 0), 0U) << frank_link;
  EXPECT_EQ(account_of(sign_in_with(frank_link, "frank")), frank.id);
  EXPECT_EQ(EventTypes(organization.id).count(1510), 1U);
  // Spent, and refused before the provider is asked.
  EXPECT_EQ(Send("GET", with_link(frank_link).substr(config_->public_url.size()), "", "").status, 400);
  // Another account's id with this token, or no token part at all.
  const std::string grace_link = link_token(grace);
  const std::string forged = frank.id + grace_link.substr(grace_link.find(','));
  EXPECT_EQ(Send("GET", with_link(forged).substr(config_->public_url.size()), "", "").status, 400);
  EXPECT_EQ(Send("GET", with_link(frank.id).substr(config_->public_url.size()), "", "").status, 400);
  // Grace cannot take over the identity linked to Frank.
  const nlohmann::json taken = sign_in_with(link_token(grace), "frank");
  EXPECT_EQ(taken.value("status", 0), 400) << taken.dump();
  EXPECT_NE(taken.value("body", "").find("already linked to another account"), std::string::npos) << taken.dump();
  // Later logins find Frank by the subject, without a token.
  EXPECT_EQ(RedeemCode(SignIn("acme", "frank")).status, 200);

  // Another subject, linked with a new token, replaces the link: 1509.
  EXPECT_EQ(account_of(sign_in_with(link_token(frank), "frank-new")), frank.id);
  EXPECT_EQ(EventTypes(organization.id).count(1509), 1U);
  EXPECT_EQ(EventTypes(organization.id).count(1510), 1U);

  // Unlinked (1505): the subject no longer signs Frank in (its address, free, gets a new account).
  EXPECT_EQ(Send("DELETE", "/api/accounts/sso/" + organization.id, "", frank.access_token).status, 200);
  EXPECT_EQ(EventTypes(organization.id).count(1505), 1U);
  const std::string after_unlink =
      account_of(OidcTestProvider::Browse(AuthorizeUrl("acme", Prevalidate("acme")), "frank-new", "pw", kCliRedirect));
  EXPECT_NE(after_unlink, frank.id);
  EXPECT_EQ(after_unlink.size(), frank.id.size()) << after_unlink;
  EXPECT_EQ(Send("DELETE", "/api/accounts/sso/not-a-guid", "", frank.access_token).status, 404);
  EXPECT_EQ(Send("GET", "/api/accounts/sso/user-identifier", "", "").status, 401);
}

TEST_P(SsoLoginTest, ClaimsCanComeFromTheUserInfoEndpoint) {
  const TestAccount owner = NewUser("owner@example.com");
  StartProvider({{"heidi", "idp-heidi", "heidi@example.com"}}, /*claims_in_user_info_only=*/true);
  SsoOrganization(owner, "acme", 0, /*user_info=*/true);
  const TestResponse token = RedeemCode(SignIn("acme", "heidi"));
  ASSERT_EQ(token.status, 200) << token.body;
  const TestResponse profile = Send("GET", "/api/accounts/profile", "", token.json().value("access_token", ""));
  EXPECT_EQ(profile.json().value("email", ""), "heidi@example.com");
}

TEST_P(SsoLoginTest, CodesAreSpentOnceAndOnlyForTheirClientRedirectAndVerifier) {
  const TestAccount owner = NewUser("owner@example.com");
  StartProvider({{"ivan", "idp-ivan", "ivan@example.com"}});
  SsoOrganization(owner, "acme", 0);
  const std::string code = SignIn("acme", "ivan");
  const auto refused = [](const TestResponse& r) {
    return r.status == 400 && r.json().value("error", "") == "invalid_grant";
  };
  EXPECT_TRUE(refused(RedeemCode(code, "another-verifier-that-is-also-long-enough-0123456789")));
  EXPECT_TRUE(refused(RedeemCode(code, kVerifier, "desktop")));
  EXPECT_TRUE(refused(RedeemCode(code, kVerifier, "cli", "http://localhost:8066")));
  EXPECT_TRUE(refused(RedeemCode("not-a-code")));
  ASSERT_EQ(RedeemCode(code).status, 200);
  EXPECT_TRUE(refused(RedeemCode(code)));  // replayed
}

TEST_P(SsoLoginTest, AuthorizeRefusesWhatTheReferenceRefuses) {
  const TestAccount owner = NewUser("owner@example.com");
  const TestAccount other_owner = NewUser("other@example.com");
  StartProvider({{"judy", "idp-judy", "judy@example.com"}});
  SsoOrganization(owner, "acme", 0);
  SsoOrganization(other_owner, "globex", 0);

  const TestResponse unknown = Send("GET", "/identity/sso/prevalidate?domainHint=nobody", "", "");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.json().value("message", ""), "Invalid SSO identifier");
  EXPECT_EQ(Send("GET", "/identity/sso/prevalidate", "", "").status, 400);

  const auto page = [&](const std::string& url) {
    const std::string path = url.substr(config_->public_url.size());
    const std::size_t q = path.find('?');
    return Send("GET", path.substr(0, q) + "?" + path.substr(q + 1), "", "");
  };
  const std::string token = Prevalidate("acme");
  // A redirect URI the client may not use, an unknown client, no PKCE.
  EXPECT_EQ(page(AuthorizeUrl("acme", token, "cli", "http://localhost:9999")).status, 400);
  EXPECT_EQ(page(AuthorizeUrl("acme", token, "cli", "https://attacker.example/cb")).status, 400);
  EXPECT_EQ(page(AuthorizeUrl("acme", token, "evil", kCliRedirect)).status, 400);
  EXPECT_EQ(page(AuthorizeUrl("acme", token, "cli", kCliRedirect, "short")).status, 400);
  // Another organisation's prevalidation, or none.
  EXPECT_EQ(page(AuthorizeUrl("acme", Prevalidate("globex"))).status, 400);
  EXPECT_EQ(page(AuthorizeUrl("acme", "forged")).status, 400);
  // A valid request goes to the provider, with PKCE and a nonce of the server's own.
  const TestResponse ok = page(AuthorizeUrl("acme", token));
  ASSERT_EQ(ok.status, 302) << ok.body;
  const std::string location = ok.header("location");
  EXPECT_EQ(location.rfind(provider_->issuer(), 0), 0U) << location;
  EXPECT_NE(location.find("code_challenge_method=S256"), std::string::npos);
  EXPECT_NE(location.find("nonce="), std::string::npos);
  EXPECT_EQ(location.find("client-state"), std::string::npos);  // the client's state stays with us

  // The callback with a foreign state, or a state used twice.
  EXPECT_EQ(Send("GET", "/sso/oidc-signin?code=x&state=forged", "", "").status, 400);
  auto query = Form::Parse(location.substr(location.find('?') + 1));
  ASSERT_TRUE(query.ok());
  const std::string state(query->Get("state"));
  EXPECT_EQ(Send("GET", "/sso/oidc-signin?code=made-up&state=" + state, "", "").status, 400);  // the provider refuses
  EXPECT_EQ(Send("GET", "/sso/oidc-signin?code=made-up&state=" + state, "", "").status, 400);  // and it is spent
}

KW_SERVER_TEST_ON_EACH_DATABASE(SsoLoginTest);

}  // namespace
}  // namespace keywarden::server::testing
