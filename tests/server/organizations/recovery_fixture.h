// Test support for account recovery: the account recovery policy, a member's enrolment as the web
// vault makes it, and an administrator's recovery as the web admin console computes it, all with
// libkeywarden's keys: the server sees only what those clients send.
#ifndef KEYWARDEN_TESTS_SERVER_ORGANIZATIONS_RECOVERY_FIXTURE_H_
#define KEYWARDEN_TESTS_SERVER_ORGANIZATIONS_RECOVERY_FIXTURE_H_

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "keywarden/keys/account_recovery.h"
#include "server/organizations/organization_fixture.h"

namespace keywarden::server::testing {

class RecoveryTest : public OrganizationTest {
 protected:
  TestResponse SavePolicy(const TestOrganization& organization, const TestAccount& caller, int type, bool enabled,
                          const nlohmann::json& data = nullptr) {
    return Send("PUT", "/api/organizations/" + organization.id + "/policies/" + std::to_string(type),
                nlohmann::json{{"policy", {{"enabled", enabled}, {"data", data}}}, {"metadata", nullptr}}.dump(),
                caller.access_token);
  }

  // Single organisation, then account recovery administration (which requires it).
  void EnableRecovery(const TestOrganization& organization, const TestAccount& owner, bool auto_enroll = false) {
    ASSERT_EQ(SavePolicy(organization, owner, 3, true).status, 200);
    const TestResponse saved = SavePolicy(organization, owner, 8, true, {{"autoEnrollEnabled", auto_enroll}});
    ASSERT_EQ(saved.status, 200) << saved.body;
  }

  // The account's user key, as its client unlocks it with the password (`kdf`: the account's).
  std::optional<SymmetricKey> UserKeyOf(const TestAccount& account, const std::string& password,
                                        const KdfConfig& kdf = keywarden::testing::TestKdf()) {
    const nlohmann::json profile = Send("GET", "/api/accounts/profile", "", account.access_token).json();
    auto encrypted = EncString::Parse(profile.value("key", ""));
    if (!encrypted.ok()) return std::nullopt;
    auto key = UnlockWithPassword(password, account.email, kdf, *encrypted);
    if (!key.ok()) return std::nullopt;
    return *std::move(key);
  }

  // What the web vault sends to enrol `account` (logged in) in `organization`.
  nlohmann::json EnrolmentBody(const TestOrganization& organization, const TestAccount& account) {
    const TestResponse public_key =
        Send("GET", "/api/organizations/" + organization.id + "/public-key", "", account.access_token);
    EXPECT_EQ(public_key.status, 200) << public_key.body;
    auto org_public_key = RsaPublicKey::FromBase64(public_key.json().value("publicKey", ""));
    std::optional<SymmetricKey> user_key = UserKeyOf(account, account.password);
    EXPECT_TRUE(org_public_key.ok() && user_key.has_value());
    if (!org_public_key.ok() || !user_key) return nullptr;
    auto enrolment = EnrollAccountRecovery(*user_key, *org_public_key);
    EXPECT_TRUE(enrolment.ok());
    return {{"resetPasswordKey", enrolment->ToString()}, {"masterPasswordHash", account.client_hash}};
  }

  TestResponse Enrol(const TestOrganization& organization, const TestAccount& account, const nlohmann::json& body) {
    return Send("PUT", "/api/organizations/" + organization.id + "/users/" + account.id + "/reset-password-enrollment",
                body.dump(), account.access_token);
  }
  TestResponse Enrol(const TestOrganization& organization, const TestAccount& account) {
    return Enrol(organization, account, EnrolmentBody(organization, account));
  }

  TestResponse Details(const TestOrganization& organization, const TestAccount& caller, const std::string& member_id) {
    return Send("GET", "/api/organizations/" + organization.id + "/users/" + member_id + "/reset-password-details", "",
                caller.access_token);
  }

  static KdfConfig KdfOf(const nlohmann::json& details) {
    if (details.value("kdf", 0) == 1) {
      return KdfConfig::Argon2id(details.value("kdfIterations", 0), details.value("kdfMemory", 0),
                                 details.value("kdfParallelism", 0));
    }
    return KdfConfig::Pbkdf2(details.value("kdfIterations", 0));
  }

  // What the web admin console sends to give the member `new_password`, computed from the
  // reset-password details with the organisation key; null if the details do not open.
  nlohmann::json RecoveryBody(const TestOrganization& organization, const nlohmann::json& details,
                              const std::string& new_password, bool reset_two_factor = false) {
    auto org_private_key = EncString::Parse(details.value("encryptedPrivateKey", ""));
    auto reset_password_key = AsymmetricEncString::Parse(details.value("resetPasswordKey", ""));
    if (!org_private_key.ok() || !reset_password_key.ok()) return nullptr;
    const KdfConfig kdf = KdfOf(details);
    const std::string salt = details.value("masterPasswordSalt", "");
    auto recovered = RecoverAccount({.org_key = *organization.key,
                                     .org_encrypted_private_key = *org_private_key,
                                     .reset_password_key = *reset_password_key,
                                     .new_password = new_password,
                                     .email = salt,
                                     .kdf = kdf});
    EXPECT_TRUE(recovered.ok()) << recovered.status().ToString();
    if (!recovered.ok()) return nullptr;
    return {{"resetMasterPassword", true},
            {"resetTwoFactor", reset_two_factor},
            {"newMasterPasswordHash", recovered->server_hash},
            {"key", recovered->encrypted_user_key.ToString()}};
  }

  TestResponse Recover(const TestOrganization& organization, const TestAccount& caller, const std::string& member_id,
                       const nlohmann::json& body, const std::string& path = "recover-account") {
    return Send("PUT", "/api/organizations/" + organization.id + "/users/" + member_id + "/" + path, body.dump(),
                caller.access_token);
  }

  // The client's hash of `password` for `account` under `kdf`.
  static std::string ClientHashFor(const TestAccount& account, const std::string& password, const KdfConfig& kdf) {
    auto master_key = MasterKey::Derive(password, account.email, kdf);
    EXPECT_TRUE(master_key.ok());
    if (!master_key.ok()) return "";
    auto hash = master_key->ServerHash(password);
    return hash.ok() ? *hash : "";
  }
};

}  // namespace keywarden::server::testing

#endif  // KEYWARDEN_TESTS_SERVER_ORGANIZATIONS_RECOVERY_FIXTURE_H_
