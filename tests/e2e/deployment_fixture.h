// Test support for the deployment verbs (backup, restore, health, upgrades): a temporary folder,
// the real `keywarden connector serve` as a child process on a free loopback port, a test identity
// issuer in this process (discovery and JWKS; tokens for any user), two RSA key files made once
// per suite, and a database filled in-process the way the connector fills it.
#ifndef KEYWARDEN_TESTS_E2E_DEPLOYMENT_FIXTURE_H_
#define KEYWARDEN_TESTS_E2E_DEPLOYMENT_FIXTURE_H_

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "connector/store/database_key_store.h"
#include "custody/data_keyring.h"
#include "custody/file/file_rsa_key_provider.h"
#include "e2e/child_process.h"
#include "e2e/cli_runner.h"
#include "e2e/service_health.h"
#include "e2e/stored_keys.h"
#include "http/server.h"
#include "jose/jwt_signer.h"
#include "keywarden/crypto/encoding.h"
#include "support/http_test_client.h"
#include "support/temp_dir.h"
#include "support/test_issuer.h"
#include "support/wait.h"

namespace keywarden::testing {

class CliDeploymentTest : public ::testing::Test {
 protected:
  using Headers = std::vector<std::pair<std::string, std::string>>;
  static constexpr char kIssuer[] = "https://identity.keywarden.test";

  static std::string ReadBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  static std::set<std::string> FolderNames(const std::filesystem::path& folder) {
    std::set<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(folder))
      names.insert(entry.path().filename().string());
    return names;
  }

  // One line on stderr containing `fragment`, nothing on stdout.
  static void ExpectFailure(const CliResult& r, int exit_code, std::string_view fragment) {
    EXPECT_EQ(r.exit_code, exit_code) << r.err;
    EXPECT_EQ(r.out, "");
    ASSERT_FALSE(r.err.empty());
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
    EXPECT_NE(r.err.find(fragment), std::string::npos) << r.err;
  }

  static nlohmann::json Json(const CliResult& r) { return SuccessJson(r); }

  // A count the CLI printed (its JSON values are strings).
  static std::uint64_t Count(const nlohmann::json& json, const char* field) {
    const std::string text = json.value(field, "");
    EXPECT_FALSE(text.empty()) << field << " missing in " << json.dump();
    return text.empty() ? 0 : std::stoull(text);
  }

  // One RSA key and one issuer (ES256: quick to make) for the suite: RSA key generation is slow.
  static void SetUpTestSuite() {
    keys_ = std::make_unique<TempDir>();
    ASSERT_TRUE(custody::CreateKeyFile(keys_->File("key.pem"), custody::KeyFileFormat::kPemPkcs8, nullptr).ok());
    issuer_ = TestIssuer::Start(kIssuer, jose::JwsAlgorithm::kEs256, "deployment-test");
    ASSERT_NE(issuer_, nullptr);
  }
  static void TearDownTestSuite() {
    issuer_.reset();
    keys_.reset();
  }
  void TearDown() override {
    if (connector_) connector_->Kill();
  }

  static std::string IssuerUri() { return issuer_->uri(); }
  static std::string KeyFile() { return keys_->File("key.pem"); }
  // Another RSA key, made on first use.
  static std::string OtherKeyFile() {
    const std::string path = keys_->File("other.pem");
    if (!std::filesystem::exists(path)) {
      EXPECT_TRUE(custody::CreateKeyFile(path, custody::KeyFileFormat::kPemPkcs8, nullptr).ok());
    }
    return path;
  }

  static Headers Auth(const std::string& user, bool json = false) {
    Headers headers = {{"Authorization", "Bearer " + issuer_->Token(user)}};
    if (json) headers.emplace_back("Content-Type", "application/json");
    return headers;
  }

  // A configuration for `database` under `key_file`, listening on `port_`.
  std::string Config(const std::string& database, const std::string& key_file,
                     const std::string& name = "connector.toml") {
    const std::string path = dir_.File(name);
    std::ofstream(path) << "identity_server_uri = \"" << IssuerUri() << "\"\n"
                        << "listen = \"127.0.0.1:" << port_ << "\"\n"
                        << "[database]\nsqlite_path = \"" << database << "\"\n"
                        << "[rsa_key]\nkey_file = \"" << key_file << "\"\n"
                        << "[log]\naudit = false\n";
    return path;
  }

  // Starts `connector serve` and waits until /health answers 200.
  void StartConnector(const std::string& config) {
    connector_ = std::make_unique<ChildProcess>();
    ASSERT_TRUE(connector_->Spawn({"connector", "serve", "--config", config}, ChildEnvironment()));
    ASSERT_TRUE(ServesHealth(*connector_, port_, std::chrono::seconds(6)));
  }
  void StopConnector() {
    ASSERT_TRUE(connector_ && connector_->Signal(SIGTERM));
    const std::optional<int> code = connector_->WaitExit(std::chrono::seconds(20));
    ASSERT_TRUE(code.has_value());
    EXPECT_EQ(*code, 0) << connector_->err();
    connector_.reset();
  }

  int Post(const std::string& user, const std::vector<std::uint8_t>& key) {
    return SendRequest(port_, "POST", "/user-keys", Auth(user, true), nlohmann::json{{"key", Base64Encode(key)}}.dump())
        .status;
  }
  // The key the connector serves for `user`, or "" (with the status in `status`).
  std::string Get(const std::string& user, int* status = nullptr) {
    const TestResponse response = SendRequest(port_, "GET", "/user-keys", Auth(user));
    if (status != nullptr) *status = response.status;
    return response.status == 200 ? response.json().value("key", "") : "";
  }

  CliResult Cli(const std::vector<std::string>& args) { return RunCliWithEnv(args, ChildEnvironment()); }

  // A database under `key_file` holding `count` random keys, written in-process.
  ExpectedKeys MakeDatabase(const std::string& path, const std::string& key_file, int count) {
    auto provider = custody::FileRsaKeyProvider::Load(key_file, nullptr);
    EXPECT_TRUE(provider.ok());
    auto store = connector::store::SqliteKeyStore::Open(path);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    auto keyring = custody::DataKeyring::Open(**store, **provider);
    EXPECT_TRUE(keyring.ok()) << keyring.status().ToString();
    ExpectedKeys keys;
    for (int i = 0; i < count && keyring.ok(); ++i) {
      const std::string user = RandomUserId();
      ExpectedKey expected{RandomKey(32), 1700000000000 + i, std::nullopt, std::nullopt};
      auto sealed = (*keyring)->Seal(user, expected.key);
      EXPECT_TRUE(sealed.ok());
      EXPECT_TRUE(
          (*store)
              ->InsertUserKey({user, sealed->second, sealed->first, expected.creation_date, std::nullopt, std::nullopt})
              .ok());
      keys.emplace(user, std::move(expected));
    }
    return keys;
  }

  TempDir dir_;
  std::uint16_t port_ = FreePort();
  std::unique_ptr<ChildProcess> connector_;

  static inline std::unique_ptr<TempDir> keys_;
  static inline std::unique_ptr<TestIssuer> issuer_;
};

}  // namespace keywarden::testing

#endif  // KEYWARDEN_TESTS_E2E_DEPLOYMENT_FIXTURE_H_
