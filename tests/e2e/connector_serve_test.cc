// `keywarden connector serve` and `keywarden connector check`, run as processes: the real binary,
// started with pipes on stdout and stderr, talked to over loopback sockets and stopped with
// SIGTERM. Every child still running when a test ends is killed in TearDown.
//
// The configured (non --dev) deployments use a test identity issuer served by this process
// (discovery document and JWKS) and one PKCS#12 key file made once with `connector init`.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <utility>

#include "connector/store/database_key_store.h"
#include "custody/data_keyring.h"
#include "custody/file/file_rsa_key_provider.h"
#include "e2e/child_process.h"
#include "e2e/cli_runner.h"
#include "http/router.h"
#include "http/server.h"
#include "jose/jwt_signer.h"
#include "keywarden/crypto/encoding.h"
#include "keywarden/crypto/random.h"
#include "support/http_test_client.h"
#include "support/temp_dir.h"
#include "support/test_issuer.h"
#include "support/wait.h"

namespace keywarden::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr char kIssuer[] = "https://identity.keywarden.test";
constexpr char kUser[] = "a09726a0-9590-49d1-a5f5-afe300b6a515";
constexpr char kPassword[] = "pfx password";

// ---- helpers ----

using keywarden::testing::TempDir;

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

// A connected loopback socket, or -1.
int Connect(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool Listening(std::uint16_t port) {
  const int fd = Connect(port);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Everything the peer sends until it closes, or until `timeout` passes.
std::string ReadUntilClose(int fd, std::chrono::milliseconds timeout) {
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    char buffer[4096];
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
  }
  return out;
}

// One response with a Content-Length body from a keep-alive connection, or "" after `timeout`.
std::string ReadOneResponse(int fd, std::chrono::milliseconds timeout) {
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const std::size_t end = out.find("\r\n\r\n");
    if (end != std::string::npos) {
      std::string lower = out.substr(0, end);
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const std::size_t at = lower.find("\r\ncontent-length:");
      const std::size_t length = at == std::string::npos ? 0 : std::stoul(lower.substr(at + 17));
      if (out.size() >= end + 4 + length) return out;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return "";
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return "";
    char buffer[4096];
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return "";
    out.append(buffer, static_cast<std::size_t>(n));
  }
}

std::string RandomKeyBase64() {
  std::vector<std::uint8_t> bytes(32);
  EXPECT_TRUE(RandomBytes(bytes).ok());
  return Base64Encode(bytes);
}

std::string KeyBody(const std::string& key) { return nlohmann::json{{"key", key}}.dump(); }

Headers Auth(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }
Headers AuthJson(const std::string& token) {
  return {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
}

// One line on stderr naming `fragment`, nothing on stdout.
void ExpectOneLineFailure(const CliResult& r, int exit_code, std::string_view fragment) {
  EXPECT_EQ(r.exit_code, exit_code) << r.err;
  EXPECT_EQ(r.out, "");
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
  EXPECT_NE(r.err.find(fragment), std::string::npos) << r.err;
}

// The one JSON object `check` prints on stdout.
nlohmann::json CheckJson(const CliResult& r) {
  EXPECT_FALSE(r.out.empty());
  if (r.out.empty()) return nlohmann::json::object();
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << "more than one line on stdout: " << r.out;
  nlohmann::json json = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(json.is_object()) << r.out;
  return json.is_object() ? json : nlohmann::json::object();
}

// The first line's text after `label` in the dev banner, up to `end` (or the end of the line).
std::string BannerField(const std::string& banner, std::string_view label, std::string_view end = "\n") {
  const std::size_t at = banner.find(label);
  if (at == std::string::npos) return "";
  const std::size_t start = banner.find_first_not_of(' ', at + label.size());
  if (start == std::string::npos) return "";
  const std::size_t stop = banner.find(end, start);
  return banner.substr(start, stop == std::string::npos ? std::string::npos : stop - start);
}

// The port of "http://HOST:PORT".
std::uint16_t UrlPort(const std::string& url) {
  const std::size_t colon = url.rfind(':');
  if (colon == std::string::npos) return 0;
  return static_cast<std::uint16_t>(std::stoi(url.substr(colon + 1)));
}

// ---- serve --dev ----

class CliConnectorServeDev : public ::testing::Test {
 protected:
  void TearDown() override { child_.Kill(); }
  ChildProcess child_;
};

TEST_F(CliConnectorServeDev, ServesPrintsATokenAndCleansUpOnSigterm) {
  ASSERT_TRUE(child_.Spawn({"connector", "serve", "--dev", "--listen", "127.0.0.1:0"}, ChildEnvironment()));
  ASSERT_TRUE(child_.WaitForStdout("/metrics\n", 30s)) << "stdout: " << child_.out() << "\nstderr: " << child_.err();
  const std::string banner = child_.out();
  const std::string url = BannerField(banner, "listening on");
  const std::string folder = BannerField(banner, "data folder", " (deleted on exit)");
  const std::string token = BannerField(banner, "export TOKEN='", "'");
  ASSERT_TRUE(url.starts_with("http://127.0.0.1:")) << banner;
  const std::uint16_t port = UrlPort(url);
  ASSERT_NE(port, 0) << banner;
  ASSERT_FALSE(token.empty()) << banner;
  EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2) << token;
  ASSERT_FALSE(folder.empty()) << banner;
  EXPECT_TRUE(fs::is_directory(folder)) << folder;

  EXPECT_EQ(SendRequest(port, "GET", "/alive").status, 200);
  EXPECT_EQ(SendRequest(port, "GET", "/user-keys", Auth(token)).status, 404);
  const std::string key = RandomKeyBase64();
  TestResponse posted = SendRequest(port, "POST", "/user-keys", AuthJson(token), KeyBody(key));
  EXPECT_EQ(posted.status, 200) << posted.body;
  TestResponse read = SendRequest(port, "GET", "/user-keys", Auth(token));
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.json()["key"], key);
  EXPECT_EQ(SendRequest(port, "GET", "/user-keys", Auth("not.a.token")).status, 401);

  // The dev issuer's own documents, on the same port.
  TestResponse discovery = SendRequest(port, "GET", "/.well-known/openid-configuration");
  ASSERT_EQ(discovery.status, 200);
  EXPECT_EQ(discovery.json()["issuer"], url);

  TestResponse metrics = SendRequest(port, "GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  bool post_counted = false;
  bool get_counted = false;
  std::istringstream lines(metrics.body);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("keywarden_http_requests_total{") || line.find("user-keys") == std::string::npos) continue;
    if (line.find("\"POST\"") != std::string::npos && line.find("\"200\"") != std::string::npos) post_counted = true;
    if (line.find("\"GET\"") != std::string::npos && line.find("\"200\"") != std::string::npos) get_counted = true;
  }
  EXPECT_TRUE(post_counted) << metrics.body;
  EXPECT_TRUE(get_counted) << metrics.body;
  // Sampled every second in --dev: a scrape never counts the table itself.
  KW_EXPECT_EVENTUALLY(
      SendRequest(port, "GET", "/metrics").body.find("keywarden_user_keys_stored 1") != std::string::npos, 10s);

  ASSERT_TRUE(child_.Signal(SIGTERM));
  const std::optional<int> code = child_.WaitExit(15s);
  ASSERT_TRUE(code.has_value()) << "still running 15 s after SIGTERM";
  EXPECT_EQ(*code, 0) << child_.err();
  EXPECT_FALSE(fs::exists(folder)) << folder;
  EXPECT_FALSE(Listening(port));
}

TEST_F(CliConnectorServeDev, RefusesToListenBeyondLoopback) {
  const std::uint16_t port = FreePort();
  for (const std::string& listen :
       std::vector<std::string>{"0.0.0.0:" + std::to_string(port), "[::]:" + std::to_string(port),
                                "192.0.2.10:" + std::to_string(port), "0.0.0.0:0"}) {
    SCOPED_TRACE(listen);
    const CliResult r = RunCliWithEnv({"connector", "serve", "--dev", "--listen", listen}, ChildEnvironment());
    ExpectOneLineFailure(r, 2, "loopback");
    EXPECT_FALSE(Listening(port));
  }
}

// ---- configured deployments ----

class CliConnectorDeployment : public ::testing::Test {
 protected:
  // One key file, one token signer and one issuer for the whole suite: key generation is slow.
  static void SetUpTestSuite() {
    suite_dir_ = std::make_unique<TempDir>();
    password_file_ = suite_dir_->File("key-password");
    WriteFile(password_file_, std::string(kPassword) + "\n");
    wrong_password_file_ = suite_dir_->File("wrong-password");
    WriteFile(wrong_password_file_, "not the password\n");
    key_file_ = suite_dir_->File("key.pfx");
    const CliResult init = RunCli({"connector", "init", "--key-file", key_file_, "--password", "@" + password_file_});
    ASSERT_EQ(init.exit_code, 0) << init.err;

    issuer_ = TestIssuer::Start(kIssuer, jose::JwsAlgorithm::kRs256, "issuer-key-1");
    ASSERT_NE(issuer_, nullptr);
  }

  static void TearDownTestSuite() {
    issuer_.reset();
    suite_dir_.reset();
  }

  void TearDown() override {
    for (auto& child : children_) child->Kill();
    children_.clear();
  }

  static std::string IssuerUri() { return issuer_->uri(); }

  static std::string Token(const std::string& user = kUser) { return issuer_->Token(user); }

  struct Toml {
    std::string identity_server_uri = IssuerUri();
    std::string sqlite_path;
    std::string key_file = key_file_;
    std::string password_file = password_file_;
    std::uint16_t port = 0;
    std::string extra_top;  // lines before any section

    // Chained setters: designated initializers would warn about the members left out.
    Toml& Identity(std::string v) {
      identity_server_uri = std::move(v);
      return *this;
    }
    Toml& Db(std::string v) {
      sqlite_path = std::move(v);
      return *this;
    }
    Toml& KeyFile(std::string v) {
      key_file = std::move(v);
      return *this;
    }
    Toml& PasswordFile(std::string v) {
      password_file = std::move(v);
      return *this;
    }
    Toml& Port(std::uint16_t v) {
      port = v;
      return *this;
    }
    Toml& ExtraTop(std::string v) {
      extra_top = std::move(v);
      return *this;
    }
  };

  std::string WriteConfig(const Toml& t) {
    std::string text = "identity_server_uri = \"" + t.identity_server_uri + "\"\n";
    text += "listen = \"127.0.0.1:" + std::to_string(t.port) + "\"\n";
    text += t.extra_top;
    text += "[database]\nsqlite_path = \"" + t.sqlite_path + "\"\n";
    text += "[rsa_key]\nkey_file = \"" + t.key_file + "\"\n";
    if (!t.password_file.empty()) text += "key_password_file = \"" + t.password_file + "\"\n";
    text += "[limits]\nthreads = 2\n";
    const std::string path = dir_.File("connector-" + std::to_string(configs_++) + ".toml");
    WriteFile(path, text);
    return path;
  }

  ChildProcess& Spawn(const std::vector<std::string>& args, const std::vector<std::string>& env, int stderr_fd = -1) {
    children_.push_back(std::make_unique<ChildProcess>());
    EXPECT_TRUE(children_.back()->Spawn(args, env, stderr_fd));
    return *children_.back();
  }

  // Starts `serve` and waits until it answers on `port`.
  ChildProcess& StartServe(const std::vector<std::string>& args, const std::vector<std::string>& env,
                           std::uint16_t port) {
    ChildProcess& child = Spawn(args, env);
    EXPECT_TRUE(child.WaitForStderr("key connector listening on", 30s)) << child.err();
    EXPECT_EQ(SendRequest(port, "GET", "/alive").status, 200) << child.err();
    return child;
  }

  static void ExpectCleanExit(ChildProcess& child) {
    ASSERT_TRUE(child.Signal(SIGTERM));
    const std::optional<int> code = child.WaitExit(15s);
    ASSERT_TRUE(code.has_value()) << "still running 15 s after SIGTERM";
    EXPECT_EQ(*code, 0) << child.err();
  }

  static inline std::unique_ptr<TempDir> suite_dir_;
  static inline std::string key_file_;
  static inline std::string password_file_;
  static inline std::string wrong_password_file_;
  static inline std::unique_ptr<TestIssuer> issuer_;

  TempDir dir_;
  int configs_ = 0;
  std::vector<std::unique_ptr<ChildProcess>> children_;
};

TEST_F(CliConnectorDeployment, ServesFromTomlFinishesARequestInFlightAndKeepsKeysAcrossRestart) {
  const std::uint16_t port = FreePort();
  const std::string config = WriteConfig(Toml().Db(dir_.File("connector.db")).Port(port));
  ChildProcess& first = StartServe({"connector", "serve", "--config", config}, ChildEnvironment(), port);

  const std::string token = Token();
  EXPECT_EQ(SendRequest(port, "GET", "/user-keys", Auth(token)).status, 404);
  EXPECT_EQ(SendRequest(port, "GET", "/user-keys", Auth("not.a.token")).status, 401);
  const std::string key = RandomKeyBase64();
  EXPECT_EQ(SendRequest(port, "POST", "/user-keys", AuthJson(token), KeyBody(key)).status, 200);
  EXPECT_EQ(SendRequest(port, "GET", "/user-keys", Auth(token)).json()["key"], key);
  EXPECT_EQ(SendRequest(port, "GET", "/health").status, 200);

  // A PUT whose body is still arriving when SIGTERM comes is answered before the process exits.
  const std::string replacement = RandomKeyBase64();
  const std::string body = KeyBody(replacement);
  const std::string head = "PUT /user-keys HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
                           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                           "\r\n\r\n";
  const int fd = Connect(port);
  ASSERT_GE(fd, 0);
  // A first, complete request on the same connection: the server has certainly accepted it.
  EXPECT_TRUE(SendAll(fd, "GET /alive HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  const std::string alive = ReadOneResponse(fd, 15s);
  EXPECT_TRUE(alive.starts_with("HTTP/1.1 200")) << alive;
  EXPECT_TRUE(SendAll(fd, head + body.substr(0, 10)));
  std::this_thread::sleep_for(500ms);  // let the server read the first part
  ASSERT_TRUE(first.Signal(SIGTERM));
  std::this_thread::sleep_for(300ms);  // let shutdown begin
  EXPECT_TRUE(SendAll(fd, body.substr(10)));
  const std::string answer = ReadUntilClose(fd, 15s);
  ::close(fd);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
  const std::optional<int> code = first.WaitExit(15s);
  ASSERT_TRUE(code.has_value()) << "still running 15 s after SIGTERM";
  EXPECT_EQ(*code, 0) << first.err();
  EXPECT_FALSE(Listening(port));

  // The same configuration again: the stored key (the in-flight PUT's) is still there.
  ChildProcess& second = StartServe({"connector", "serve", "--config", config}, ChildEnvironment(), port);
  TestResponse read = SendRequest(port, "GET", "/user-keys", Auth(token));
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.json()["key"], replacement);
  ExpectCleanExit(second);
}

// The soft "Max open files" of a running process, from /proc.
std::optional<std::uint64_t> SoftOpenFileLimit(pid_t pid) {
  std::ifstream limits("/proc/" + std::to_string(pid) + "/limits");
  std::string line;
  while (std::getline(limits, line)) {
    if (!line.starts_with("Max open files")) continue;
    std::istringstream fields(line.substr(std::string_view("Max open files").size()));
    std::string soft;
    fields >> soft;
    if (soft == "unlimited") return std::numeric_limits<std::uint64_t>::max();
    return std::stoull(soft);
  }
  return std::nullopt;
}

TEST_F(CliConnectorDeployment, RaisesTheOpenFileLimitAndWarnsWhenTheCapCannotFit) {
  rlimit original{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &original), 0);
  if (original.rlim_max != RLIM_INFINITY && original.rlim_max < 2048) GTEST_SKIP() << "hard open-file limit too low";
  const std::uint16_t port = FreePort();
  const std::string config = WriteConfig(Toml().Db(dir_.File("connector.db")).Port(port));
  std::vector<std::string> env = ChildEnvironment();
  env.push_back("KEYWARDEN_LIMITS_MAX_CONNECTIONS=1000000");
  // The child inherits a soft limit of 1024, as under a default shell or service manager.
  rlimit lowered = original;
  lowered.rlim_cur = 1024;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);
  ChildProcess& serve = Spawn({"connector", "serve", "--config", config}, env);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &original), 0);
  ASSERT_TRUE(serve.WaitForStderr("key connector listening on", 30s)) << serve.err();
  const std::optional<std::uint64_t> soft = SoftOpenFileLimit(serve.pid());
  ASSERT_TRUE(soft.has_value());
  if (original.rlim_max != RLIM_INFINITY) {
    EXPECT_EQ(*soft, static_cast<std::uint64_t>(original.rlim_max));
  } else {
    EXPECT_GT(*soft, 1024u);
  }
  if (*soft < 1'000'000 + 256) {
    EXPECT_NE(serve.err().find("limits.max_connections is 1000000 but the open-file limit"), std::string::npos)
        << serve.err();
  }
  ExpectCleanExit(serve);
}

// Standard error as a pipe the test holds: a stalled reader (never read) or a vanished one.
class LogPipe {
 public:
  LogPipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return;
    read_ = fds[0];
    write_ = fds[1];
    ::fcntl(write_, F_SETPIPE_SZ, 4096);  // full after a few dozen lines
  }
  ~LogPipe() {
    CloseRead();
    CloseWrite();
  }
  int write_end() const { return write_; }
  void CloseRead() {
    if (read_ >= 0) ::close(read_);
    read_ = -1;
  }
  void CloseWrite() {
    if (write_ >= 0) ::close(write_);
    write_ = -1;
  }

 private:
  int read_ = -1;
  int write_ = -1;
};

// Waits for /alive, which the service answers once it listens.
bool AnswersAlive(std::uint16_t port) {
  return WaitUntil([&] { return SendRequest(port, "GET", "/alive").status == 200; }, 30s, 20ms);
}

// Stores a key for a new token's user and reads it back `reads` times, each read an audit line.
void ReadKeysRepeatedly(std::uint16_t port, const std::string& token, int reads) {
  ASSERT_EQ(SendRequest(port, "POST", "/user-keys", AuthJson(token), KeyBody(RandomKeyBase64())).status, 200);
  for (int i = 0; i < reads; ++i) {
    ASSERT_EQ(SendRequest(port, "GET", "/user-keys", Auth(token)).status, 200) << "read " << i;
  }
}

TEST_F(CliConnectorDeployment, AStalledLogReaderNeverHoldsUpRequests) {
  LogPipe log;
  const std::uint16_t port = FreePort();
  const std::string config = WriteConfig(Toml().Db(dir_.File("connector.db")).Port(port));
  ChildProcess& serve = Spawn({"connector", "serve", "--config", config}, ChildEnvironment(), log.write_end());
  log.CloseWrite();
  ASSERT_TRUE(AnswersAlive(port));
  // The pipe holds a few dozen audit lines and nobody reads it: writing them on the request
  // threads stopped the service here.
  ReadKeysRepeatedly(port, Token(), 1500);
  EXPECT_EQ(SendRequest(port, "GET", "/alive").status, 200);
  EXPECT_NE(SendRequest(port, "GET", "/metrics").body.find("keywarden_log_lines_dropped"), std::string::npos);
  // A stop still ends promptly: the log gets its drain time, not forever.
  ExpectCleanExit(serve);
}

TEST_F(CliConnectorDeployment, AVanishedLogReaderDoesNotEndTheService) {
  LogPipe log;
  log.CloseRead();  // every write to standard error is EPIPE (and would be SIGPIPE)
  const std::uint16_t port = FreePort();
  const std::string config = WriteConfig(Toml().Db(dir_.File("connector.db")).Port(port));
  ChildProcess& serve = Spawn({"connector", "serve", "--config", config}, ChildEnvironment(), log.write_end());
  log.CloseWrite();
  ASSERT_TRUE(AnswersAlive(port));
  ReadKeysRepeatedly(port, Token(), 50);
  ASSERT_EQ(SendRequest(port, "GET", "/alive").status, 200);
  ExpectCleanExit(serve);
}

TEST_F(CliConnectorDeployment, ServesFromTheReferenceEnvironmentAlone) {
  const std::uint16_t port = FreePort();
  const std::vector<std::string> env = ChildEnvironment({
      "keyConnectorSettings__identityServerUri=" + IssuerUri(),
      "keyConnectorSettings__database__provider=sqlite",
      "keyConnectorSettings__database__sqliteConnectionString=Data Source=" + dir_.File("reference.db"),
      "keyConnectorSettings__rsaKey__provider=certificate",
      "keyConnectorSettings__certificate__provider=filesystem",
      "keyConnectorSettings__certificate__filesystemPath=" + key_file_,
      std::string("keyConnectorSettings__certificate__filesystemPassword=") + kPassword,
      "KEYWARDEN_LISTEN=127.0.0.1:" + std::to_string(port),
  });

  const CliResult check = RunCliWithEnv({"connector", "check"}, env);
  EXPECT_EQ(check.exit_code, 0) << check.err << check.out;
  EXPECT_EQ(CheckJson(check)["identity_server"], "ok");

  ChildProcess& child = StartServe({"connector", "serve"}, env, port);
  const std::string token = Token();
  const std::string key = RandomKeyBase64();
  EXPECT_EQ(SendRequest(port, "PUT", "/user-keys", AuthJson(token), KeyBody(key)).status, 200);
  EXPECT_EQ(SendRequest(port, "GET", "/user-keys", Auth(token)).json()["key"], key);
  ExpectCleanExit(child);
  EXPECT_TRUE(fs::exists(dir_.File("reference.db")));
}

TEST_F(CliConnectorDeployment, StartupErrorsAreOneLineWithTheDocumentedExitCode) {
  const std::string db = dir_.File("connector.db");
  const std::uint16_t port = FreePort();
  const auto serve = [&](const std::string& config, const std::vector<std::string>& extra_env = {}) {
    return RunCliWithEnv({"connector", "serve", "--config", config}, ChildEnvironment(extra_env));
  };

  {
    SCOPED_TRACE("unknown setting in the file");
    ExpectOneLineFailure(serve(WriteConfig(Toml().Db(db).Port(port).ExtraTop("frobnicate = 1\n"))), 2, "frobnicate");
  }
  {
    SCOPED_TRACE("unknown reference variable");
    ExpectOneLineFailure(serve(WriteConfig(Toml().Db(db).Port(port)), {"keyConnectorSettings__frobnicate=1"}), 2,
                         "frobnicate");
  }
  {
    SCOPED_TRACE("unsupported provider");
    ExpectOneLineFailure(
        serve(WriteConfig(Toml().Db(db).Port(port)), {"keyConnectorSettings__database__provider=postgresql"}), 2,
        "postgresql");
  }
  {
    SCOPED_TRACE("missing config file");
    ExpectOneLineFailure(serve(dir_.File("no-such.toml")), 2, "no-such.toml");
  }
  {
    SCOPED_TRACE("missing key file");
    const std::string missing = dir_.File("missing.pfx");
    ExpectOneLineFailure(serve(WriteConfig(Toml().Db(db).KeyFile(missing).Port(port))), 1, missing);
  }
  {
    SCOPED_TRACE("wrong key password: the key provider cannot start, not a configuration error");
    ExpectOneLineFailure(serve(WriteConfig(Toml().Db(db).PasswordFile(wrong_password_file_).Port(port))), 1,
                         "password");
  }
  {
    SCOPED_TRACE("identity server unreachable");
    const std::string down = "http://127.0.0.1:" + std::to_string(FreePort());
    ExpectOneLineFailure(serve(WriteConfig(Toml().Identity(down).Db(db).Port(port))), 1, "identity server");
  }
  {
    SCOPED_TRACE("port in use");
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    ASSERT_EQ(::listen(fd, 1), 0);
    ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
    const std::uint16_t taken = ntohs(address.sin_port);
    ExpectOneLineFailure(serve(WriteConfig(Toml().Db(db).Port(taken))), 1, "cannot listen");
    ::close(fd);
  }
  EXPECT_FALSE(Listening(port));
}

// serve holds key files to what check reports: readable by others is a warning in its log,
// writable by anyone (who could substitute a key) stops start-up, for check too.
TEST_F(CliConnectorDeployment, ServeWarnsAboutAKeyFileOthersMayReadAndRefusesOneAnyoneMayWrite) {
  const std::string key_file = dir_.File("key.pfx");
  fs::copy_file(key_file_, key_file);
  const std::uint16_t port = FreePort();
  const std::string config = WriteConfig(Toml().Db(dir_.File("connector.db")).KeyFile(key_file).Port(port));
  {
    SCOPED_TRACE("readable by others: serve starts and says so");
    ASSERT_EQ(::chmod(key_file.c_str(), 0644), 0);
    ChildProcess& child = StartServe({"connector", "serve", "--config", config}, ChildEnvironment(), port);
    EXPECT_NE(child.err().find("RSA key provider: the key file is readable by other users"), std::string::npos)
        << child.err();
    ExpectCleanExit(child);
  }
  {
    SCOPED_TRACE("mode 0600: no warning");
    ASSERT_EQ(::chmod(key_file.c_str(), 0600), 0);
    ChildProcess& child = StartServe({"connector", "serve", "--config", config}, ChildEnvironment(), port);
    ExpectCleanExit(child);
    EXPECT_EQ(child.err().find("readable by other users"), std::string::npos) << child.err();
  }
  for (const mode_t mode : {0602, 0666}) {
    SCOPED_TRACE("writable by others, mode 0" + std::to_string(mode / 64) + std::to_string(mode / 8 % 8) +
                 std::to_string(mode % 8));
    ASSERT_EQ(::chmod(key_file.c_str(), mode), 0);
    ExpectOneLineFailure(RunCliWithEnv({"connector", "serve", "--config", config}, ChildEnvironment()), 1,
                         "is writable by other users");
    EXPECT_FALSE(Listening(port));
    const CliResult check = RunCliWithEnv({"connector", "check", "--config", config}, ChildEnvironment());
    EXPECT_EQ(check.exit_code, 3) << check.err;
    EXPECT_NE(CheckJson(check).value("key_provider", "").find("writable by other users"), std::string::npos)
        << check.out;
  }
}

// The reference's key.pfx as OpenSSL 1.1 wrote it by default (RC2-40 and 3DES): check and serve
// load it (OpenSSL's legacy provider serves that one decryption).
TEST_F(CliConnectorDeployment, ServesWithAnOpenssl11Pkcs12KeyFile) {
  if (std::system("openssl list -providers -provider legacy >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "OpenSSL's legacy provider module (ossl-modules/legacy.so) is not installed: "
                    "`openssl list -providers -provider legacy` fails";
  }
  const std::string key_pem = dir_.File("k.pem");
  const std::string cert_pem = dir_.File("c.pem");
  const std::string pfx = dir_.File("legacy.pfx");
  const std::string command =
      "openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days 365 -subj /CN=connector -keyout '" + key_pem +
      "' -out '" + cert_pem + "' >/dev/null 2>&1 && openssl pkcs12 -export -legacy -inkey '" + key_pem + "' -in '" +
      cert_pem + "' -passout 'pass:" + kPassword + "' -out '" + pfx + "' >/dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << "the openssl command line failed";

  const std::uint16_t port = FreePort();
  const std::string config = WriteConfig(Toml().Db(dir_.File("connector.db")).KeyFile(pfx).Port(port));
  const CliResult check = RunCliWithEnv({"connector", "check", "--config", config}, ChildEnvironment());
  EXPECT_EQ(check.exit_code, 0) << check.err << check.out;
  EXPECT_EQ(CheckJson(check).value("key_provider", ""), "ok") << check.out;

  ChildProcess& child = StartServe({"connector", "serve", "--config", config}, ChildEnvironment(), port);
  const std::string token = Token();
  const std::string key = RandomKeyBase64();
  EXPECT_EQ(SendRequest(port, "PUT", "/user-keys", AuthJson(token), KeyBody(key)).status, 200);
  EXPECT_EQ(SendRequest(port, "GET", "/user-keys", Auth(token)).json()["key"], key);
  ExpectCleanExit(child);
}

// An instance left running with an RSA key that does not open the newest data key version (made
// by another process under another key) answers 503 for rows under it: /health says so too.
TEST_F(CliConnectorDeployment, HealthFailsWhileTheStoreHoldsADataKeyVersionThisKeyCannotOpen) {
  const std::uint16_t port = FreePort();
  const std::string db = dir_.File("connector.db");
  ChildProcess& child =
      StartServe({"connector", "serve", "--config", WriteConfig(Toml().Db(db).Port(port))}, ChildEnvironment(), port);
  EXPECT_EQ(SendRequest(port, "GET", "/health").status, 200);

  // Another process, with another RSA key, rotates the data key: version 2 is wrapped for it only.
  const SecureBuffer password = SecureBuffer::CopyOf(std::string_view(kPassword));
  auto mine = custody::FileRsaKeyProvider::Load(key_file_, &password);
  ASSERT_TRUE(mine.ok()) << mine.status().ToString();
  const std::string other_file = dir_.File("other.pem");
  ASSERT_TRUE(custody::CreateKeyFile(other_file, custody::KeyFileFormat::kPemPkcs8, nullptr).ok());
  auto other = custody::FileRsaKeyProvider::Load(other_file, nullptr);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  auto store = connector::store::SqliteKeyStore::Open(db);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto wrappings = (*store)->ListDataKeys();
  ASSERT_TRUE(wrappings.ok());
  ASSERT_EQ(wrappings->size(), 1u);
  auto data_key = (*mine)->Unwrap(wrappings->front().wrapped);
  ASSERT_TRUE(data_key.ok());
  auto rewrapped = (*other)->Wrap(data_key->span());
  ASSERT_TRUE(rewrapped.ok());
  ASSERT_TRUE((*store)->PutDataKeyWrapping({1, *rewrapped, (*other)->PublicKeyFingerprint(), 1}).ok());
  auto admin = custody::DataKeyring::Open(**store, **other);
  ASSERT_TRUE(admin.ok()) << admin.status().ToString();
  ASSERT_TRUE((*admin)->AddVersion().ok());

  int health = 0;
  KW_EXPECT_EVENTUALLY((health = SendRequest(port, "GET", "/health").status) == 503, 15s)
      << "/health still answers " << health << " with a data key version this instance cannot open";
  EXPECT_EQ(SendRequest(port, "GET", "/alive").status, 200);  // alive, not healthy
  ExpectCleanExit(child);
}

TEST_F(CliConnectorDeployment, CheckReportsEveryPartAndExitsWithTheFirstFailure) {
  const std::string db = dir_.File("connector.db");
  const auto check = [&](const Toml& t) {
    return RunCliWithEnv({"connector", "check", "--config", WriteConfig(t)}, ChildEnvironment());
  };

  {
    SCOPED_TRACE("all good");
    const CliResult r = check(Toml().Db(db));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    const nlohmann::json json = CheckJson(r);
    for (const char* part : {"configuration", "key_provider", "database", "identity_server"}) {
      EXPECT_EQ(json.value(part, ""), "ok") << part << ": " << r.out;
    }
    EXPECT_EQ(json.value("key_fingerprint", "").size(), 64u) << r.out;
    EXPECT_FALSE(json.contains("key_provider_warning")) << r.out;
  }
  {
    SCOPED_TRACE("key file readable by others: a warning, not a failure");
    ASSERT_EQ(::chmod(key_file_.c_str(), 0644), 0);
    const CliResult r = check(Toml().Db(db));
    ASSERT_EQ(::chmod(key_file_.c_str(), 0600), 0);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const nlohmann::json json = CheckJson(r);
    EXPECT_EQ(json.value("key_provider", ""), "ok") << r.out;
    EXPECT_EQ(json.value("key_provider_warning", ""), "the key file is readable by other users") << r.out;
  }
  {
    SCOPED_TRACE("bad configuration");
    const CliResult r = check(Toml().Db(db).ExtraTop("frobnicate = 1\n"));
    EXPECT_EQ(r.exit_code, 2) << r.err;
    const nlohmann::json json = CheckJson(r);
    EXPECT_NE(json.value("configuration", "ok"), "ok") << r.out;
    EXPECT_NE(json.value("configuration", ""), "") << r.out;
    EXPECT_FALSE(json.contains("key_provider")) << r.out;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
  }
  {
    SCOPED_TRACE("wrong key password");
    const CliResult r = check(Toml().Db(db).PasswordFile(wrong_password_file_));
    EXPECT_EQ(r.exit_code, 3) << r.err;
    const nlohmann::json json = CheckJson(r);
    EXPECT_EQ(json.value("configuration", ""), "ok") << r.out;
    EXPECT_NE(json.value("key_provider", "ok"), "ok") << r.out;
    EXPECT_NE(json.value("key_provider", ""), "") << r.out;
    EXPECT_NE(r.err.find("key_provider"), std::string::npos) << r.err;
  }
  {
    SCOPED_TRACE("database in a missing directory");
    const CliResult r = check(Toml().Db(dir_.File("no/such/dir/connector.db")));
    EXPECT_EQ(r.exit_code, 4) << r.err;
    const nlohmann::json json = CheckJson(r);
    EXPECT_EQ(json.value("key_provider", ""), "ok") << r.out;
    EXPECT_NE(json.value("database", "ok"), "ok") << r.out;
    EXPECT_NE(json.value("database", ""), "") << r.out;
    EXPECT_FALSE(fs::exists(dir_.File("no")));
  }
  {
    SCOPED_TRACE("identity server down");
    const std::string down = "http://127.0.0.1:" + std::to_string(FreePort());
    const CliResult r = check(Toml().Identity(down).Db(db));
    EXPECT_EQ(r.exit_code, 5) << r.err;
    const nlohmann::json json = CheckJson(r);
    EXPECT_EQ(json.value("database", ""), "ok") << r.out;
    EXPECT_NE(json.value("identity_server", "ok"), "ok") << r.out;
    EXPECT_NE(json.value("identity_server", ""), "") << r.out;
  }
}

// ---- an identity server that hangs ----

// An identity server whose JWKS endpoint can be made to hang (as a stuck server behind a proxy
// would), for at most 20 s per request. Its key signs the tokens; `kid` names it.
class HangingIssuer {
 public:
  static std::unique_ptr<HangingIssuer> Start() {
    auto signer = jose::JwtSigner::Generate(jose::JwsAlgorithm::kRs256, "hanging-issuer-key");
    EXPECT_TRUE(signer.ok());
    if (!signer.ok()) return nullptr;
    std::unique_ptr<HangingIssuer> made(new HangingIssuer(std::move(signer).value()));
    auto router = std::make_shared<http::Router>();
    HangingIssuer* self = made.get();  // the server stops in ~HangingIssuer, before `self` goes
    router->Add("GET", "/.well-known/openid-configuration", [self](const http::HttpRequest&) {
      return http::JsonResponse(200, {{"issuer", kIssuer}, {"jwks_uri", self->uri() + "/jwks"}});
    });
    router->Add("GET", "/jwks", [self](const http::HttpRequest&) {
      std::unique_lock<std::mutex> lock(self->mu_);
      ++self->jwks_requests_;
      self->seen_.notify_all();
      self->released_.wait_for(lock, 20s, [self] { return !self->hanging_; });
      return http::JsonResponse(200,
                                self->jwks_.is_null() ? nlohmann::json::parse(self->signer_.JwksJson()) : self->jwks_);
    });
    http::HttpServerOptions options;
    options.port = 0;
    options.threads = 4;
    made->server_ = std::make_unique<http::HttpServer>(options, router);
    const Status started = made->server_->Start();
    EXPECT_TRUE(started.ok()) << started.ToString();
    if (!started.ok()) return nullptr;
    return made;
  }

  ~HangingIssuer() {
    Release();
    server_->Stop(0ms);
  }

  std::string uri() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

  // A token for kUser, signed by this issuer's key, naming `kid` (the key's own when empty).
  std::string Token(const std::string& kid = "") const {
    const nlohmann::json header = kid.empty() ? nlohmann::json::object() : nlohmann::json{{"kid", kid}};
    auto token =
        signer_.Mint(header, jose::JwtSigner::StandardClaims(kIssuer, kUser, std::chrono::system_clock::now(), 600s));
    EXPECT_TRUE(token.ok());
    return token.ok() ? *token : "";
  }

  // The JWKS served from now on, instead of the one holding this issuer's key.
  void ServeJwks(nlohmann::json jwks) {
    std::lock_guard<std::mutex> lock(mu_);
    jwks_ = std::move(jwks);
  }
  nlohmann::json OwnJwk() const { return signer_.PublicJwk(); }

  void Hang() {
    std::lock_guard<std::mutex> lock(mu_);
    hanging_ = true;
  }
  void Release() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      hanging_ = false;
    }
    released_.notify_all();
  }
  // Waits (at most `timeout`) until the JWKS has been asked for `count` times in all.
  bool AwaitJwksRequests(int count, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return seen_.wait_for(lock, timeout, [&] { return jwks_requests_ >= count; });
  }
  int JwksRequests() {
    std::lock_guard<std::mutex> lock(mu_);
    return jwks_requests_;
  }

 private:
  explicit HangingIssuer(jose::JwtSigner signer) : signer_(std::move(signer)) {}

  const jose::JwtSigner signer_;
  std::mutex mu_;
  std::condition_variable seen_;
  std::condition_variable released_;
  int jwks_requests_ = 0;
  bool hanging_ = false;
  nlohmann::json jwks_;  // null: the issuer's own
  std::unique_ptr<http::HttpServer> server_;
};

// A request and how long its answer took.
struct Timed {
  TestResponse response;
  std::chrono::milliseconds took{0};
};
Timed TimedRequest(std::uint16_t port, const std::string& path, const Headers& headers = {}) {
  const auto start = std::chrono::steady_clock::now();
  Timed timed{SendRequest(port, "GET", path, headers), {}};
  timed.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  return timed;
}

// Issue 13, item 3: tokens naming unknown keys while the identity server's JWKS endpoint hangs
// must not hold up any request: not /alive, not a token whose key is known, not themselves.
TEST_F(CliConnectorDeployment, AHangingJwksEndpointHoldsUpNoRequest) {
  std::unique_ptr<HangingIssuer> issuer = HangingIssuer::Start();
  ASSERT_NE(issuer, nullptr);
  const std::uint16_t port = FreePort();
  const std::string config = WriteConfig(Toml().Identity(issuer->uri()).Db(dir_.File("connector.db")).Port(port));
  // Fetches a token asks for are allowed every second (the default is 30 s), so that the unknown
  // kids below certainly start one.
  ChildProcess& child = StartServe({"connector", "serve", "--config", config},
                                   ChildEnvironment({"KEYWARDEN_AUTH_JWKS_REFRESH_SECONDS=1"}), port);
  ASSERT_EQ(issuer->JwksRequests(), 1) << child.err();  // the start-up fetch
  const std::string known = issuer->Token();
  ASSERT_EQ(SendRequest(port, "GET", "/user-keys", Auth(known)).status, 404) << child.err();

  issuer->Hang();
  std::this_thread::sleep_for(1100ms);  // past the interval of the start-up fetch
  // The server has 2 I/O threads (WriteConfig): more senders of unknown kids than that, at once.
  constexpr int kSenders = 4;
  std::vector<Timed> unknown(kSenders);
  std::vector<std::thread> senders;
  for (int i = 0; i < kSenders; ++i) {
    senders.emplace_back([&, i] {
      unknown[static_cast<std::size_t>(i)] =
          TimedRequest(port, "/user-keys", Auth(issuer->Token("unknown-kid-" + std::to_string(i))));
    });
  }
  // The connector is now inside a fetch that hangs; meanwhile everything else is answered at once.
  const bool fetching = issuer->AwaitJwksRequests(2, 10s);
  std::vector<Timed> alive;
  std::vector<Timed> with_known_key;
  std::vector<Timed> more_unknown;
  const auto until = std::chrono::steady_clock::now() + 3s;
  for (int i = 0; std::chrono::steady_clock::now() < until; ++i) {
    alive.push_back(TimedRequest(port, "/alive"));
    with_known_key.push_back(TimedRequest(port, "/user-keys", Auth(known)));
    more_unknown.push_back(TimedRequest(port, "/user-keys", Auth(issuer->Token("more-" + std::to_string(i)))));
  }
  for (std::thread& sender : senders) sender.join();
  issuer->Release();
  ASSERT_TRUE(fetching) << "the connector never asked for the JWKS";

  const auto check = [](const std::vector<Timed>& answers, std::initializer_list<int> statuses, const char* what) {
    SCOPED_TRACE(what);
    ASSERT_FALSE(answers.empty());
    std::chrono::milliseconds slowest{0};
    for (const Timed& answer : answers) {
      slowest = std::max(slowest, answer.took);
      EXPECT_TRUE(std::find(statuses.begin(), statuses.end(), answer.response.status) != statuses.end())
          << answer.response.status << " " << answer.response.body;
    }
    EXPECT_LT(slowest.count(), 1000) << "a request waited for the hanging JWKS endpoint";
    ::testing::Test::RecordProperty(std::string("slowest_ms ") + what, static_cast<int>(slowest.count()));
  };
  check(alive, {200}, "/alive");
  check(with_known_key, {404}, "a token whose key is known");
  // Unknown kids: 503 (try again) while the fetch they asked for is pending, never a wait.
  check(unknown, {503}, "the first unknown kids");
  check(more_unknown, {503, 401}, "more unknown kids");

  // And the service stops cleanly, whatever its refresher thread was doing.
  ExpectCleanExit(child);
}

// Issue 13, item 4: one unusable key in the identity server's JWKS is skipped with a warning, the
// others are used; a JWKS with no usable key at all is still a failure (`check` judges as `serve`).
TEST_F(CliConnectorDeployment, AnUnusableJwksKeyIsSkippedNotFatal) {
  std::unique_ptr<HangingIssuer> issuer = HangingIssuer::Start();
  ASSERT_NE(issuer, nullptr);
  nlohmann::json broken = issuer->OwnJwk();
  broken["kid"] = "broken-key";
  broken["n"] = "AQAB";  // a 17-bit modulus
  const std::string db = dir_.File("connector.db");
  const auto check = [&] {
    return RunCliWithEnv({"connector", "check", "--config", WriteConfig(Toml().Identity(issuer->uri()).Db(db))},
                         ChildEnvironment());
  };
  {
    SCOPED_TRACE("one broken key beside a good one");
    issuer->ServeJwks({{"keys", nlohmann::json::array({broken, issuer->OwnJwk()})}});
    const CliResult r = check();
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const nlohmann::json json = CheckJson(r);
    EXPECT_EQ(json.value("identity_server", ""), "ok") << r.out;
    EXPECT_NE(json.value("identity_server_warning", "").find("broken-key"), std::string::npos) << r.out;

    const std::uint16_t port = FreePort();
    ChildProcess& child =
        StartServe({"connector", "serve", "--config", WriteConfig(Toml().Identity(issuer->uri()).Db(db).Port(port))},
                   ChildEnvironment(), port);
    EXPECT_EQ(SendRequest(port, "GET", "/user-keys", Auth(issuer->Token())).status, 404) << child.err();
    EXPECT_TRUE(child.WaitForStderr("broken-key", 10s)) << child.err();  // the warning, in the log
    ExpectCleanExit(child);
  }
  {
    SCOPED_TRACE("no usable key at all");
    issuer->ServeJwks({{"keys", nlohmann::json::array({broken})}});
    const CliResult r = check();
    EXPECT_EQ(r.exit_code, 5) << r.err;
    EXPECT_NE(CheckJson(r).value("identity_server", "").find("no usable signing key"), std::string::npos) << r.out;
  }
}

}  // namespace
}  // namespace keywarden::testing
