// Registration bodies and KDF settings as the routes read them (server/accounts/account_fields.h):
// the 2026 body and the older one; each refusal is a field error naming the field, never an exception.
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

// The older register body: root hash, key, KDF fields and key pair (made once: an RSA key
// pair takes a while).
const nlohmann::json& LegacyBody() {
  static const nlohmann::json body = [] {
    const nlohmann::json modern = RegistrationBody("legacy@example.com", "a password");
    return nlohmann::json{
        {"email", "Legacy@Example.com "},
        {"masterPasswordHash", modern["masterPasswordAuthentication"]["masterPasswordAuthenticationHash"]},
        {"key", modern["masterPasswordUnlock"]["masterKeyWrappedUserKey"]},
        {"kdf", 0},
        {"kdfIterations", 600000},
        {"keys", modern["userAsymmetricKeys"]}};
  }();
  return body;
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

TEST(AccountFieldsTest, ReadsTheOlderBodyWithItsRootKdf) {
  auto account = ParseNewAccount(LegacyBody());
  ASSERT_TRUE(account.ok()) << account.status().ToString();
  EXPECT_EQ(account->email, "legacy@example.com");
  EXPECT_EQ(account->kdf.type, 0);
  EXPECT_EQ(account->kdf.iterations, 600000);

  // The root KDF fields are read without regard to case, like every other field.
  nlohmann::json respelled = LegacyBody();
  respelled.erase("kdf");
  respelled.erase("kdfIterations");
  respelled["Kdf"] = 1;
  respelled["KdfIterations"] = 3;
  respelled["KdfMemory"] = 64;
  respelled["KdfParallelism"] = 4;
  auto argon2 = ParseNewAccount(respelled);
  ASSERT_TRUE(argon2.ok()) << argon2.status().ToString();
  EXPECT_EQ(argon2->kdf.type, 1);
  EXPECT_EQ(argon2->kdf.parallelism, 4);
}

// Found by registration_body_fuzz ("kdfIterations": 61e300, a float converted to int: undefined
// behaviour); a root KDF field of another type threw from nlohmann's value(), which the server
// answered with a 500.
TEST(AccountFieldsTest, ARootKdfOfTheWrongTypeIsAFieldError) {
  for (const nlohmann::json& kdf : {nlohmann::json("0"), nlohmann::json(1e300), nlohmann::json(0.5),
                                    nlohmann::json::array(), nlohmann::json::object(), nlohmann::json(true)}) {
    nlohmann::json body = LegacyBody();
    body["kdf"] = kdf;
    auto account = ParseNewAccount(body);
    ASSERT_FALSE(account.ok()) << kdf.dump();
    EXPECT_EQ(account.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(FieldOf(account.status()), "Kdf.KdfType") << kdf.dump();
  }
  for (const nlohmann::json& iterations : {nlohmann::json("600000"), nlohmann::json(61e300)}) {
    nlohmann::json body = LegacyBody();
    body["kdfIterations"] = iterations;
    auto account = ParseNewAccount(body);
    ASSERT_FALSE(account.ok()) << iterations.dump();
    EXPECT_EQ(FieldOf(account.status()), "Kdf.Iterations") << iterations.dump();
  }
}

TEST(AccountFieldsTest, KdfRangesAreTheClientsOnes) {
  EXPECT_TRUE(ParseKdf({{"kdfType", 0}, {"iterations", 600000}}, "Kdf").ok());
  EXPECT_EQ(FieldOf(ParseKdf({{"kdfType", 0}, {"iterations", 599999}}, "Kdf").status()), "Kdf.Iterations");
  EXPECT_TRUE(ParseKdf({{"kdfType", 1}, {"iterations", 2}, {"memory", 15}, {"parallelism", 16}}, "Kdf").ok());
  EXPECT_EQ(FieldOf(ParseKdf({{"kdfType", 1}, {"iterations", 2}, {"memory", 14}, {"parallelism", 1}}, "Kdf").status()),
            "Kdf.Memory");
  EXPECT_EQ(FieldOf(ParseKdf({{"kdfType", 2}, {"iterations", 2}}, "Kdf").status()), "Kdf.KdfType");
  EXPECT_EQ(FieldOf(ParseKdf(nlohmann::json::array(), "Kdf").status()), "Kdf");
}

}  // namespace
}  // namespace keywarden::server::testing
