// Test support: a client of a Keywarden server on a loopback port, doing what the official
// clients do: register as the 2026 web vault does (the key hierarchy computed by libkeywarden),
// log in with the password grant, refresh, and call the API with a bearer token. Shared by the
// in-process server tests (tests/server/) and the tests of the built binary (tests/e2e/).
//
// Plain functions over SendRequest (support/http_test_client.h): one request per connection, so
// any number of threads may use them at once.
#ifndef KEYWARDEN_TESTS_SUPPORT_SERVER_CLIENT_H_
#define KEYWARDEN_TESTS_SUPPORT_SERVER_CLIENT_H_

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "keywarden/crypto/kdf.h"
#include "keywarden/crypto/master_key.h"
#include "keywarden/keys/account.h"
#include "net/percent_encoding.h"
#include "support/http_test_client.h"

namespace keywarden::testing {

// What a client knows about its account.
struct TestAccount {
  std::string email;
  std::string password;
  std::string client_hash;  // base64: what the client sends as the password
  std::string id;
  std::string access_token;
  std::string refresh_token;
};

// The cheapest KDF the clients accept, so that tests derive keys quickly.
inline KdfConfig TestKdf() { return KdfConfig::Argon2id(2, 16, 1); }

inline nlohmann::json KdfJson() { return {{"kdfType", 1}, {"iterations", 2}, {"memory", 16}, {"parallelism", 1}}; }

// A register/finish body as the 2026 web vault sends it.
inline nlohmann::json RegistrationBody(const std::string& email, const std::string& password) {
  auto master_key = MasterKey::Derive(password, email, TestKdf());
  EXPECT_TRUE(master_key.ok());
  auto hash = master_key->ServerHash(password);
  auto account = InitializeAccount(*master_key);
  EXPECT_TRUE(hash.ok() && account.ok());
  return {{"email", email},
          {"name", "Test"},
          {"masterPasswordHint", nullptr},
          {"masterPasswordAuthentication",
           {{"salt", email}, {"kdf", KdfJson()}, {"masterPasswordAuthenticationHash", *hash}}},
          {"masterPasswordUnlock",
           {{"salt", email},
            {"kdf", KdfJson()},
            {"masterKeyWrappedUserKey", account->stored.encrypted_user_key.ToString()}}},
          {"userAsymmetricKeys",
           {{"publicKey", account->stored.public_key.ToBase64()},
            {"encryptedPrivateKey", account->stored.encrypted_private_key.ToString()}}}};
}

// The base64 master password hash the client sends for `password` (salt: the e-mail).
inline std::string ClientHash(const std::string& email, const std::string& password) {
  auto master_key = MasterKey::Derive(password, email, TestKdf());
  EXPECT_TRUE(master_key.ok());
  if (!master_key.ok()) return "";
  auto hash = master_key->ServerHash(password);
  EXPECT_TRUE(hash.ok());
  return hash.ok() ? *hash : "";
}

// Forms are encoded by the project's one encoder.
using ::keywarden::net::FormEncode;

// A JSON API call; `token` (when given) goes in Authorization: Bearer.
inline TestResponse SendApi(std::uint16_t port, const std::string& method, const std::string& path,
                            const std::string& body = "", const std::string& token = "") {
  std::vector<std::pair<std::string, std::string>> headers = {{"Content-Type", "application/json; charset=utf-8"}};
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  return SendRequest(port, method, path, headers, body);
}

// POST /identity/connect/token with `fields`, form-encoded.
inline TestResponse SendTokenRequest(std::uint16_t port,
                                     const std::vector<std::pair<std::string, std::string>>& fields) {
  return SendRequest(port, "POST", "/identity/connect/token",
                     {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}, {"Device-Type", "25"}},
                     FormEncode(fields));
}

// The password grant's form as the CLI sends it, from `device`.
inline std::vector<std::pair<std::string, std::string>> PasswordGrantFields(const TestAccount& account,
                                                                            const std::string& device) {
  return {{"grant_type", "password"},      {"username", account.email}, {"password", account.client_hash},
          {"scope", "api offline_access"}, {"client_id", "cli"},        {"deviceType", "25"},
          {"deviceIdentifier", device},    {"deviceName", "linux"}};
}

// The password grant as the CLI sends it, from `device`.
inline TestResponse SendPasswordGrant(std::uint16_t port, const TestAccount& account,
                                      const std::string& device = "device-1") {
  return SendTokenRequest(port, PasswordGrantFields(account, device));
}

// The refresh_token grant as the CLI sends it.
inline TestResponse SendRefreshGrant(std::uint16_t port, const std::string& refresh_token) {
  return SendTokenRequest(port,
                          {{"grant_type", "refresh_token"}, {"client_id", "cli"}, {"refresh_token", refresh_token}});
}

// Registers `email` as the web vault does; the account's password is "password of <email>".
inline TestAccount RegisterAccount(std::uint16_t port, const std::string& email) {
  TestAccount account;
  account.email = email;
  account.password = "password of " + email;
  const TestResponse finished =
      SendApi(port, "POST", "/identity/accounts/register/finish", RegistrationBody(email, account.password).dump());
  EXPECT_EQ(finished.status, 200) << finished.body;
  account.client_hash = ClientHash(email, account.password);
  return account;
}

// Logs `account` in with the password grant and reads its id; fills the tokens and the id.
inline void LogIn(std::uint16_t port, TestAccount& account, const std::string& device = "device-1") {
  const TestResponse login = SendPasswordGrant(port, account, device);
  EXPECT_EQ(login.status, 200) << login.body;
  const nlohmann::json body = login.json();
  if (!body.is_object()) return;
  account.access_token = body.value("access_token", "");
  account.refresh_token = body.value("refresh_token", "");
  const nlohmann::json profile = SendApi(port, "GET", "/api/accounts/profile", "", account.access_token).json();
  if (profile.is_object()) account.id = profile.value("id", "");
}

}  // namespace keywarden::testing

#endif  // KEYWARDEN_TESTS_SUPPORT_SERVER_CLIENT_H_
