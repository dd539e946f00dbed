// `keywarden connector rotate-data-key` and `rotate-rsa-key`, run as the real binary against a
// real SQLite file, with real RSA keys made at run time, while a connector in this process (real
// HTTP over loopback, a test token issuer) serves a steady load of GETs and PUTs.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "connector/config/connector_config.h"
#include "connector/connector_service.h"
#include "connector/store/database_key_store.h"
#include "custody/data_keyring.h"
#include "custody/file/file_rsa_key_provider.h"
#include "custody/open_rsa_key_provider.h"
#include "e2e/child_process.h"
#include "e2e/cli_runner.h"
#include "e2e/stored_keys.h"
#include "jose/jwt_signer.h"
#include "keywarden/crypto/encoding.h"
#include "support/http_test_client.h"
#include "support/softhsm_token.h"
#include "support/temp_dir.h"
#include "support/wait.h"

namespace keywarden::testing {
namespace {

using namespace std::chrono_literals;
using KeyMap = std::map<std::string, std::vector<std::uint8_t>>;

constexpr char kIssuer[] = "https://identity.keywarden.test";

// ---- the load: GETs and PUTs from two client threads, each owning its own users ----

class Load {
 public:
  using TokenFn = std::function<std::string(const std::string&)>;

  Load(std::uint16_t port, const KeyMap& keys, std::size_t users, TokenFn token)
      : port_(port), token_(std::move(token)) {
    // Spread over the id range, so the rotation meets them early and late.
    const std::size_t step = std::max<std::size_t>(1, keys.size() / std::max<std::size_t>(users, 1));
    std::size_t i = 0;
    for (auto it = keys.begin(); it != keys.end() && i / step < users; ++it, ++i) {
      if (i % step == 0) owned_[(i / step) % kThreads][it->first] = it->second;
    }
    for (int t = 0; t < kThreads; ++t) threads_.emplace_back([this, t] { Run(t); });
  }
  ~Load() { Stop(); }

  void Stop() {
    stop_ = true;
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  // After Stop(): the keys the load's users hold now.
  KeyMap Keys() const {
    KeyMap out;
    for (const KeyMap& part : owned_) out.insert(part.begin(), part.end());
    return out;
  }
  int gets() const { return gets_; }
  int puts() const { return puts_; }
  std::vector<std::string> failures() {
    std::lock_guard lock(mu_);
    return failures_;
  }

 private:
  static constexpr int kThreads = 2;

  void Run(int t) {
    std::mt19937 random(static_cast<unsigned>(t) + 1);
    KeyMap& mine = owned_[t];
    std::vector<std::string> users;
    for (const auto& [user, key] : mine) users.push_back(user);
    std::map<std::string, std::string> tokens;
    for (const std::string& user : users) tokens[user] = token_(user);
    while (!stop_) {
      const std::string& user = users[random() % users.size()];
      const Headers auth = {{"Authorization", "Bearer " + tokens[user]}};
      if (random() % 3 == 0) {
        std::vector<std::uint8_t> key = RandomKey(64);
        Headers headers = auth;
        headers.emplace_back("Content-Type", "application/json");
        const TestResponse r =
            SendRequest(port_, "PUT", "/user-keys", headers, nlohmann::json{{"key", Base64Encode(key)}}.dump());
        ++puts_;
        if (r.status != 200) {
          Fail("PUT " + user + ": " + std::to_string(r.status) + " " + r.body);
        } else {
          mine[user] = std::move(key);
        }
      } else {
        const TestResponse r = SendRequest(port_, "GET", "/user-keys", auth);
        ++gets_;
        if (r.status != 200) {
          Fail("GET " + user + ": " + std::to_string(r.status) + " " + r.body);
        } else if (r.json().value("key", "") != Base64Encode(mine[user])) {
          Fail("GET " + user + ": another key");
        }
      }
    }
  }
  void Fail(std::string what) {
    std::lock_guard lock(mu_);
    if (failures_.size() < 10) failures_.push_back(std::move(what));
  }
  using Headers = std::vector<std::pair<std::string, std::string>>;

  const std::uint16_t port_;
  const TokenFn token_;
  KeyMap owned_[kThreads];
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  std::atomic<int> gets_{0};
  std::atomic<int> puts_{0};
  std::mutex mu_;
  std::vector<std::string> failures_;
};

// ---- fixture ----

class CliConnectorRotate : public ::testing::Test {
 protected:
  // RSA keys for the suite: generating them is slow.
  static void SetUpTestSuite() {
    keys_ = std::make_unique<TempDir>();
    for (const char* name : {"a.pem", "b.pem"}) {
      ASSERT_TRUE(custody::CreateKeyFile(keys_->File(name), custody::KeyFileFormat::kPemPkcs8, nullptr).ok());
    }
    auto signer = jose::JwtSigner::Generate(jose::JwsAlgorithm::kRs256, "rotate-test");
    ASSERT_TRUE(signer.ok());
    signer_ = std::make_shared<jose::JwtSigner>(std::move(signer).value());
  }
  static void TearDownTestSuite() {
    signer_.reset();
    keys_.reset();
  }

  void SetUp() override {
    db_ = dir_.File("connector.db");
    config_a_ = dir_.File("a.toml");
    config_b_ = dir_.File("b.toml");
    WriteConnectorConfig(config_a_, db_, KeyA());
    WriteConnectorConfig(config_b_, db_, KeyB());
  }
  void TearDown() override { StopService(); }

  static std::string KeyA() { return keys_->File("a.pem"); }
  static std::string KeyB() { return keys_->File("b.pem"); }
  // The RSA key a configuration names (a key file, or a key on a PKCS#11 token).
  static std::unique_ptr<custody::RsaKeyProvider> Provider(const std::string& config_path) {
    auto config = connector::LoadConnectorConfig(config_path, {});
    EXPECT_TRUE(config.ok()) << config.status().ToString();
    if (!config.ok()) return nullptr;
    auto provider = custody::OpenRsaKeyProvider(config->rsa_key);
    EXPECT_TRUE(provider.ok()) << provider.status().ToString();
    return provider.ok() ? std::move(provider).value() : nullptr;
  }

  // `count` users with random keys, sealed under `config_path`'s key and written in-process.
  KeyMap Seed(int count, const std::string& config_path) {
    auto provider = Provider(config_path);
    auto store = connector::store::SqliteKeyStore::Open(db_);
    EXPECT_TRUE(store.ok());
    auto keyring = custody::DataKeyring::Open(**store, *provider);
    EXPECT_TRUE(keyring.ok()) << keyring.status().ToString();
    KeyMap keys;
    std::vector<connector::store::UserKeyRecord> records;
    for (int i = 0; i < count && keyring.ok(); ++i) {
      const std::string user = RandomUserId();
      std::vector<std::uint8_t> key = RandomKey(64);
      auto sealed = (*keyring)->Seal(user, key);
      EXPECT_TRUE(sealed.ok());
      records.push_back({user, sealed->second, sealed->first, 1700000000000 + i, std::nullopt, std::nullopt});
      keys.emplace(user, std::move(key));
    }
    EXPECT_TRUE((*store)->PutUserKeysExact(records).ok());
    return keys;
  }

  // The connector, in this process, on `config_path`'s database and key.
  void StartService(const std::string& config_path) {
    auto config = connector::LoadConnectorConfig(config_path, {});
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    config->listen = {"127.0.0.1", 0};
    config->limits.threads = 2;
    config->log.audit = false;
    connector::ConnectorServiceOptions options;
    options.local_issuer = connector::ConnectorServiceOptions::LocalIssuer{
        kIssuer, [signer = signer_]() -> Result<std::string> { return signer->JwksJson(); }};
    auto service = connector::ConnectorService::Start(*config, std::move(options));
    ASSERT_TRUE(service.ok()) << service.status().ToString();
    service_ = std::move(service).value();
  }
  void StopService() {
    if (service_) service_->Stop(1000ms);
    service_.reset();
  }
  std::uint16_t port() const { return service_->port(); }

  static std::string Token(const std::string& user) {
    auto token = signer_->Mint(nlohmann::json::object(),
                               jose::JwtSigner::StandardClaims(kIssuer, user, std::chrono::system_clock::now(), 10min));
    EXPECT_TRUE(token.ok());
    return token.ok() ? *token : "";
  }

  // Every key, read through the running connector's API.
  void ExpectServed(const KeyMap& keys) {
    int wrong = 0;
    for (const auto& [user, key] : keys) {
      const TestResponse r = SendRequest(port(), "GET", "/user-keys", {{"Authorization", "Bearer " + Token(user)}});
      if (r.status != 200 || r.json().value("key", "") != Base64Encode(key)) {
        if (++wrong <= 5) ADD_FAILURE() << user << ": " << r.status << " " << r.body;
      }
    }
    EXPECT_EQ(wrong, 0);
  }

  // The database holds exactly `keys`, each under `version` and opening with `config_path`'s key.
  void ExpectStored(const KeyMap& keys, std::uint32_t version, const std::string& config_path) {
    auto provider = Provider(config_path);
    auto store = connector::store::SqliteKeyStore::Open(db_);
    ASSERT_TRUE(store.ok());
    auto keyring = custody::DataKeyring::Open(**store, *provider);
    ASSERT_TRUE(keyring.ok()) << keyring.status().ToString();
    auto rows = (*store)->ListUserKeys("", 1000000);
    ASSERT_TRUE(rows.ok());
    ASSERT_EQ(rows->size(), keys.size());
    int wrong = 0;
    for (const connector::store::UserKeyRecord& row : *rows) {
      auto key = (*keyring)->Open(row.user_id, row.data_key_version, row.sealed);
      const auto want = keys.find(row.user_id);
      if (row.data_key_version != version || !key.ok() || want == keys.end() || !key->Equals(want->second)) {
        if (++wrong <= 5) ADD_FAILURE() << row.user_id << " under version " << row.data_key_version;
      }
    }
    EXPECT_EQ(wrong, 0);
  }

  // version -> fingerprints wrapping it.
  std::map<std::uint32_t, std::set<std::string>> Wrappings() {
    std::map<std::uint32_t, std::set<std::string>> out;
    auto store = connector::store::SqliteKeyStore::Open(db_);
    EXPECT_TRUE(store.ok());
    auto keys = (*store)->ListDataKeys();
    EXPECT_TRUE(keys.ok());
    for (const auto& key : *keys) out[key.version].insert(key.provider_key_fingerprint);
    return out;
  }

  // Rows per data key version.
  std::map<std::uint32_t, int> RowsByVersion() {
    std::map<std::uint32_t, int> out;
    auto store = connector::store::SqliteKeyStore::Open(db_);
    EXPECT_TRUE(store.ok());
    auto rows = (*store)->ListUserKeys("", 1000000);
    EXPECT_TRUE(rows.ok());
    for (const auto& row : *rows) ++out[row.data_key_version];
    return out;
  }

  static CliResult Cli(const std::vector<std::string>& args) { return RunCliWithEnv(args, ChildEnvironment()); }

  // One line on stderr containing `fragment`, nothing on stdout.
  static void ExpectFailure(const CliResult& r, int exit_code, std::string_view fragment) {
    EXPECT_EQ(r.exit_code, exit_code) << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
    EXPECT_NE(r.err.find(fragment), std::string::npos) << r.err;
  }

  TempDir dir_;
  std::string db_;
  std::string config_a_;
  std::string config_b_;
  std::unique_ptr<SoftHsmToken> token_;  // outlives the connector using it (members go in reverse)
  std::unique_ptr<connector::ConnectorService> service_;

  static inline std::unique_ptr<TempDir> keys_;
  static inline std::shared_ptr<jose::JwtSigner> signer_;
};

// ---- rotate-data-key ----

TEST_F(CliConnectorRotate, DataKeyRotatesWhileTheConnectorServesWithoutAFailedRequest) {
  KeyMap keys = Seed(600, config_a_);
  StartService(config_a_);
  Load load(port(), keys, 60, &Token);
  std::this_thread::sleep_for(300ms);

  const nlohmann::json summary =
      RunOk({"connector", "rotate-data-key", "--config", config_a_, "--batch", "50", "--quiet"});
  std::this_thread::sleep_for(300ms);  // writes after the rotation must land under the new version
  load.Stop();
  EXPECT_EQ(load.failures(), std::vector<std::string>{});
  EXPECT_GT(load.gets(), 20);
  EXPECT_GT(load.puts(), 10);

  EXPECT_EQ(summary["data_key_version"], 2);
  EXPECT_EQ(summary["data_key_versions"], nlohmann::json::array({1, 2}));
  EXPECT_EQ(summary["created_version"], true);
  EXPECT_EQ(summary["resumed"], false);
  EXPECT_EQ(summary["failed"], 0);
  EXPECT_EQ(summary["verified"], 600);
  EXPECT_GE(summary["passes"].get<int>(), 2);
  EXPECT_GE(summary["resealed"].get<int>() + summary["already_current"].get<int>(), 600 - 60);
  EXPECT_GT(summary["seconds"].get<double>(), 0);

  for (const auto& [user, key] : load.Keys()) keys[user] = key;
  ExpectStored(keys, 2, config_a_);
  ExpectServed(keys);
}

// SIGKILL mid-way, twice, then a run to the end: resumed (no third version), every key intact.
TEST_F(CliConnectorRotate, DataKeyRotationKilledMidwayResumes) {
  const KeyMap keys = Seed(3000, config_a_);
  const std::vector<std::string> slow = {"connector", "rotate-data-key", "--config", config_a_, "--batch",
                                         "20",        "--pause-ms",      "20"};
  std::mt19937 random(std::random_device{}());
  for (int kill = 0; kill < 2; ++kill) {
    ChildProcess rotation;
    ASSERT_TRUE(rotation.Spawn(slow, ChildEnvironment()));
    // Progress on a pipe: plain lines, the first one after the first page.
    ASSERT_TRUE(rotation.WaitForStderr("re-sealed", 30s)) << rotation.err();
    std::this_thread::sleep_for(std::chrono::milliseconds(random() % 200));
    ASSERT_TRUE(rotation.Signal(SIGKILL));
    EXPECT_EQ(rotation.WaitExit(10s), std::optional<int>(-1));
    EXPECT_NE(rotation.err().find("rotate-data-key: pass 1: "), std::string::npos) << rotation.err();
    EXPECT_EQ(rotation.out(), "");

    const std::map<std::uint32_t, int> rows = RowsByVersion();
    EXPECT_EQ(Wrappings().size(), 2u) << "a killed run resumed must not add a version";
    EXPECT_GT(rows.count(2) ? rows.at(2) : 0, 0);
    EXPECT_GT(rows.count(1) ? rows.at(1) : 0, 0) << "the run was not cut short";
  }

  const nlohmann::json summary =
      RunOk({"connector", "rotate-data-key", "--config", config_a_, "--batch", "500", "--quiet"});
  EXPECT_EQ(summary["resumed"], true);
  EXPECT_EQ(summary["created_version"], false);
  EXPECT_EQ(summary["data_key_version"], 2);
  EXPECT_EQ(summary["data_key_versions"], nlohmann::json::array({1, 2}));
  EXPECT_EQ(summary["resealed"].get<int>() + summary["already_current"].get<int>(), 3000);
  EXPECT_GT(summary["already_current"].get<int>(), 0);
  EXPECT_EQ(summary["verified"], 3000);
  EXPECT_EQ(summary["failed"], 0);
  ExpectStored(keys, 2, config_a_);
}

// SIGKILL after the re-sealing pass (while it waits for connectors to settle before verifying):
// run again, it finishes that rotation (no version 3, nothing re-sealed twice), every key opens.
TEST_F(CliConnectorRotate, DataKeyRotationKilledAfterItsFirstPassIsFinishedNotRepeated) {
  const KeyMap keys = Seed(300, config_a_);
  ChildProcess rotation;
  ASSERT_TRUE(
      rotation.Spawn({"connector", "rotate-data-key", "--config", config_a_, "--batch", "100", "--pause-ms", "200"},
                     ChildEnvironment()));
  // The first pass takes about 0.4 s; the verifying pass waits until 3 s after the version was
  // made, then takes as long (were the machine so slow that it had begun, the state is the same).
  ASSERT_TRUE(rotation.WaitForStderr("(done)", 30s)) << rotation.err();
  ASSERT_TRUE(rotation.Signal(SIGKILL));
  ASSERT_EQ(rotation.WaitExit(10s), std::optional<int>(-1)) << "the run ended before it was killed";
  EXPECT_EQ(rotation.out(), "") << "the killed run printed its summary";
  EXPECT_NE(rotation.err().find("rotate-data-key: pass 1: 300/300 rows, 300 re-sealed"), std::string::npos)
      << rotation.err();
  EXPECT_EQ(RowsByVersion(), (std::map<std::uint32_t, int>{{2, 300}}));

  const CliResult rerun = Cli({"connector", "rotate-data-key", "--config", config_a_});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_NE(rerun.err.find("every key was already under data key version 2"), std::string::npos) << rerun.err;
  const nlohmann::json summary = nlohmann::json::parse(rerun.out);
  EXPECT_EQ(summary["resumed"], true);
  EXPECT_EQ(summary["created_version"], false);
  EXPECT_EQ(summary["data_key_version"], 2);
  EXPECT_EQ(summary["data_key_versions"], nlohmann::json::array({1, 2}));
  EXPECT_EQ(summary["resealed"], 0);
  EXPECT_EQ(summary["already_current"], 300);
  EXPECT_EQ(summary["verified"], 300);
  EXPECT_EQ(summary["failed"], 0);
  EXPECT_EQ(Wrappings().size(), 2u);
  ExpectStored(keys, 2, config_a_);

  // Asked for, a new version is made all the same.
  const nlohmann::json again =
      RunOk({"connector", "rotate-data-key", "--config", config_a_, "--new-version", "--quiet"});
  EXPECT_EQ(again["created_version"], true);
  EXPECT_EQ(again["data_key_version"], 3);
  EXPECT_EQ(again["resealed"], 300);
  ExpectStored(keys, 3, config_a_);
}

// On a terminal, stderr shows a bar redrawn in place.
TEST_F(CliConnectorRotate, DataKeyProgressIsABarOnATerminal) {
  Seed(200, config_a_);
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  ASSERT_GE(master, 0);
  ASSERT_EQ(::grantpt(master), 0);
  ASSERT_EQ(::unlockpt(master), 0);
  const std::string slave_path = ::ptsname(master);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, slave_path.c_str(), O_RDWR | O_NOCTTY, 0);
  std::vector<std::string> args = {KEYWARDEN_CLI_PATH, "connector", "rotate-data-key", "--config", config_a_,
                                   "--batch",          "20"};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> env = ChildEnvironment();
  std::vector<char*> envp;
  for (std::string& entry : env) envp.push_back(entry.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data()), 0);
  posix_spawn_file_actions_destroy(&actions);

  std::string screen;
  char buffer[4096];
  const auto deadline = std::chrono::steady_clock::now() + kCliDeadline;
  bool finished = false;
  while (!finished) {  // until the child closes the terminal (EIO), or the deadline
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd ready{master, POLLIN, 0};
    const int polled = left.count() > 0 ? ::poll(&ready, 1, static_cast<int>(left.count())) : 0;
    if (polled < 0 && errno == EINTR) continue;
    if (polled <= 0) break;
    const ssize_t n = ::read(master, buffer, sizeof buffer);
    if (n > 0) {
      screen.append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      finished = true;
    }
  }
  ::close(master);
  if (!finished) ::kill(pid, SIGKILL);
  const std::optional<int> status = WaitForExit(pid, 30s);
  ASSERT_TRUE(finished) << "rotate-data-key on a terminal still running after " << kCliDeadline.count()
                        << " s; killed. The terminal showed: " << screen;
  ASSERT_TRUE(status.has_value() && *status != -1)
      << "rotate-data-key closed its terminal but did not exit within 30 s";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << screen;
  EXPECT_NE(screen.find("\r"), std::string::npos) << screen;
  EXPECT_NE(screen.find("rotate-data-key pass 1 ["), std::string::npos) << screen;
  EXPECT_NE(screen.find("] 100% 200/200 rows, 200 re-sealed"), std::string::npos) << screen;
  EXPECT_NE(screen.find("#"), std::string::npos) << screen;
}

// ---- rotate-rsa-key ----

TEST_F(CliConnectorRotate, RsaKeyRotatesFileToFileWhileServingAndTheOldKeyOpensNothing) {
  KeyMap keys = Seed(300, config_a_);
  StartService(config_a_);
  Load load(port(), keys, 60, &Token);
  std::this_thread::sleep_for(300ms);

  const nlohmann::json summary = RunOk({"connector", "rotate-rsa-key", "--config", config_a_, "--to", config_b_});
  std::this_thread::sleep_for(300ms);
  load.Stop();
  EXPECT_EQ(load.failures(), std::vector<std::string>{});
  EXPECT_GT(load.gets() + load.puts(), 20);

  const std::string old_fingerprint = Provider(config_a_)->PublicKeyFingerprint();
  const std::string new_fingerprint = Provider(config_b_)->PublicKeyFingerprint();
  EXPECT_EQ(summary["old_fingerprint"], old_fingerprint);
  EXPECT_EQ(summary["new_fingerprint"], new_fingerprint);
  EXPECT_EQ(summary["data_key_versions"], nlohmann::json::array({1}));
  EXPECT_EQ(summary["wrapped"], 1);
  EXPECT_EQ(summary["retired"], 1);
  EXPECT_EQ(summary["kept_old"], false);
  EXPECT_EQ(Wrappings(), (std::map<std::uint32_t, std::set<std::string>>{{1, {new_fingerprint}}}));

  // Restarted with only the new key, the connector serves every key.
  for (const auto& [user, key] : load.Keys()) keys[user] = key;
  StopService();
  StartService(config_b_);
  ExpectServed(keys);
  ExpectStored(keys, 1, config_b_);

  // The old key opens nothing stored any more.
  auto old_key = Provider(config_a_);
  auto store = connector::store::SqliteKeyStore::Open(db_);
  ASSERT_TRUE(store.ok());
  auto old_keyring = custody::DataKeyring::Open(**store, *old_key);
  ASSERT_FALSE(old_keyring.ok());
  EXPECT_EQ(old_keyring.status().code(), ErrorCode::kUnavailable);
  auto wrappings = (*store)->ListDataKeys();
  ASSERT_TRUE(wrappings.ok());
  for (const auto& wrapping : *wrappings) EXPECT_FALSE(old_key->Unwrap(wrapping.wrapped).ok());
  ExpectFailure(Cli({"connector", "rotate-data-key", "--config", config_a_}), 4,
                "data key version 1 was not wrapped by this RSA key");

  // Both rotations together: the data key too, now under the new RSA key.
  const nlohmann::json data = RunOk({"connector", "rotate-data-key", "--config", config_b_, "--quiet"});
  EXPECT_EQ(data["data_key_version"], 2);
  StopService();
  StartService(config_b_);
  ExpectServed(keys);
}

// Between a key file and a key on a PKCS#11 token (SoftHSM2), both ways, while serving; after
// each rotation the connector restarts with only the new key and serves every key.
TEST_F(CliConnectorRotate, RsaKeyRotatesFileToPkcs11AndBackWhileServing) {
  KW_SOFTHSM_TOKEN_OR_SKIP(token_);
  const SoftHsmToken* token = token_.get();
  const std::string pin_file = dir_.File("pin");
  std::ofstream(pin_file) << token->user_pin() << "\n";
  const std::string config_hsm = dir_.File("hsm.toml");
  std::ofstream(config_hsm) << "identity_server_uri = \"http://127.0.0.1:9\"\n"
                            << "[database]\nsqlite_path = \"" << db_ << "\"\n"
                            << "[rsa_key]\nprovider = \"pkcs11\"\npkcs11_provider = \"softhsm\"\n"
                            << "pkcs11_token_serial = \"" << token->serial() << "\"\n"
                            << "pkcs11_key_label = \"rotated-in\"\n"
                            << "pkcs11_pin_file = \"" << pin_file << "\"\n";
  // The operator's way: a key pair generated on the token, never leaving it.
  const nlohmann::json init = RunOk({"connector", "init", "--pkcs11", "--config", config_hsm});
  const std::string hsm_fingerprint = init.value("fingerprint", "");
  ASSERT_EQ(hsm_fingerprint.size(), 64u);

  KeyMap keys = Seed(200, config_a_);
  const std::string fingerprint_a = Provider(config_a_)->PublicKeyFingerprint();
  const std::string fingerprint_b = Provider(config_b_)->PublicKeyFingerprint();
  struct Step {
    std::string from, to, old_fingerprint, new_fingerprint;
  };
  for (const Step& step : {Step{config_a_, config_hsm, fingerprint_a, hsm_fingerprint},
                           Step{config_hsm, config_b_, hsm_fingerprint, fingerprint_b}}) {
    StartService(step.from);
    auto load = std::make_unique<Load>(port(), keys, 40, &Token);
    std::this_thread::sleep_for(200ms);
    const nlohmann::json summary = RunOk({"connector", "rotate-rsa-key", "--config", step.from, "--to", step.to});
    std::this_thread::sleep_for(200ms);
    load->Stop();
    EXPECT_EQ(load->failures(), std::vector<std::string>{}) << step.from << " -> " << step.to;
    EXPECT_EQ(summary["old_fingerprint"], step.old_fingerprint);
    EXPECT_EQ(summary["new_fingerprint"], step.new_fingerprint);
    EXPECT_EQ(summary["retired"], 1);
    EXPECT_EQ(Wrappings(), (std::map<std::uint32_t, std::set<std::string>>{{1, {step.new_fingerprint}}}));
    for (const auto& [user, key] : load->Keys()) keys[user] = key;
    load.reset();
    StopService();

    StartService(step.to);
    ExpectServed(keys);
    StopService();
    ExpectStored(keys, 1, step.to);
  }
  EXPECT_EQ(Wrappings(), (std::map<std::uint32_t, std::set<std::string>>{{1, {fingerprint_b}}}));
}

TEST_F(CliConnectorRotate, RsaKeyKeepOldThenRetireInASecondRun) {
  const KeyMap keys = Seed(20, config_a_);
  const nlohmann::json kept =
      RunOk({"connector", "rotate-rsa-key", "--config", config_a_, "--to", config_b_, "--keep-old"});
  EXPECT_EQ(kept["kept_old"], true);
  EXPECT_EQ(kept["retired"], 0);
  const std::string a = Provider(config_a_)->PublicKeyFingerprint();
  const std::string b = Provider(config_b_)->PublicKeyFingerprint();
  EXPECT_EQ(Wrappings(), (std::map<std::uint32_t, std::set<std::string>>{{1, {a, b}}}));
  ExpectStored(keys, 1, config_a_);
  ExpectStored(keys, 1, config_b_);

  const nlohmann::json retired = RunOk({"connector", "rotate-rsa-key", "--config", config_a_, "--to", config_b_});
  EXPECT_EQ(retired["wrapped"], 0);
  EXPECT_EQ(retired["already_wrapped"], 1);
  EXPECT_EQ(retired["retired"], 1);
  EXPECT_EQ(Wrappings(), (std::map<std::uint32_t, std::set<std::string>>{{1, {b}}}));
  ExpectStored(keys, 1, config_b_);
}

TEST_F(CliConnectorRotate, MistakesAreOneLineWithTheDocumentedExitCodeAndChangeNothing) {
  const KeyMap keys = Seed(10, config_a_);
  const auto before = Wrappings();
  const std::string missing_key = dir_.File("missing.toml");
  WriteConnectorConfig(missing_key, db_, dir_.File("no-such-key.pem"));
  const std::string other_db = dir_.File("other-db.toml");
  WriteConnectorConfig(other_db, dir_.File("other.db"), KeyB());
  const std::string empty_db = dir_.File("empty-db.toml");
  WriteConnectorConfig(empty_db, dir_.File("empty.db"), KeyA());

  ExpectFailure(Cli({"connector", "rotate-rsa-key", "--config", config_a_, "--to", config_a_}), 2,
                "is the current one");
  ExpectFailure(Cli({"connector", "rotate-rsa-key", "--config", config_a_, "--to", dir_.File("nope.toml")}), 2,
                "connector rotate-rsa-key: --to");
  ExpectFailure(Cli({"connector", "rotate-rsa-key", "--config", config_a_, "--to", missing_key}), 3, "new RSA key");
  ExpectFailure(Cli({"connector", "rotate-rsa-key", "--config", config_a_, "--to", other_db}), 2, "another database");
  ExpectFailure(Cli({"connector", "rotate-rsa-key", "--config", config_a_}), 2, "--to");
  ExpectFailure(Cli({"connector", "rotate-rsa-key", "--config", missing_key, "--to", config_b_}), 3, "RSA key");
  ExpectFailure(Cli({"connector", "rotate-data-key", "--config", config_a_, "--batch", "0"}), 2, "--batch");
  ExpectFailure(Cli({"connector", "rotate-data-key", "--config", config_b_}), 4,
                "data key version 1 was not wrapped by this RSA key");
  ExpectFailure(Cli({"connector", "rotate-data-key", "--config", empty_db}), 4, "no data key");
  ExpectFailure(Cli({"connector", "rotate-data-key", "--config", dir_.File("nope.toml")}), 2, "configuration");

  EXPECT_EQ(Wrappings(), before);
  ExpectStored(keys, 1, config_a_);
}

}  // namespace
}  // namespace keywarden::testing
