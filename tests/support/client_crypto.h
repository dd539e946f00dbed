// Test support: what an official Bitwarden client derives and sends for an account, computed
// with libkeywarden: the master password hash, a register/finish body as the 2026 web vault
// sends it, and form encoding for the token endpoint. Shared by the in-process server tests
// (tests/server/server_fixture.h) and the end-to-end tests that run the server as a process.
#ifndef KEYWARDEN_TESTS_SUPPORT_CLIENT_CRYPTO_H_
#define KEYWARDEN_TESTS_SUPPORT_CLIENT_CRYPTO_H_

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "keywarden/crypto/kdf.h"
#include "keywarden/crypto/master_key.h"
#include "keywarden/keys/account.h"

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

// The master password hash the client sends for `password` (base64), under TestKdf().
inline std::string ClientHash(const std::string& email, const std::string& password) {
  auto master_key = MasterKey::Derive(password, email, TestKdf());
  EXPECT_TRUE(master_key.ok());
  if (!master_key.ok()) return "";
  auto hash = master_key->ServerHash(password);
  EXPECT_TRUE(hash.ok());
  return hash.ok() ? *hash : "";
}

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

// application/x-www-form-urlencoded, every byte but the unreserved ones percent-encoded.
inline std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += name + "=";
    for (unsigned char c : value) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
        out.push_back(static_cast<char>(c));
      } else {
        static constexpr char kHex[] = "0123456789ABCDEF";
        out += '%';
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
      }
    }
  }
  return out;
}

}  // namespace keywarden::testing

#endif  // KEYWARDEN_TESTS_SUPPORT_CLIENT_CRYPTO_H_
