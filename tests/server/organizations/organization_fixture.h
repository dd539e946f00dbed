// Test support for organisations: a server (SQLite and PostgreSQL) and clients that create
// organisations and add members the way the web vault and `bw confirm org-member` do, with the
// keys made and shared by libkeywarden: the server only ever sees them encrypted.
#ifndef KEYWARDEN_TESTS_SERVER_ORGANIZATIONS_ORGANIZATION_FIXTURE_H_
#define KEYWARDEN_TESTS_SERVER_ORGANIZATIONS_ORGANIZATION_FIXTURE_H_

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>

#include "keywarden/crypto/asymmetric_enc_string.h"
#include "keywarden/crypto/enc_string.h"
#include "keywarden/keys/account.h"
#include "keywarden/keys/organization.h"
#include "server/server_fixture.h"

namespace keywarden::server::testing {

struct TestOrganization {
  std::string id;
  std::shared_ptr<SymmetricKey> key;  // the organisation key, as its owner's client holds it
  std::string owner_member_id;
};

class OrganizationTest : public ServerTestOnEachDatabase {
 protected:
  // The account's public key, as `bw confirm org-member` reads it.
  RsaPublicKey PublicKeyOf(const TestAccount& caller, const std::string& user_id) {
    const TestResponse answer = Send("GET", "/api/users/" + user_id + "/public-key", "", caller.access_token);
    EXPECT_EQ(answer.status, 200) << answer.body;
    auto key = RsaPublicKey::FromBase64(answer.json().value("publicKey", ""));
    EXPECT_TRUE(key.ok());
    return *std::move(key);
  }

  // The body of POST /api/organizations as the web vault builds it, for `owner`.
  nlohmann::json CreationBody(const TestAccount& owner, const std::string& name, std::optional<NewOrganization>& made) {
    auto created = CreateOrganization();
    EXPECT_TRUE(created.ok());
    made.emplace(*std::move(created));
    auto owner_key = ShareOrganizationKey(made->org_key, PublicKeyOf(owner, owner.id));
    auto collection = EncString::EncryptText(made->org_key, "Default collection");
    EXPECT_TRUE(owner_key.ok() && collection.ok());
    return {
        {"name", name},
        {"billingEmail", owner.email},
        {"planType", 0},
        {"key", owner_key->ToString()},
        {"keys",
         {{"publicKey", made->public_key.ToBase64()}, {"encryptedPrivateKey", made->encrypted_private_key.ToString()}}},
        {"collectionName", collection->ToString()},
        {"useSecretsManager", false}};
  }

  TestOrganization NewOrganizationOf(const TestAccount& owner, const std::string& name = "Acme") {
    std::optional<NewOrganization> made;
    const TestResponse created = Post("/api/organizations", CreationBody(owner, name, made), owner.access_token);
    EXPECT_EQ(created.status, 200) << created.body;
    TestOrganization organization;
    organization.id = created.json().value("id", "");
    organization.key = std::make_shared<SymmetricKey>(made->org_key.Clone());
    organization.owner_member_id = MemberIdOf(organization, owner, owner.email);
    return organization;
  }

  // The member id of the account with `email`, from the member list `caller` may read.
  std::string MemberIdOf(const TestOrganization& organization, const TestAccount& caller, const std::string& email) {
    const TestResponse list = Send("GET", "/api/organizations/" + organization.id + "/users?", "", caller.access_token);
    EXPECT_EQ(list.status, 200) << list.body;
    const nlohmann::json body = list.json();
    for (const auto& member : body["data"]) {
      if (member.value("email", "") == email) return member.value("id", "");
    }
    ADD_FAILURE() << email << " is not in " << list.body;
    return "";
  }

  // Invites `account` (an existing account: without mail, accepted at once) as `type`.
  std::string Invite(const TestOrganization& organization, const TestAccount& inviter, const TestAccount& account,
                     int type, const nlohmann::json& permissions = nullptr) {
    const TestResponse invited = Post("/api/organizations/" + organization.id + "/users/invite",
                                      {{"emails", {account.email}},
                                       {"type", type},
                                       {"permissions", permissions},
                                       {"collections", nlohmann::json::array()},
                                       {"groups", nlohmann::json::array()},
                                       {"accessSecretsManager", false}},
                                      inviter.access_token);
    EXPECT_EQ(invited.status, 200) << invited.body;
    return MemberIdOf(organization, inviter, account.email);
  }

  // What `bw confirm org-member` does: the member's details, their public key, and the
  // organisation key encapsulated to it.
  TestResponse Confirm(const TestOrganization& organization, const TestAccount& confirmer,
                       const std::string& member_id) {
    const TestResponse details =
        Send("GET", "/api/organizations/" + organization.id + "/users/" + member_id + "?", "", confirmer.access_token);
    EXPECT_EQ(details.status, 200) << details.body;
    const std::string user_id = details.json().value("userId", "");
    auto shared = ShareOrganizationKey(*organization.key, PublicKeyOf(confirmer, user_id));
    EXPECT_TRUE(shared.ok());
    return Post("/api/organizations/" + organization.id + "/users/" + member_id + "/confirm",
                {{"key", shared->ToString()}}, confirmer.access_token);
  }

  // Invites and confirms: a full member of `type`. Returns the member id.
  std::string AddMember(const TestOrganization& organization, const TestAccount& owner, const TestAccount& account,
                        int type, const nlohmann::json& permissions = nullptr) {
    const std::string member_id = Invite(organization, owner, account, type, permissions);
    const TestResponse confirmed = Confirm(organization, owner, member_id);
    EXPECT_EQ(confirmed.status, 200) << confirmed.body;
    return member_id;
  }

  nlohmann::json Sync(const TestAccount& account) {
    const TestResponse sync = Send("GET", "/api/sync?excludeDomains=true", "", account.access_token);
    EXPECT_EQ(sync.status, 200) << sync.body;
    return sync.json();
  }

  // The organisation key as `account`'s client opens it from its sync, or nullptr.
  std::shared_ptr<SymmetricKey> OpenedKey(const TestAccount& account, const std::string& organization_id) {
    const nlohmann::json sync = Sync(account);
    auto encrypted_user_key = EncString::Parse(sync["profile"].value("key", ""));
    auto encrypted_private_key = EncString::Parse(sync["profile"].value("privateKey", ""));
    if (!encrypted_user_key.ok() || !encrypted_private_key.ok()) return nullptr;
    auto user_key =
        UnlockWithPassword(account.password, account.email, keywarden::testing::TestKdf(), *encrypted_user_key);
    if (!user_key.ok()) return nullptr;
    auto private_key = DecryptPrivateKey(*user_key, *encrypted_private_key);
    if (!private_key.ok()) return nullptr;
    for (const auto& organization : sync["profile"]["organizations"]) {
      if (organization.value("id", "") != organization_id || !organization["key"].is_string()) continue;
      auto shared = AsymmetricEncString::Parse(organization["key"].get<std::string>());
      if (!shared.ok()) return nullptr;
      auto opened = OpenOrganizationKey(*shared, *private_key);
      if (!opened.ok()) return nullptr;
      return std::make_shared<SymmetricKey>(*std::move(opened));
    }
    return nullptr;
  }
};

}  // namespace keywarden::server::testing

#endif  // KEYWARDEN_TESTS_SERVER_ORGANIZATIONS_ORGANIZATION_FIXTURE_H_
