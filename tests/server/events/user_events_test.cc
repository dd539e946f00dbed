// User events as the reference logs them, on SQLite and on PostgreSQL: a log-in, a wrong
// password, a wrong two-step code, a new password, two-step login turned on and off and
// recovered, each logged exactly once for the account and once more in each organisation where
// it is a confirmed member (and which is enabled).
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdio>
#include <set>

#include "keywarden/crypto/enc_string.h"
#include "keywarden/crypto/symmetric_key.h"
#include "server/events/events_fixture.h"
#include "server/two_factor/totp.h"

namespace keywarden::server::testing {
namespace {

using organizations::MemberStatus;
using organizations::MemberType;

// RFC 6238 (SHA-1, 6 digits): the code an authenticator app shows for time step `step`.
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

class UserEventsTest : public EventsTest {
 protected:
  // The account's own events, oldest first.
  std::vector<int> OwnTypes(const TestAccount& account) {
    log().Flush();
    std::vector<int> types = Types(ReadAll("/api/events", account.access_token));
    std::reverse(types.begin(), types.end());
    return types;
  }

  TestResponse SecondStep(const TestAccount& account, const std::string& provider, const std::string& token) {
    return Token({{"grant_type", "password"},
                  {"username", account.email},
                  {"password", account.client_hash},
                  {"scope", "api offline_access"},
                  {"client_id", "cli"},
                  {"deviceType", "25"},
                  {"deviceIdentifier", "device-1"},
                  {"deviceName", "linux"},
                  {"twoFactorProvider", provider},
                  {"twoFactorToken", token}});
  }

  SecureBuffer EnableAuthenticator(const TestAccount& account) {
    const TestResponse offered =
        Post("/api/two-factor/get-authenticator", {{"masterPasswordHash", account.client_hash}}, account.access_token);
    EXPECT_EQ(offered.status, 200) << offered.body;
    const std::string key = offered.json().value("key", "");
    auto secret = two_factor::DecodeTotpSecret(key);
    EXPECT_TRUE(secret.ok());
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
};

TEST_P(UserEventsTest, LogInsAndFailedLogInsAreLoggedOnceEach) {
  TestAccount account = NewUser("login@example.com");
  EXPECT_EQ(OwnTypes(account), (std::vector<int>{1000}));
  const nlohmann::json login = Send("GET", "/api/events", "", account.access_token).json()["data"][0];
  EXPECT_EQ(login["userId"], account.id);
  EXPECT_EQ(login["actingUserId"], account.id);
  EXPECT_TRUE(login["organizationId"].is_null());
  EXPECT_EQ(login["deviceType"], 25);
  EXPECT_EQ(login["ipAddress"], "127.0.0.1");

  TestAccount wrong = account;
  wrong.client_hash = ClientHash(account.email, "not the password");
  EXPECT_EQ(PasswordGrant(wrong).status, 400);
  // An unknown account has nobody to log for; a refresh is not a log-in.
  TestAccount nobody = wrong;
  nobody.email = "nobody@example.com";
  EXPECT_EQ(PasswordGrant(nobody).status, 400);
  EXPECT_EQ(keywarden::testing::SendRefreshGrant(port(), account.refresh_token).status, 200);
  EXPECT_EQ(OwnTypes(account), (std::vector<int>{1000, 1005}));
}

TEST_P(UserEventsTest, EventsAreCopiedToTheOrganisationsOfConfirmedMembers) {
  const std::string confirmed_org = CreateOrganization();
  const std::string accepted_org = CreateOrganization();
  const std::string disabled_org = CreateOrganization(/*enabled=*/false);
  TestAccount admin = NewUser("admin@example.com");
  TestAccount member = Register("member@example.com");
  keywarden::testing::LogIn(port(), member);
  AddMember(confirmed_org, admin.id, MemberType::kAdmin, MemberStatus::kConfirmed);
  AddMember(accepted_org, admin.id, MemberType::kAdmin, MemberStatus::kConfirmed);
  AddMember(disabled_org, admin.id, MemberType::kAdmin, MemberStatus::kConfirmed);
  AddMember(confirmed_org, member.id, MemberType::kUser, MemberStatus::kConfirmed);
  AddMember(accepted_org, member.id, MemberType::kUser, MemberStatus::kAccepted);
  AddMember(disabled_org, member.id, MemberType::kUser, MemberStatus::kConfirmed);

  keywarden::testing::LogIn(port(), member, "device-2");
  log().Flush();
  const auto in_org = ReadAll("/api/organizations/" + confirmed_org + "/events", admin.access_token);
  ASSERT_EQ(Types(in_org), (std::vector<int>{1000}));
  EXPECT_EQ(in_org[0]["userId"], member.id);
  EXPECT_EQ(in_org[0]["actingUserId"], member.id);
  EXPECT_EQ(in_org[0]["organizationId"], confirmed_org);
  EXPECT_TRUE(ReadAll("/api/organizations/" + accepted_org + "/events", admin.access_token).empty());
  // Still once in the account's own list.
  EXPECT_EQ(OwnTypes(member), (std::vector<int>{1000, 1000}));
}

TEST_P(UserEventsTest, PasswordAndTwoStepChangesAreLogged) {
  TestAccount account = NewUser("changes@example.com");

  const SecureBuffer secret = EnableAuthenticator(account);  // 1002
  ASSERT_FALSE(HasFailure());
  EXPECT_EQ(SecondStep(account, "0", "000000").status, 400);                                     // 1006
  EXPECT_EQ(SecondStep(account, "5", "not-a-remember-token").status, 400);                       // asks again: no event
  const TestResponse second = SecondStep(account, "0", TotpCode(secret.span(), StepNow() + 1));  // 1000
  ASSERT_EQ(second.status, 200) << second.body;
  account.access_token = second.json().value("access_token", "");

  const TestResponse disabled =
      Send("PUT", "/api/two-factor/disable",
           nlohmann::json{{"masterPasswordHash", account.client_hash}, {"type", 0}}.dump(), account.access_token);
  ASSERT_EQ(disabled.status, 200) << disabled.body;  // 1003
  // Turning off what is already off logs nothing, as the reference.
  EXPECT_EQ(Send("PUT", "/api/two-factor/disable",
                 nlohmann::json{{"masterPasswordHash", account.client_hash}, {"type", 1}}.dump(), account.access_token)
                .status,
            200);

  EnableAuthenticator(account);  // 1002
  const TestResponse recover =
      Post("/api/two-factor/get-recover", {{"masterPasswordHash", account.client_hash}}, account.access_token);
  ASSERT_EQ(recover.status, 200) << recover.body;
  const TestResponse recovered = SecondStep(account, "8", recover.json().value("code", ""));  // 1004, 1000
  ASSERT_EQ(recovered.status, 200) << recovered.body;

  const std::string new_hash = ClientHash(account.email, "a new password");
  static const SymmetricKey key = *SymmetricKey::Generate();
  const TestResponse changed = Post("/api/accounts/password",
                                    {{"masterPasswordHash", account.client_hash},
                                     {"newMasterPasswordHash", new_hash},
                                     {"key", EncString::EncryptText(key, "user key")->ToString()}},
                                    account.access_token);
  ASSERT_EQ(changed.status, 200) << changed.body;  // 1001
  account.client_hash = new_hash;
  keywarden::testing::LogIn(port(), account);  // 1000

  // Each once (events in one request may share a millisecond, so their order is not compared).
  const std::vector<int> types = OwnTypes(account);
  EXPECT_EQ(std::multiset<int>(types.begin(), types.end()),
            (std::multiset<int>{1000, 1002, 1006, 1000, 1003, 1002, 1004, 1000, 1001, 1000}));
}

KW_SERVER_TEST_ON_EACH_DATABASE(UserEventsTest);

}  // namespace
}  // namespace keywarden::server::testing
