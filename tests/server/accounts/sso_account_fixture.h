// Test support for accounts that single sign-on provisions (docs member-decryption.md 7.6): an
// account made without a master password or keys, with an Invited membership, as the login flow
// leaves it, logged in with its personal API key (the one login it has); organisations with
// single sign-on set the way the admin console sets it; and the keys the clients send when
// such an account sets up Key Connector or its first master password, made by libkeywarden.
#ifndef KEYWARDEN_TESTS_SERVER_ACCOUNTS_SSO_ACCOUNT_FIXTURE_H_
#define KEYWARDEN_TESTS_SERVER_ACCOUNTS_SSO_ACCOUNT_FIXTURE_H_

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "auth/user_id.h"
#include "keywarden/crypto/master_key.h"
#include "keywarden/keys/account.h"
#include "server/notifications/push_outbox.h"
#include "server/organizations/member_store.h"
#include "server/sso/sso_fixture.h"
#include "server/store/users.h"

namespace keywarden::server::testing {

struct SsoAccount {
  TestAccount account;  // no password; access_token from the API key
  std::string api_key;
};

class SsoAccountTest : public SsoTest {
 protected:
  // The organisation's single sign-on with `decryption` (0 master password, 1 Key Connector,
  // 2 trusted devices) under `identifier`, with the policies Key Connector needs.
  void EnableSso(const TestOrganization& organization, const TestAccount& owner, const std::string& identifier,
                 int decryption) {
    if (decryption == 1) {
      ASSERT_EQ(SetPolicy(organization, owner, 3, true).status, 200);
      ASSERT_EQ(SetPolicy(organization, owner, 4, true).status, 200);
    }
    const TestResponse saved = SaveSso(organization, owner, ConsoleBody(identifier, decryption));
    ASSERT_EQ(saved.status, 200) << saved.body;
  }

  // Runs `work` in one unit of work on the server's database.
  void Write(const std::function<Status(sql::Session&)>& work) {
    auto database = OpenServerDatabase(config_->database);
    ASSERT_TRUE(database.ok()) << database.status().ToString();
    const Status done = (*database)->Transact(work);
    ASSERT_TRUE(done.ok()) << done.ToString();
  }

  // An account as single sign-on provisions it: no password, no user key; with `key_pair`, the
  // key pair a trusted-devices member's first login stores.
  SsoAccount NewSsoAccount(const std::string& email, bool key_pair = false) {
    SsoAccount out;
    auto id = auth::NewGuid();
    auto stamp = auth::NewGuid();
    EXPECT_TRUE(id.ok() && stamp.ok());
    out.api_key = "api-key-of-" + *id;
    store::User user;
    user.id = *id;
    user.email = email;
    user.email_verified = true;
    user.salt = email;
    user.security_stamp = *stamp;
    user.api_key = out.api_key;
    user.premium = true;
    if (key_pair) {
      auto made = InitializeAccount(*MasterKey::Generate());
      EXPECT_TRUE(made.ok());
      user.public_key = made->stored.public_key.ToBase64();
      user.private_key = made->stored.encrypted_private_key.ToString();
    }
    user.creation_date = user.revision_date = user.account_revision_date = 1700000000000;
    Write([&](sql::Session& session) { return store::InsertUser(session, user); });
    out.account.email = email;
    out.account.id = *id;
    LogInWithApiKey(out);
    return out;
  }

  TestResponse ApiKeyGrant(const SsoAccount& sso) {
    return Token({{"grant_type", "client_credentials"},
                  {"client_id", "user." + sso.account.id},
                  {"client_secret", sso.api_key},
                  {"scope", "api"},
                  {"deviceType", "25"},
                  {"deviceIdentifier", "cli-device"},
                  {"deviceName", "linux"}});
  }
  void LogInWithApiKey(SsoAccount& sso) {
    const TestResponse login = ApiKeyGrant(sso);
    ASSERT_EQ(login.status, 200) << login.body;
    sso.account.access_token = login.json().value("access_token", "");
  }

  // The membership the login flow gives a provisioned account: `type` (2 User), Invited.
  std::string AddProvisionedMember(const TestOrganization& organization, const std::string& user_id, int type = 2,
                                   organizations::MemberStatus status = organizations::MemberStatus::kInvited) {
    auto id = auth::NewGuid();
    EXPECT_TRUE(id.ok());
    organizations::Member member;
    member.id = *id;
    member.organization_id = organization.id;
    member.user_id = user_id;
    member.type = *organizations::MemberTypeFromInt(type);
    member.status = status;
    member.creation_date = member.revision_date = 1700000000000;
    Write([&](sql::Session& session) { return organizations::InsertMember(session, member); });
    return *id;
  }

  // The member's status as its organisation's managers see it.
  int MemberStatusOf(const TestOrganization& organization, const TestAccount& owner, const std::string& member_id) {
    const TestResponse details =
        Send("GET", "/api/organizations/" + organization.id + "/users/" + member_id + "?", "", owner.access_token);
    EXPECT_EQ(details.status, 200) << details.body;
    return details.json().value("status", -9);
  }

  nlohmann::json Profile(const TestAccount& account) {
    const TestResponse profile = Send("GET", "/api/accounts/profile", "", account.access_token);
    EXPECT_EQ(profile.status, 200) << profile.body;
    return profile.json();
  }

  // The account's own events (not the organisations' copies).
  std::multiset<int> UserEventTypes(const std::string& user_id) {
    static constexpr sql::Statement kEvents = {"test_user_events",
                                               "SELECT type FROM events WHERE user_id = $1 AND organization_id IS NULL",
                                               nullptr, nullptr, "to read an account's events"};
    service_->events().Flush();
    const sql::Rows rows = Query(kEvents, sql::Params().Text(user_id));
    std::multiset<int> out;
    for (std::size_t i = 0; i < rows.size(); ++i) out.insert(static_cast<int>(*rows.Int(i, 0)));
    return out;
  }

  // The 400's message, or the first validation error's field when the model state is invalid.
  static std::string Refusal(const TestResponse& answer) {
    const nlohmann::json body = answer.json();
    if (body.contains("validationErrors") && body["validationErrors"].is_object() &&
        !body["validationErrors"].empty()) {
      return body["validationErrors"].begin().key();
    }
    return body.value("message", "");
  }
};

}  // namespace keywarden::server::testing

#endif  // KEYWARDEN_TESTS_SERVER_ACCOUNTS_SSO_ACCOUNT_FIXTURE_H_
