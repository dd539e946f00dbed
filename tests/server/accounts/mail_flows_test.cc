// What the server mails, through a real SMTP server: the verification link that registration
// needs when it is required, the notice of a login from a new device, e-mail two-step codes from
// enrolment to login, and the code that proves a new address. On SQLite and on PostgreSQL.
#include <gtest/gtest.h>

#include <regex>

#include "server/server_fixture.h"
#include "support/smtp_server.h"

namespace keywarden::server::testing {
namespace {

using keywarden::testing::ReceivedMail;
using keywarden::testing::SmtpServerOptions;

std::string FirstMatch(const std::string& text, const std::string& pattern) {
  std::smatch match;
  return std::regex_search(text, match, std::regex(pattern)) ? match[1].str() : "";
}

class MailFlowsTest : public ServerTestOnEachDatabase {
 protected:
  void SetUp() override {}  // each test starts the server with its mail settings

  void StartWithMail(std::uint16_t smtp_port, bool require_verification) {
    StartServer([&](ServerConfig& c) {
      MailTo(c, smtp_port);
      c.accounts.require_email_verification = require_verification;
    });
  }
};
KW_SERVER_TEST_ON_EACH_DATABASE(MailFlowsTest);

TEST_P(MailFlowsTest, RegistrationFollowsTheMailedLinkAndANewDeviceIsAnnounced) {
  KW_SMTP_SERVER_OR_SKIP(smtp, SmtpServerOptions{});
  StartWithMail(smtp->port(), true);
  // Without the mailed token, no account.
  EXPECT_EQ(Post("/identity/accounts/register/finish", RegistrationBody("carol@example.com", "pw")).status, 400);
  const TestResponse sent =
      Post("/identity/accounts/register/send-verification-email", {{"email", "carol@example.com"}, {"name", "Carol"}});
  ASSERT_EQ(sent.status, 204) << sent.body;
  auto mails = smtp->WaitForMessages(1, std::chrono::seconds(20));
  ASSERT_TRUE(mails.ok()) << mails.status().message();
  const ReceivedMail& link_mail = mails->front();
  EXPECT_EQ(link_mail.recipients, std::vector<std::string>{"carol@example.com"});
  const std::string token = FirstMatch(link_mail.text.value_or(""), R"(token=([A-Za-z0-9_-]+))");
  ASSERT_FALSE(token.empty()) << link_mail.text.value_or("");

  nlohmann::json body = RegistrationBody("carol@example.com", "password of carol@example.com");
  body["emailVerificationToken"] = token;
  const TestResponse finished = Post("/identity/accounts/register/finish", body);
  ASSERT_EQ(finished.status, 200) << finished.body;
  // A token works once.
  EXPECT_EQ(Post("/identity/accounts/register/finish", body).status, 400);

  TestAccount carol;
  carol.email = "carol@example.com";
  carol.password = "password of carol@example.com";
  carol.client_hash = *MasterKey::Derive(carol.password, carol.email, TestKdf())->ServerHash(carol.password);
  ASSERT_EQ(PasswordGrant(carol, "laptop").status, 200);
  ASSERT_EQ(PasswordGrant(carol, "laptop").status, 200);  // the same device: no second notice
  ASSERT_EQ(PasswordGrant(carol, "phone").status, 200);
  auto notices = smtp->WaitForMessages(3, std::chrono::seconds(20));
  ASSERT_TRUE(notices.ok()) << notices.status().message();
  EXPECT_NE((*notices)[1].text.value_or("").find("Linux CLI"), std::string::npos);
  EXPECT_EQ(smtp->Received().size(), 3U);
}

TEST_P(MailFlowsTest, EmailTwoStepLoginFromEnrolmentToLogin) {
  KW_SMTP_SERVER_OR_SKIP(smtp, SmtpServerOptions{});
  StartWithMail(smtp->port(), false);
  TestAccount dave = NewUser("dave@example.com");
  ASSERT_TRUE(smtp->WaitForMessages(1, std::chrono::seconds(20)).ok());  // the new-device notice
  std::size_t seen = 1;
  const auto next_code = [&]() -> std::string {
    auto mails = smtp->WaitForMessages(seen + 1, std::chrono::seconds(20));
    if (!mails.ok()) return "";
    seen = mails->size();
    return FirstMatch(mails->back().text.value_or(""), R"((\d{6}))");
  };
  ASSERT_EQ(Post("/api/two-factor/send-email",
                 {{"masterPasswordHash", dave.client_hash}, {"email", "dave@example.com"}}, dave.access_token)
                .status,
            200);
  const std::string setup_code = next_code();
  ASSERT_EQ(setup_code.size(), 6U);
  const TestResponse enabled = Send(
      "PUT", "/api/two-factor/email",
      nlohmann::json{{"masterPasswordHash", dave.client_hash}, {"email", "dave@example.com"}, {"token", setup_code}}
          .dump(),
      dave.access_token);
  ASSERT_EQ(enabled.status, 200) << enabled.body;

  // A password alone is no longer enough: the answer names the e-mail provider.
  const TestResponse challenged = PasswordGrant(dave, "other");
  ASSERT_EQ(challenged.status, 400);
  EXPECT_EQ(challenged.json()["TwoFactorProviders2"]["1"]["Email"], "d***@example.com");
  ASSERT_EQ(Post("/api/two-factor/send-email-login",
                 {{"email", "dave@example.com"}, {"masterPasswordHash", dave.client_hash}})
                .status,
            200);
  const std::string login_code = next_code();
  ASSERT_EQ(login_code.size(), 6U);
  const auto with_code = [&](const std::string& code) {
    return Token({{"grant_type", "password"},
                  {"username", dave.email},
                  {"password", dave.client_hash},
                  {"scope", "api offline_access"},
                  {"client_id", "cli"},
                  {"deviceType", "25"},
                  {"deviceIdentifier", "other"},
                  {"deviceName", "linux"},
                  {"twoFactorProvider", "1"},
                  {"twoFactorToken", code},
                  {"twoFactorRemember", "1"}});
  };
  EXPECT_EQ(with_code("000000").json()["ErrorModel"]["Message"], "Two-step token is invalid. Try again.");
  const TestResponse logged_in = with_code(login_code);
  ASSERT_EQ(logged_in.status, 200) << logged_in.body;
  EXPECT_EQ(with_code(login_code).status, 400);  // a code works once
  // "Remember me": the token stands in for a code next time.
  const std::string remember = logged_in.json()["TwoFactorToken"];
  const TestResponse remembered = Token({{"grant_type", "password"},
                                         {"username", dave.email},
                                         {"password", dave.client_hash},
                                         {"scope", "api offline_access"},
                                         {"client_id", "cli"},
                                         {"deviceType", "25"},
                                         {"deviceIdentifier", "other"},
                                         {"deviceName", "linux"},
                                         {"twoFactorProvider", "5"},
                                         {"twoFactorToken", remember}});
  EXPECT_EQ(remembered.status, 200) << remembered.body;
}

// The address changes only with the code mailed to it: a wrong code or another address changes
// nothing; the right one moves the login to the new address and ends the old sessions.
TEST_P(MailFlowsTest, AnEmailChangeNeedsTheCodeMailedToTheNewAddress) {
  KW_SMTP_SERVER_OR_SKIP(smtp, SmtpServerOptions{});
  StartWithMail(smtp->port(), false);
  TestAccount erin = NewUser("erin@example.com");
  ASSERT_TRUE(smtp->WaitForMessages(1, std::chrono::seconds(20)).ok());  // the new-device notice
  const TestResponse requested =
      Post("/api/accounts/email-token", {{"masterPasswordHash", erin.client_hash}, {"newEmail", "Erin@New.Example"}},
           erin.access_token);
  ASSERT_EQ(requested.status, 200) << requested.body;
  auto mails = smtp->WaitForMessages(2, std::chrono::seconds(20));
  ASSERT_TRUE(mails.ok()) << mails.status().message();
  const ReceivedMail& code_mail = mails->back();
  ASSERT_EQ(code_mail.recipients.size(), 1U);
  EXPECT_EQ(code_mail.recipients[0], "erin@new.example");
  const std::string code = FirstMatch(code_mail.text.value_or(""), R"((\d{6}))");
  ASSERT_EQ(code.size(), 6U);

  TestAccount moved = erin;
  moved.email = "erin@new.example";
  moved.client_hash = *MasterKey::Derive(erin.password, moved.email, TestKdf())->ServerHash(erin.password);
  const TestResponse profile = Send("GET", "/api/accounts/profile", "", erin.access_token);
  ASSERT_EQ(profile.status, 200);
  const std::string key = profile.json()["key"];  // a well-formed EncString; the server never opens it
  const auto change = [&](const std::string& new_email, const std::string& token) {
    return Post("/api/accounts/email",
                {{"masterPasswordHash", erin.client_hash},
                 {"newEmail", new_email},
                 {"newMasterPasswordHash", moved.client_hash},
                 {"token", token},
                 {"key", key}},
                erin.access_token);
  };
  const std::string wrong_code = code == "000000" ? "111111" : "000000";
  EXPECT_EQ(change("erin@new.example", wrong_code).status, 400);
  EXPECT_EQ(change("someone@else.example", code).status, 400);  // the code proves one address
  EXPECT_EQ(PasswordGrant(erin, "laptop").status, 200);         // nothing changed yet

  const TestResponse changed = change("erin@new.example", code);
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(change("erin@new.example", code).status, 401);  // its session ended with the change
  EXPECT_EQ(Send("GET", "/api/accounts/profile", "", erin.access_token).status, 401);
  EXPECT_EQ(PasswordGrant(erin, "laptop").status, 400);
  const TestResponse logged_in = PasswordGrant(moved, "laptop");
  ASSERT_EQ(logged_in.status, 200) << logged_in.body;
  const TestResponse new_profile =
      Send("GET", "/api/accounts/profile", "", logged_in.json()["access_token"].get<std::string>());
  EXPECT_EQ(new_profile.json()["email"], "erin@new.example");
}

TEST_P(MailFlowsTest, WithoutMailWhatNeedsItSaysSo) {
  StartServer();
  TestAccount erin = NewUser("erin@example.com");
  const TestResponse refused =
      Post("/api/two-factor/send-email", {{"masterPasswordHash", erin.client_hash}, {"email", "erin@example.com"}},
           erin.access_token);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.json()["message"].get<std::string>().find("Mail is not configured"), std::string::npos);
  // Registration without verification answers the token itself, as the reference does.
  const TestResponse token =
      Post("/identity/accounts/register/send-verification-email", {{"email", "fay@example.com"}});
  EXPECT_EQ(token.status, 200);
  EXPECT_TRUE(token.json().is_string());
}

}  // namespace
}  // namespace keywarden::server::testing
