// Test support for `connector transfer` and `connector import-reference`: the keys a test expects in
// a destination, and the two ways of checking them there:
//   - ExpectStoreHolds: the destination's database has exactly these users, with these dates;
//   - ExpectApiServes: a connector started in-process on the destination's configuration (with a
//     test token issuer) answers GET /user-keys with each key.
#ifndef KEYWARDEN_TESTS_E2E_STORED_KEYS_H_
#define KEYWARDEN_TESTS_E2E_STORED_KEYS_H_

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connector/config/connector_config.h"
#include "connector/connector_service.h"
#include "connector/store/open_key_store.h"
#include "jose/jwt_signer.h"
#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/random.h"
#include "support/http_test_client.h"

namespace keywarden::testing {

struct ExpectedKey {
  std::vector<std::uint8_t> key;
  TimeMs creation_date = 0;
  std::optional<TimeMs> revision_date;
  std::optional<TimeMs> last_access_date;
};

using ExpectedKeys = std::map<std::string, ExpectedKey>;  // by canonical user id

inline std::vector<std::uint8_t> RandomKey(std::size_t size) {
  std::vector<std::uint8_t> bytes(size);
  EXPECT_TRUE(RandomBytes(bytes).ok());
  return bytes;
}

// A random canonical (lower-case) GUID.
inline std::string RandomUserId() {
  const std::vector<std::uint8_t> bytes = RandomKey(16);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) id += '-';
    id += kHex[bytes[i] >> 4];
    id += kHex[bytes[i] & 15];
  }
  return id;
}

// `text` as a TOML basic string, quotes included.
inline std::string TomlString(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// A Keywarden configuration file: the `database` lines of its [database] section (by default
// SQLite at `sqlite_path`), the RSA key `key_file` (its password in `password_file`, if any).
// The identity server is never contacted by these tests.
inline void WriteConnectorConfig(const std::string& path, const std::string& sqlite_path, const std::string& key_file,
                                 const std::string& password_file = "", const std::string& database = "") {
  std::ofstream out(path);
  out << "identity_server_uri = \"http://127.0.0.1:9\"\n"
      << "[database]\n"
      << (database.empty() ? "sqlite_path = " + TomlString(sqlite_path) + "\n" : database)
      << "[rsa_key]\nkey_file = " << TomlString(key_file) << "\n";
  if (!password_file.empty()) out << "key_password_file = " << TomlString(password_file) << "\n";
}

// The database of the deployment `config_path` describes holds exactly `expected`'s users, each
// with its dates.
inline void ExpectStoreHolds(const std::string& config_path, const ExpectedKeys& expected) {
  auto config = connector::LoadConnectorConfig(config_path, {});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  auto store = connector::OpenKeyStore(config->database);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto count = (*store)->CountUserKeys();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, expected.size());
  for (const auto& [user, key] : expected) {
    auto record = (*store)->GetUserKey(user);
    ASSERT_TRUE(record.ok()) << user << ": " << record.status().ToString();
    EXPECT_EQ(record->creation_date, key.creation_date) << user;
    EXPECT_EQ(record->revision_date, key.revision_date) << user;
    EXPECT_EQ(record->last_access_date, key.last_access_date) << user;
  }
}

// A connector on `config_path`'s deployment serves every key of `expected` over HTTP.
inline void ExpectApiServes(const std::string& config_path, const ExpectedKeys& expected) {
  auto config = connector::LoadConnectorConfig(config_path, {});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  config->listen = {"127.0.0.1", 0};
  config->limits.threads = 2;
  config->log.audit = false;

  constexpr char kIssuer[] = "https://identity.keywarden.test";
  auto generated = jose::JwtSigner::Generate(jose::JwsAlgorithm::kRs256, "transfer-test");
  ASSERT_TRUE(generated.ok());
  auto signer = std::make_shared<jose::JwtSigner>(std::move(generated).value());
  connector::ConnectorServiceOptions options;
  options.local_issuer = connector::ConnectorServiceOptions::LocalIssuer{
      kIssuer, [signer]() -> Result<std::string> { return signer->JwksJson(); }};
  auto service = connector::ConnectorService::Start(*config, std::move(options));
  ASSERT_TRUE(service.ok()) << service.status().ToString();

  for (const auto& [user, key] : expected) {
    auto token = signer->Mint(
        nlohmann::json::object(),
        jose::JwtSigner::StandardClaims(kIssuer, user, std::chrono::system_clock::now(), std::chrono::minutes(10)));
    ASSERT_TRUE(token.ok());
    const TestResponse response =
        SendRequest((*service)->port(), "GET", "/user-keys", {{"Authorization", "Bearer " + *token}});
    ASSERT_EQ(response.status, 200) << user << ": " << response.body;
    EXPECT_EQ(response.json()["key"], Base64Encode(key.key)) << user;
  }
  (*service)->Stop(std::chrono::milliseconds(1000));
}

}  // namespace keywarden::testing

#endif  // KEYWARDEN_TESTS_E2E_STORED_KEYS_H_
