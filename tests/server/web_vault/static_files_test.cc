// The web vault served from a folder (web_vault/static_files.h), over a real socket through the
// whole server: files with their types and headers, the single-page-app fallback, the server's own
// paths untouched, no way out of the folder, revalidation, and a server without a web vault as
// before. StaticFiles itself for the size limit.
#include "server/web_vault/static_files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "server/server_fixture.h"

namespace keywarden::server::testing {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kIndexHtml = "<!doctype html><title>Keywarden web vault</title><app-root></app-root>";
constexpr std::string_view kSecret = "the secret outside the web vault";

// Answers must never carry the secret, whatever the path asked for.
void ExpectNoSecret(const TestResponse& response, const std::string& path) {
  EXPECT_EQ(response.body.find(kSecret), std::string::npos) << path;
}

class WebVaultTest : public ServerTest {
 protected:
  void SetUp() override {
    vault_ = dir_.path() / "web-vault";
    fs::create_directories(vault_ / "app");
    fs::create_directories(vault_ / "locales" / "en");
    Write("index.html", kIndexHtml);
    Write("app/main.3f2a9c1b0d7e6f5a4b3c.js", "console.log('main');");
    Write("app/styles.css", "body{}");
    Write("locales/en/messages.json", R"({"hello":{"message":"Hello"}})");
    Write("sdk.wasm", std::string("\0asm\1\0\0\0", 8));
    Write(".env", kSecret);
    dir_.Write("secret.txt", kSecret);
    fs::create_directories(dir_.path() / "outside");
    dir_.Write("outside/secret.txt", kSecret);
    fs::create_symlink(dir_.path() / "secret.txt", vault_ / "link.txt");
    fs::create_symlink(dir_.path() / "outside", vault_ / "linked-folder");
    ASSERT_EQ(::mkfifo((vault_ / "fifo.js").c_str(), 0600), 0);
    StartServer([this](ServerConfig& config) { config.web_vault_dir = vault_.string(); });
  }

  void Write(const std::string& name, std::string_view content) {
    dir_.Write((fs::path("web-vault") / name).string(), content);
  }

  TestResponse Get(const std::string& path, std::vector<std::pair<std::string, std::string>> headers = {}) {
    return keywarden::testing::SendRequest(port(), "GET", path, headers);
  }

  fs::path vault_;
};

TEST_F(WebVaultTest, TheRootIsIndexHtmlWithTheHeadersAWebVaultNeeds) {
  const TestResponse index = Get("/");
  ASSERT_EQ(index.status, 200) << index.body;
  EXPECT_EQ(index.body, kIndexHtml);
  EXPECT_EQ(index.header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(index.header("cache-control"), "no-cache");
  EXPECT_EQ(index.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(index.header("x-frame-options"), "SAMEORIGIN");
  EXPECT_EQ(index.header("referrer-policy"), "same-origin");
  const std::string csp = index.header("content-security-policy");
  EXPECT_EQ(csp, web_vault::kContentSecurityPolicy);
  EXPECT_NE(csp.find("frame-ancestors 'self'"), std::string::npos);
  EXPECT_NE(csp.find("'wasm-unsafe-eval'"), std::string::npos);
  EXPECT_EQ(csp.find("'unsafe-eval'"), std::string::npos);
  EXPECT_FALSE(index.header("etag").empty());
  EXPECT_EQ(Get("/index.html").body, kIndexHtml);
}

TEST_F(WebVaultTest, FilesComeWithTheirTypeAndHashedOnesAreCachedForAYear) {
  const TestResponse script = Get("/app/main.3f2a9c1b0d7e6f5a4b3c.js");
  ASSERT_EQ(script.status, 200);
  EXPECT_EQ(script.body, "console.log('main');");
  EXPECT_EQ(script.header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(script.header("cache-control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(script.header("x-content-type-options"), "nosniff");

  const TestResponse style = Get("/app/styles.css");
  EXPECT_EQ(style.header("content-type"), "text/css; charset=utf-8");
  EXPECT_EQ(style.header("cache-control"), "no-cache");  // no hash in the name: revalidate

  const TestResponse messages = Get("/locales/en/messages.json");
  EXPECT_EQ(messages.status, 200);
  EXPECT_EQ(messages.json()["hello"]["message"], "Hello");

  const TestResponse wasm = Get("/sdk.wasm");
  EXPECT_EQ(wasm.header("content-type"), "application/wasm");
  EXPECT_EQ(wasm.body, std::string("\0asm\1\0\0\0", 8));
}

TEST_F(WebVaultTest, UnknownPagesAreTheAppButMissingAssetsAndServerPathsAre404) {
  for (const char* page : {"/settings/account", "/vault", "/send/abc/def", "/locales", "/app/"}) {
    const TestResponse answer = Get(page);
    EXPECT_EQ(answer.status, 200) << page;
    EXPECT_EQ(answer.body, kIndexHtml) << page;
    EXPECT_EQ(answer.header("cache-control"), "no-cache") << page;
  }
  for (const char* missing : {"/app/missing.js", "/missing.png", "/locales/fr/messages.json"}) {
    const TestResponse answer = Get(missing);
    EXPECT_EQ(answer.status, 404) << missing;
    EXPECT_EQ(answer.json(), (nlohmann::json{{"message", "not found"}})) << missing;
  }
  for (const char* server_path : {"/api", "/api/nothing-here", "/identity/nothing", "/events/x", "/notifications/x",
                                  "/alive/x", "/health/x", "/metrics/x"}) {
    const TestResponse answer = Get(server_path);
    EXPECT_EQ(answer.status, 404) << server_path;
    EXPECT_EQ(answer.json(), (nlohmann::json{{"message", "not found"}})) << server_path;
  }
  // The server's routes still answer as before; the hub wants a WebSocket, not the app.
  EXPECT_EQ(Get("/notifications/hub").status, 426);
  EXPECT_EQ(Get("/alive").status, 200);
  EXPECT_EQ(Get("/health").json()["status"], "Healthy");
  EXPECT_EQ(Get("/identity/.well-known/openid-configuration").header("content-type"),
            "application/json; charset=utf-8");
  const TestResponse sync = Get("/api/sync");
  EXPECT_EQ(sync.status, 401);  // the route, not the app
  // Other methods on unknown paths: the usual 404.
  EXPECT_EQ(SendRequest(port(), "POST", "/", {}, "x").status, 404);
  EXPECT_EQ(SendRequest(port(), "DELETE", "/settings").status, 404);
}

TEST_F(WebVaultTest, NoPathLeavesTheFolder) {
  for (const char* path : {
           "/../secret.txt",
           "/app/../../secret.txt",
           "/%2e%2e/secret.txt",
           "/%2E%2E/secret.txt",
           "/app/%2e%2e/%2e%2e/secret.txt",
           "/..%2fsecret.txt",
           "/%2e%2e%2fsecret.txt",
           "/..%5csecret.txt",
           "/app%2f..%2f..%2fsecret.txt",
           "/link.txt",
           "/linked-folder/secret.txt",
           "/.env",
           "//secret.txt",
           "/%00/secret.txt",
       }) {
    const TestResponse answer = Get(path);
    EXPECT_EQ(answer.status, 404) << path << ": " << answer.body;
    ExpectNoSecret(answer, path);
  }
  // A FIFO is not a file: refused at once, without waiting for a writer.
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Get("/fifo.js").status, 404);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  // The server still serves.
  EXPECT_EQ(Get("/").status, 200);
}

TEST_F(WebVaultTest, AKnownVersionIsRevalidatedWith304) {
  const TestResponse first = Get("/app/styles.css");
  const std::string tag = first.header("etag");
  ASSERT_FALSE(tag.empty());
  const TestResponse again = Get("/app/styles.css", {{"If-None-Match", tag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(again.header("etag"), tag);
  EXPECT_EQ(again.header("cache-control"), "no-cache");
  EXPECT_EQ(Get("/app/styles.css", {{"If-None-Match", "W/\"other\", " + tag}}).status, 304);
  EXPECT_EQ(Get("/app/styles.css", {{"If-None-Match", "W/\"other\""}}).status, 200);

  // A new deployment of the file is a new tag, and the new bytes.
  Write("app/styles.css", "body{color:red}");
  const auto later = fs::last_write_time(vault_ / "app/styles.css") + std::chrono::seconds(2);
  fs::last_write_time(vault_ / "app/styles.css", later);
  const TestResponse changed = Get("/app/styles.css", {{"If-None-Match", tag}});
  EXPECT_EQ(changed.status, 200);
  EXPECT_EQ(changed.body, "body{color:red}");
  EXPECT_NE(changed.header("etag"), tag);
}

TEST_F(WebVaultTest, RequestsAreCountedUnderOneLabel) {
  for (const char* path : {"/", "/a", "/b/c", "/app/styles.css"}) Get(path);
  const std::string metrics = Get("/metrics").body;
  EXPECT_NE(metrics.find("route=\"web vault\""), std::string::npos) << metrics;
  EXPECT_EQ(metrics.find("/b/c"), std::string::npos);
}

TEST_F(ServerTest, WithoutAWebVaultTheRootIsA404) {
  const TestResponse root = SendRequest(port(), "GET", "/");
  EXPECT_EQ(root.status, 404);
  EXPECT_EQ(root.json(), (nlohmann::json{{"message", "not found"}}));
  EXPECT_EQ(SendRequest(port(), "GET", "/settings").status, 404);
}

TEST_F(ServerTest, AWebVaultFolderWithoutIndexHtmlStopsTheStart) {
  StopServer();
  const std::string empty = dir_.File("empty-vault");
  fs::create_directories(empty);
  ServerConfig& config = *config_;
  config.web_vault_dir = empty;
  auto refused = ServerService::Start(config);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("web_vault_dir"), std::string::npos) << refused.status().message();
  config.web_vault_dir = dir_.File("no-such-folder");
  EXPECT_FALSE(ServerService::Start(config).ok());
}

TEST(StaticFiles, AFileOverTheLimitIsNotServed) {
  keywarden::testing::TempDir dir;
  dir.Write("index.html", "<html></html>");
  dir.Write("big.js", std::string(2048, 'x'));
  dir.Write("small.js", std::string(1024, 'y'));
  web_vault::StaticFilesOptions options;
  options.folder = dir.path().string();
  options.max_file_bytes = 1024;
  auto files = web_vault::StaticFiles::Open(options);
  ASSERT_TRUE(files.ok()) << files.status().message();
  http::HttpRequest request;
  request.method = "GET";
  request.target = "/big.js";
  EXPECT_EQ((*files)->Serve(request).status, 404);
  request.target = "/small.js";
  const http::HttpResponse small = (*files)->Serve(request);
  EXPECT_EQ(small.status, 200);
  EXPECT_EQ(small.body, std::string(1024, 'y'));
}

}  // namespace
}  // namespace keywarden::server::testing
