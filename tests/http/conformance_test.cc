// The parts of HTTP/1.1 (RFC 9110, RFC 9112) that matter for safety, over real sockets: framing
// the server cannot know the length of, fields hidden in a chunked trailer, Host, and Expect.
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/server.h"
#include "support/raw_connection.h"

namespace keywarden::http {
namespace {

// Echoes what a handler sees of the request: its body and the fields that decide who is asking.
std::shared_ptr<Router> EchoRouter() {
  auto router = std::make_shared<Router>();
  router->Add("POST", "/echo", [](const HttpRequest& r) {
    return JsonResponse(200, {{"body", r.body},
                              {"authorization", r.header("Authorization")},
                              {"host", r.header("Host")},
                              {"x_late", r.header("X-Late")}});
  });
  router->Add("GET", "/hello", [](const HttpRequest&) { return JsonResponse(200, {{"hello", "world"}}); });
  return router;
}

class ConformanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpServerOptions options;
    options.port = 0;
    options.threads = 1;
    server_ = std::make_unique<HttpServer>(options, EchoRouter());
    Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }

  // Sends `request` on a new connection and reads one answer.
  std::optional<RawResponse> Exchange(const std::string& request) {
    RawConnection c(server_->port());
    if (!c.Send(request)) return std::nullopt;
    return c.Read();
  }

  std::unique_ptr<HttpServer> server_;
};

TEST_F(ConformanceTest, AFinalTransferCodingOtherThanChunkedIsRefusedAndTheConnectionClosed) {
  for (const char* coding : {"gzip", "chunked, gzip", "identity"}) {
    RawConnection c(server_->port());
    ASSERT_TRUE(c.Send(std::string("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: ") + coding +
                       "\r\n\r\nhello GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"));
    auto answer = c.Read();
    ASSERT_TRUE(answer) << coding;
    EXPECT_EQ(answer->status, 400) << coding;
    EXPECT_EQ(answer->headers["Connection"], "close") << coding;
    // Nothing after it is read as a request: the length of the first body was unknown.
    EXPECT_TRUE(c.WaitClosed()) << coding;
  }
}

TEST_F(ConformanceTest, AChunkedBodyIsStillAccepted) {
  auto answer = Exchange("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->json()["body"], "hello");
}

TEST_F(ConformanceTest, FieldsInAChunkedTrailerNeverReachTheHandler) {
  auto answer = Exchange(
      "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n0\r\nAuthorization: Bearer smuggled\r\nX-Late: 1\r\nHost: elsewhere\r\n\r\n");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  nlohmann::json seen = answer->json();
  EXPECT_EQ(seen["body"], "hello");
  EXPECT_EQ(seen["authorization"], "");
  EXPECT_EQ(seen["x_late"], "");
  EXPECT_EQ(seen["host"], "t");
}

TEST_F(ConformanceTest, AnAuthorizationInTheHeaderSurvivesATrailer) {
  auto answer = Exchange(
      "POST /echo HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer real\r\nTransfer-Encoding: chunked\r\n\r\n"
      "2\r\nhi\r\n0\r\nAuthorization: Bearer smuggled\r\n\r\n");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->json()["authorization"], "Bearer real");
}

TEST_F(ConformanceTest, AMissingOrRepeatedHostIsABadRequest) {
  auto missing = Exchange("GET /hello HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 400);
  EXPECT_EQ(missing->json()["message"], "a request must carry exactly one Host field");
  auto twice = Exchange("GET /hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
  ASSERT_TRUE(twice);
  EXPECT_EQ(twice->status, 400);
  auto old = Exchange("GET /hello HTTP/1.0\r\n\r\n");  // HTTP/1.0 has no Host requirement
  ASSERT_TRUE(old);
  EXPECT_EQ(old->status, 200);
}

TEST_F(ConformanceTest, AClientExpectingContinueGetsItBeforeItSendsTheBody) {
  RawConnection c(server_->port());
  ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  auto interim = c.Read();  // the body has not been sent: without the 100 this would wait forever
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status_line, "HTTP/1.1 100 Continue");
  ASSERT_TRUE(c.Send("hello"));
  auto answer = c.Read();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->json()["body"], "hello");
}

TEST_F(ConformanceTest, AClientThatSendsTheBodyAnywayGetsNoInterimAnswer) {
  RawConnection c(server_->port());
  ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello"));
  auto answer = c.Read();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->json()["body"], "hello");
}

TEST_F(ConformanceTest, AnUnknownExpectationIsRefused) {
  auto answer = Exchange("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: teapot\r\nContent-Length: 5\r\n\r\nhello");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 417);
}

TEST(ParseRequestTest, AppliesTheSameChecksAsTheServer) {
  EXPECT_FALSE(ParseRequestForTest("GET /a HTTP/1.1\r\n\r\n").ok());
  EXPECT_FALSE(ParseRequestForTest("GET /a HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n").ok());
  EXPECT_FALSE(ParseRequestForTest("POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nab").ok());
  auto trailer = ParseRequestForTest(
      "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nAuthorization: b\r\n\r\n");
  ASSERT_TRUE(trailer.ok()) << trailer.status().ToString();
  EXPECT_EQ(trailer->body, "hi");
  EXPECT_EQ(trailer->header("Authorization"), "");
}

}  // namespace
}  // namespace keywarden::http
