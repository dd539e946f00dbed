// Registration bodies are checked field by field, and each refusal names the field.
#include "server/accounts/account_fields.h"

#include <gtest/gtest.h>

#include "server/api/field_error.h"
#include "server/server_fixture.h"

namespace keywarden::server::testing {
namespace {

std::string FieldOf(const Status& status) {
  auto error = api::AsFieldError(status);
  return error ? error->field : "";
}

TEST(AccountFieldsTest, TheWebVaultsBodyIsAccepted) {
  auto fields = ParseNewAccount(RegistrationBody(" Bob@Example.com", "pw"));
  // The salt must be the normalised address: the body above used it untrimmed, so it is refused.
  EXPECT_EQ(FieldOf(fields.status()), "MasterPasswordUnlock.Salt");
  auto good = ParseNewAccount(RegistrationBody("bob@example.com", "pw"));
  ASSERT_TRUE(good.ok()) << good.status().message();
  EXPECT_EQ(good->email, "bob@example.com");
  EXPECT_EQ(good->kdf.type, 1);
  EXPECT_EQ(good->kdf.memory, 16);
  EXPECT_EQ(good->master_password_hash.size(), 32U);
}

TEST(AccountFieldsTest, EachMalformedFieldIsNamed) {
  const nlohmann::json good = RegistrationBody("bob@example.com", "pw");
  struct Case {
    std::string field;
    std::function<void(nlohmann::json&)> spoil;
  };
  const std::vector<Case> cases = {
      {"Email", [](nlohmann::json& b) { b.erase("email"); }},
      {"Email", [](nlohmann::json& b) { b["email"] = "not an address"; }},
      {"Name", [](nlohmann::json& b) { b["name"] = std::string(51, 'x'); }},
      {"MasterPasswordHash",
       [](nlohmann::json& b) { b["masterPasswordAuthentication"]["masterPasswordAuthenticationHash"] = "short"; }},
      {"MasterPasswordAuthentication.Kdf.Iterations",
       [](nlohmann::json& b) {
         b["masterPasswordAuthentication"]["kdf"]["iterations"] = 1;
         b["masterPasswordUnlock"]["kdf"]["iterations"] = 1;
       }},
      {"MasterPasswordUnlock.Kdf", [](nlohmann::json& b) { b["masterPasswordUnlock"]["kdf"]["memory"] = 32; }},
      {"UserSymmetricKey",
       [](nlohmann::json& b) { b["masterPasswordUnlock"]["masterKeyWrappedUserKey"] = "2.not|an|encstring"; }},
      {"UserAsymmetricKeys.PublicKey", [](nlohmann::json& b) { b["userAsymmetricKeys"]["publicKey"] = "AAAA"; }},
      {"UserAsymmetricKeys.EncryptedPrivateKey",
       [](nlohmann::json& b) { b["userAsymmetricKeys"]["encryptedPrivateKey"] = 7; }},
      {"UserAsymmetricKeys", [](nlohmann::json& b) { b.erase("userAsymmetricKeys"); }},
  };
  for (const Case& c : cases) {
    nlohmann::json body = good;
    c.spoil(body);
    auto parsed = ParseNewAccount(body);
    ASSERT_FALSE(parsed.ok()) << c.field;
    EXPECT_EQ(FieldOf(parsed.status()), c.field) << parsed.status().message();
  }
}

}  // namespace
}  // namespace keywarden::server::testing
