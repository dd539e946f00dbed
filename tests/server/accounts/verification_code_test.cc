// Verification codes (server/accounts/secret_verification.h) through a real SMTP server: how an
// account without a master password (trusted devices, Key Connector) proves itself where others
// type their password. The code is mailed, works once, expires after 5 minutes (a FakeClock
// moves time), dies after 5 wrong attempts, is voided by a new security stamp, and stands in for
// the password at the API key, trusted-device update and "log out all sessions"; a Key Connector
// account cannot change its address. On SQLite and on PostgreSQL.
#include <gtest/gtest.h>

#include <regex>

#include "base/clock.h"
#include "keywarden/keys/trusted_device.h"
#include "server/server_fixture.h"
#include "server/store/server_database.h"
#include "server/store/users.h"
#include "support/smtp_server.h"

namespace keywarden::server::testing {
namespace {

using keywarden::testing::ReceivedMail;
using keywarden::testing::SmtpServerOptions;

class VerificationCodeTest : public ServerTestOnEachDatabase {
 protected:
  void SetUp() override {}                    // each test starts the server with its mail settings
  void TearDown() override { StopServer(); }  // before the clock goes

  void StartWithMail(std::uint16_t smtp_port) {
    clock_ = &clock;
    StartServer([&](ServerConfig& c) { MailTo(c, smtp_port); });
  }

  // Turns `account` into one without a master password, as single sign-on makes them; with
  // `key_connector`, one whose key the organisation's Key Connector keeps.
  void DropPassword(const TestAccount& account, bool key_connector) {
    auto database = OpenServerDatabase(config_->database);
    ASSERT_TRUE(database.ok()) << database.status().ToString();
    const Status saved = (*database)->Transact([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(std::optional<store::User> user, store::FindUserById(session, account.id));
      if (!user) return NotFoundError("no user");
      const TimeMs read = user->revision_date;
      user->password_hash.reset();
      user->uses_key_connector = key_connector;
      user->revision_date = read + 1;
      return store::UpdateUser(session, *user, read);
    });
    ASSERT_TRUE(saved.ok()) << saved.ToString();
  }

  // Asks for a code and returns it as mailed to `account`. The new-device notice of the
  // account's first login is queued too and may arrive before or after: the code is the newest
  // mail with the code's subject, among those that came after the request.
  std::string RequestCode(const keywarden::testing::SmtpServer& smtp, const TestAccount& account) {
    const std::size_t before = smtp.Received().size();
    const TestResponse requested = Post("/api/accounts/request-otp", nlohmann::json::object(), account.access_token);
    EXPECT_EQ(requested.status, 200) << requested.body;
    for (std::size_t wanted = before + 1; wanted <= before + 2; ++wanted) {
      auto mails = smtp.WaitForMessages(wanted, std::chrono::seconds(20));
      EXPECT_TRUE(mails.ok()) << mails.status().message();
      if (!mails.ok()) return "";
      for (std::size_t i = mails->size(); i > before; --i) {
        const ReceivedMail& mail = (*mails)[i - 1];
        if (mail.subject != "Your Keywarden verification code") continue;
        EXPECT_EQ(mail.recipients, std::vector<std::string>{account.email});
        std::smatch match;
        const std::string text = mail.text.value_or("");
        return std::regex_search(text, match, std::regex(R"((\d{6}))")) ? match[1].str() : "";
      }
    }
    ADD_FAILURE() << "no verification code was mailed";
    return "";
  }

  static std::string Wrong(const std::string& code) { return code == "000000" ? "111111" : "000000"; }

  FakeClock clock{Clock::System().Now()};
};
KW_SERVER_TEST_ON_EACH_DATABASE(VerificationCodeTest);

TEST_P(VerificationCodeTest, ACodeIsMailedAndWorksOnce) {
  KW_SMTP_SERVER_OR_SKIP(smtp, SmtpServerOptions{});
  StartWithMail(smtp->port());
  const TestAccount alice = NewUser("alice@example.com");
  DropPassword(alice, false);
  const std::string code = RequestCode(*smtp, alice);
  ASSERT_EQ(code.size(), 6U);

  const TestResponse wrong = Post("/api/accounts/verify-otp", {{"otp", Wrong(code)}}, alice.access_token);
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(wrong.json()["validationErrors"]["Token"][0], "Invalid token") << wrong.body;
  EXPECT_EQ(Post("/api/accounts/verify-otp", {{"otp", code}}, alice.access_token).status, 200);
  EXPECT_EQ(Post("/api/accounts/verify-otp", {{"otp", code}}, alice.access_token).status, 400);  // used

  // A newer code replaces the pending one.
  const std::string first = RequestCode(*smtp, alice);
  const std::string second = RequestCode(*smtp, alice);
  if (first != second) {
    EXPECT_EQ(Post("/api/accounts/verify-otp", {{"otp", first}}, alice.access_token).status, 400);
  }
  EXPECT_EQ(Post("/api/accounts/verify-otp", {{"otp", second}}, alice.access_token).status, 200);
}

TEST_P(VerificationCodeTest, ACodeExpiresAfterFiveMinutesAndDiesAfterFiveWrongAttempts) {
  KW_SMTP_SERVER_OR_SKIP(smtp, SmtpServerOptions{});
  StartWithMail(smtp->port());
  const TestAccount alice = NewUser("alice@example.com");
  DropPassword(alice, false);

  std::string code = RequestCode(*smtp, alice);
  clock.Advance(std::chrono::minutes(4) + std::chrono::seconds(59));
  EXPECT_EQ(Post("/api/accounts/verify-otp", {{"otp", code}}, alice.access_token).status, 200);
  code = RequestCode(*smtp, alice);
  clock.Advance(std::chrono::minutes(5) + std::chrono::seconds(1));
  EXPECT_EQ(Post("/api/accounts/verify-otp", {{"otp", code}}, alice.access_token).status, 400);

  code = RequestCode(*smtp, alice);
  for (int attempt = 0; attempt < 5; ++attempt) {
    EXPECT_EQ(Post("/api/accounts/verify-otp", {{"otp", Wrong(code)}}, alice.access_token).status, 400);
  }
  EXPECT_EQ(Post("/api/accounts/verify-otp", {{"otp", code}}, alice.access_token).status, 400);
}

TEST_P(VerificationCodeTest, TheCodeStandsInForTheMasterPassword) {
  KW_SMTP_SERVER_OR_SKIP(smtp, SmtpServerOptions{});
  StartWithMail(smtp->port());
  TestAccount alice = NewUser("alice@example.com");
  DropPassword(alice, false);

  // The API key: the password hash alone no longer proves anything, the code does, once.
  EXPECT_EQ(Post("/api/accounts/api-key", {{"masterPasswordHash", alice.client_hash}}, alice.access_token).status, 400);
  std::string code = RequestCode(*smtp, alice);
  const TestResponse key = Post("/api/accounts/api-key", {{"otp", code}}, alice.access_token);
  ASSERT_EQ(key.status, 200) << key.body;
  EXPECT_EQ(key.json()["object"], "apiKey");
  const TestResponse again = Post("/api/accounts/api-key", {{"otp", code}}, alice.access_token);
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(again.json()["message"], "User verification failed.");
  // The reference's Secret: a code sent in the password field counts too.
  code = RequestCode(*smtp, alice);
  EXPECT_EQ(Post("/api/accounts/rotate-api-key", {{"masterPasswordHash", code}}, alice.access_token).status, 200);

  // The trusted-device update after the user key changed.
  auto user_key = SymmetricKey::Generate();
  ASSERT_TRUE(user_key.ok());
  auto device = TrustDevice(*user_key);
  ASSERT_TRUE(device.ok());
  ASSERT_EQ(Send("PUT", "/api/devices/device-1/keys",
                 nlohmann::json{{"encryptedUserKey", device->stored.encrypted_user_key.ToString()},
                                {"encryptedPublicKey", device->stored.encrypted_public_key.ToString()},
                                {"encryptedPrivateKey", device->stored.encrypted_private_key.ToString()}}
                     .dump(),
                 alice.access_token)
                .status,
            200);
  const nlohmann::json current = {{"encryptedPublicKey", device->stored.encrypted_public_key.ToString()},
                                  {"encryptedUserKey", device->stored.encrypted_user_key.ToString()}};
  EXPECT_EQ(Post("/api/devices/update-trust", {{"otp", "123456"}, {"currentDevice", current}}, alice.access_token)
                .json()["message"],
            "User verification failed.");
  code = RequestCode(*smtp, alice);
  EXPECT_EQ(Post("/api/devices/update-trust", {{"otp", code}, {"currentDevice", current}}, alice.access_token).status,
            200);

  // A code can end every session too.
  code = RequestCode(*smtp, alice);
  ASSERT_EQ(Post("/api/accounts/security-stamp", {{"otp", code}}, alice.access_token).status, 200);
  EXPECT_EQ(Send("GET", "/api/accounts/profile", "", alice.access_token).status, 401);
}

TEST_P(VerificationCodeTest, AnAccountWithAPasswordMayUseEitherAndKeepsPasswordOnlyChanges) {
  KW_SMTP_SERVER_OR_SKIP(smtp, SmtpServerOptions{});
  StartWithMail(smtp->port());
  const TestAccount bob = NewUser("bob@example.com");
  EXPECT_EQ(Post("/api/accounts/api-key", {{"masterPasswordHash", bob.client_hash}}, bob.access_token).status, 200);
  const std::string code = RequestCode(*smtp, bob);
  // A code does not change the password's own settings.
  EXPECT_EQ(Post("/api/accounts/email-token", {{"masterPasswordHash", code}, {"newEmail", "bob@new.example"}},
                 bob.access_token)
                .status,
            400);
  const TestResponse with_code = Post("/api/accounts/api-key", {{"otp", code}}, bob.access_token);
  EXPECT_EQ(with_code.status, 200) << with_code.body;

  // A new security stamp voids a pending code.
  const std::string pending = RequestCode(*smtp, bob);
  ASSERT_EQ(Post("/api/accounts/security-stamp", {{"masterPasswordHash", bob.client_hash}}, bob.access_token).status,
            200);
  const TestResponse login = PasswordGrant(bob, "device-2");
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string token = login.json()["access_token"];
  EXPECT_EQ(Post("/api/accounts/verify-otp", {{"otp", pending}}, token).status, 400);
}

TEST_P(VerificationCodeTest, AKeyConnectorAccountCannotChangeItsAddress) {
  KW_SMTP_SERVER_OR_SKIP(smtp, SmtpServerOptions{});
  StartWithMail(smtp->port());
  const TestAccount carol = NewUser("carol@example.com");
  DropPassword(carol, true);
  for (const char* path : {"/api/accounts/email-token", "/api/accounts/email"}) {
    const TestResponse refused =
        Post(path, {{"masterPasswordHash", carol.client_hash}, {"newEmail", "carol@new.example"}}, carol.access_token);
    EXPECT_EQ(refused.status, 400) << path;
    EXPECT_EQ(refused.json()["message"], "You cannot change your email when using Key Connector.") << path;
  }
}

TEST_P(VerificationCodeTest, WithoutMailNoCodeIsPromised) {
  StartServer();
  const TestAccount alice = NewUser("alice@example.com");
  const TestResponse refused = Post("/api/accounts/request-otp", nlohmann::json::object(), alice.access_token);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.json()["message"].get<std::string>().find("Mail is not configured"), std::string::npos);
  EXPECT_EQ(Post("/api/accounts/verify-otp", {{"otp", "123456"}}, alice.access_token).status, 400);
}

}  // namespace
}  // namespace keywarden::server::testing
