// Two-step login over a real socket, on SQLite and on PostgreSQL: an authenticator app enrolled
// and used (each code once), a "remember me" token, the recovery code that turns it all off,
// and e-mail login codes (sent through a capturing sender, attempts counted, used once).
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdio>

#include "server/server_fixture.h"
#include "server/store/server_database.h"
#include "server/store/users.h"
#include "server/two_factor/totp.h"
#include "server/two_factor/two_factor_login.h"

namespace keywarden::server::testing {
namespace {

// RFC 6238 with SHA-1, 6 digits: the code an authenticator app shows for time step `step`.
std::string TotpCode(std::span<const std::uint8_t> secret, std::int64_t step) {
  std::uint8_t counter[8];
  for (int i = 7; i >= 0; --i, step >>= 8) counter[i] = static_cast<std::uint8_t>(step & 0xff);
  std::uint8_t mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()), counter, sizeof counter, mac, &length) ==
      nullptr) {
    ADD_FAILURE() << "HMAC failed";
    return "";
  }
  const unsigned offset = mac[length - 1] & 0x0f;
  const std::uint32_t binary = (static_cast<std::uint32_t>(mac[offset] & 0x7f) << 24) |
                               (static_cast<std::uint32_t>(mac[offset + 1]) << 16) |
                               (static_cast<std::uint32_t>(mac[offset + 2]) << 8) | mac[offset + 3];
  char code[8];
  std::snprintf(code, sizeof code, "%06u", binary % 1000000);
  return code;
}

std::int64_t StepNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() /
         30;
}

class TwoFactorRoutesTest : public ServerTestOnEachDatabase {
 protected:
  // A password grant with a second step.
  TestResponse SecondStep(const TestAccount& account, const std::string& provider, const std::string& token,
                          bool remember = false) {
    return Token({{"grant_type", "password"},
                  {"username", account.email},
                  {"password", account.client_hash},
                  {"scope", "api offline_access"},
                  {"client_id", "cli"},
                  {"deviceType", "25"},
                  {"deviceIdentifier", "device-1"},
                  {"deviceName", "linux"},
                  {"twoFactorProvider", provider},
                  {"twoFactorToken", token},
                  {"twoFactorRemember", remember ? "1" : "0"}});
  }

  // Enrols an authenticator app with the code of the current step; returns its secret.
  SecureBuffer EnableAuthenticator(const TestAccount& account) {
    const TestResponse offered =
        Post("/api/two-factor/get-authenticator", {{"masterPasswordHash", account.client_hash}}, account.access_token);
    EXPECT_EQ(offered.status, 200) << offered.body;
    const std::string key = offered.json().value("key", "");
    auto secret = two_factor::DecodeTotpSecret(key);
    EXPECT_TRUE(secret.ok()) << secret.status().ToString();
    if (!secret.ok()) return SecureBuffer();
    const TestResponse enabled = Send(
        "PUT", "/api/two-factor/authenticator",
        nlohmann::json{
            {"masterPasswordHash", account.client_hash}, {"key", key}, {"token", TotpCode(secret->span(), StepNow())}}
            .dump(),
        account.access_token);
    EXPECT_EQ(enabled.status, 200) << enabled.body;
    return *std::move(secret);
  }

  // Whether GET /api/two-factor lists the authenticator as enabled.
  bool AuthenticatorEnabled(const TestAccount& account) {
    const nlohmann::json list = Send("GET", "/api/two-factor", "", account.access_token).json();
    for (const auto& provider : list["data"]) {
      if (provider["type"] == 0) return provider["enabled"].get<bool>();
    }
    return false;
  }
};
KW_SERVER_TEST_ON_EACH_DATABASE(TwoFactorRoutesTest);

TEST_P(TwoFactorRoutesTest, AuthenticatorCodesRememberTokensAndTheRecoveryCode) {
  const TestAccount alice = NewUser("alice@example.com");
  const SecureBuffer secret = EnableAuthenticator(alice);
  ASSERT_FALSE(HasFailure());
  EXPECT_TRUE(AuthenticatorEnabled(alice));

  // The password alone is not enough now: the CLI is told which second steps there are.
  const TestResponse asked = PasswordGrant(alice);
  EXPECT_EQ(asked.status, 400);
  EXPECT_EQ(asked.json()["TwoFactorProviders"], nlohmann::json({"0"})) << asked.body;

  // The next step's code (the enrolment used this one's), and a remember token with it.
  const std::string code = TotpCode(secret.span(), StepNow() + 1);
  const TestResponse second = SecondStep(alice, "0", code, /*remember=*/true);
  ASSERT_EQ(second.status, 200) << second.body;
  const std::string remember = second.json().value("TwoFactorToken", "");
  EXPECT_FALSE(remember.empty());
  EXPECT_EQ(SecondStep(alice, "0", code).status, 400) << "a code is used once";
  EXPECT_EQ(SecondStep(alice, "5", remember).status, 200) << "the remember token";
  EXPECT_EQ(SecondStep(alice, "5", "not-a-remember-token").status, 400);

  // The recovery code logs in once and turns two-step login off, forgetting remembered devices.
  const TestResponse recover =
      Post("/api/two-factor/get-recover", {{"masterPasswordHash", alice.client_hash}}, alice.access_token);
  ASSERT_EQ(recover.status, 200) << recover.body;
  const std::string recovery_code = recover.json().value("code", "");
  EXPECT_EQ(SecondStep(alice, "8", "wrong code 1234567890ab").status, 400);
  const TestResponse recovered = SecondStep(alice, "8", recovery_code);
  ASSERT_EQ(recovered.status, 200) << recovered.body;
  EXPECT_FALSE(AuthenticatorEnabled(alice));
  EXPECT_EQ(PasswordGrant(alice).status, 200);
  EXPECT_EQ(SecondStep(alice, "8", recovery_code).status, 200) << "no second step is asked for any more";
}

TEST_P(TwoFactorRoutesTest, DisablingTheAuthenticatorLetsThePasswordAloneIn) {
  const TestAccount alice = NewUser("alice@example.com");
  EnableAuthenticator(alice);
  ASSERT_FALSE(HasFailure());
  EXPECT_EQ(PasswordGrant(alice).status, 400);
  const TestResponse disabled =
      Send("PUT", "/api/two-factor/disable",
           nlohmann::json{{"masterPasswordHash", alice.client_hash}, {"type", 0}}.dump(), alice.access_token);
  ASSERT_EQ(disabled.status, 200) << disabled.body;
  EXPECT_EQ(disabled.json()["enabled"], false);
  EXPECT_FALSE(AuthenticatorEnabled(alice));
  EXPECT_EQ(PasswordGrant(alice).status, 200);
}

// E-mail login codes, below the routes (the server has no mail sender wired in yet): stored as
// hashes, replaced by a newer code, five wrong attempts and the code is dead, a right one is
// used once. On a second handle to the server's database, as another instance would be.
TEST_P(TwoFactorRoutesTest, EmailLoginCodesAreCountedReplacedAndUsedOnce) {
  const TestAccount alice = NewUser("alice@example.com");
  auto database = OpenServerDatabase(config_->database);
  ASSERT_TRUE(database.ok()) << database.status().ToString();
  std::optional<store::User> user;
  ASSERT_TRUE((*database)
                  ->Read([&](sql::Session& session) -> Status {
                    KW_ASSIGN_OR_RETURN(user, store::FindUserById(session, alice.id));
                    return OkStatus();
                  })
                  .ok());
  ASSERT_TRUE(user.has_value());
  std::string mailed;
  TwoFactorLogin login(**database, [&](const store::User&, const std::string& code) {
    mailed = code;
    return OkStatus();
  });
  const TimePoint now = Clock::System().Now();
  const TimeMs now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const auto consume = [&](const std::string& code) {
    bool matched = false;
    const Status done = (*database)->Transact([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(matched, ConsumeEmailCode(session, alice.id, code, now_ms));
      return OkStatus();
    });
    EXPECT_TRUE(done.ok()) << done.ToString();
    return matched;
  };
  const auto wrong = [](const std::string& code) { return code == "000000" ? std::string("111111") : "000000"; };

  ASSERT_TRUE(login.SendLoginCode(*user, now).ok());
  const std::string first = mailed;
  ASSERT_TRUE(login.SendLoginCode(*user, now).ok());
  const std::string second = mailed;
  if (first != second) {
    EXPECT_FALSE(consume(first)) << "a replaced code";
  }
  EXPECT_FALSE(consume(wrong(second)));
  EXPECT_TRUE(consume(second));
  EXPECT_FALSE(consume(second)) << "used once";

  ASSERT_TRUE(login.SendLoginCode(*user, now).ok());
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(consume(wrong(mailed)));
  }
  EXPECT_FALSE(consume(mailed)) << "five wrong attempts end a code";
}

}  // namespace
}  // namespace keywarden::server::testing
