#include "http/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "http/server.h"

namespace keywarden::http {
namespace {

using namespace std::chrono_literals;

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto router = std::make_shared<Router>();
    router->Add("GET", "/jwks", [](const HttpRequest&) {
      return JsonResponse(200, {{"keys", nlohmann::json::array()}});
    });
    router->Add("GET", "/big", [](const HttpRequest&) {
      HttpResponse response;
      response.body = std::string(4096, 'b');
      return response;
    });
    router->Add("GET", "/host", [](const HttpRequest& r) {
      HttpResponse response;
      response.body = std::string(r.header("Host")) + " " + r.target + "?" + r.query;
      return response;
    });
    HttpServerOptions options;
    options.port = 0;
    options.threads = 1;
    server_ = std::make_unique<HttpServer>(options, router);
    ASSERT_TRUE(server_->Start().ok());
    base_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }

  std::unique_ptr<HttpServer> server_;
  std::string base_;
};

TEST_F(HttpClientTest, ReturnsTheBodyOf200) {
  auto got = HttpGet(base_ + "/jwks", HttpClientOptions{});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, R"({"keys":[]})");
}

TEST_F(HttpClientTest, SendsHostAndTarget) {
  auto got = HttpGet(base_ + "/host?a=b#fragment", HttpClientOptions{});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, "127.0.0.1:" + std::to_string(server_->port()) + " /host?a=b");
}

TEST_F(HttpClientTest, LocalhostByNameIsLoopback) {
  auto got = HttpGet("http://localhost:" + std::to_string(server_->port()) + "/jwks", HttpClientOptions{});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
}

TEST_F(HttpClientTest, Non200IsUnavailableWithTheStatus) {
  auto got = HttpGet(base_ + "/missing?secret=1", HttpClientOptions{});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(got.status().message(), "GET " + base_ + "/missing: HTTP 404");
}

TEST_F(HttpClientTest, BodyOverTheLimitIsAnError) {
  HttpClientOptions options;
  options.max_body_bytes = 1000;
  auto got = HttpGet(base_ + "/big", options);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("exceeds 1000 bytes"), std::string::npos) << got.status().message();
  options.max_body_bytes = 4096;
  EXPECT_TRUE(HttpGet(base_ + "/big", options).ok());
}

TEST(HttpClientPolicyTest, PlainHttpToARemoteHostIsRefusedWithoutConnecting) {
  auto got = HttpGet("http://example.invalid/.well-known/openid-configuration", HttpClientOptions{});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), ErrorCode::kInvalidArgument);  // not kUnavailable: nothing was tried
  EXPECT_NE(got.status().message().find("https"), std::string::npos);
}

TEST(HttpClientPolicyTest, ConnectionRefusedIsUnavailable) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  socklen_t length = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);  // the port is now (almost certainly) closed
  auto got = HttpGet("http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/", HttpClientOptions{});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(got.status().message().find("cannot connect"), std::string::npos) << got.status().message();
}

TEST(HttpClientPolicyTest, ASilentServerTimesOut) {
  // Listening, so the connection is accepted by the kernel, but nobody ever answers.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  socklen_t length = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  HttpClientOptions options;
  options.timeout = 300ms;
  auto got = HttpGet("http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/", options);
  ::close(fd);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(got.status().message().find("timed out"), std::string::npos) << got.status().message();
}

TEST(HttpClientPolicyTest, RefusesAMalformedUrlBeforeConnecting) {
  auto got = HttpGet("https://user@idp/", HttpClientOptions{});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(got.status().message(), "URL refused: user info is not allowed");
}

}  // namespace
}  // namespace keywarden::http
