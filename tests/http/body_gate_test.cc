// Body gates over real sockets: a refusal is answered from the header alone, before any of the
// body is read; an accepted request reads its body as usual.
#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "http/server.h"
#include "support/raw_connection.h"

namespace keywarden::http {
namespace {

class BodyGateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto router = std::make_shared<Router>();
    router
        ->Add("PUT", "/upload",
              [this](const HttpRequest& r) {
                ++handled_;
                return JsonResponse(200, {{"bytes", r.body.size()}});
              })
        .GateBody([](const HttpRequest& header) -> std::optional<HttpResponse> {
          if (header.header("Authorization") == "let me in") return std::nullopt;
          return JsonError(401, "who are you?");
        });
    router->Add("PUT", "/open", [](const HttpRequest& r) { return JsonResponse(200, {{"bytes", r.body.size()}}); });
    HttpServerOptions options;
    options.port = 0;
    options.threads = 1;
    options.max_body_bytes = 1 << 20;
    server_ = std::make_unique<HttpServer>(options, router);
    Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }

  static std::string Head(std::string_view path, std::string_view authorization, std::size_t length) {
    return "PUT " + std::string(path) + " HTTP/1.1\r\nHost: t\r\nAuthorization: " + std::string(authorization) +
           "\r\nContent-Length: " + std::to_string(length) + "\r\n\r\n";
  }

  std::atomic<int> handled_{0};
  std::unique_ptr<HttpServer> server_;
};

TEST_F(BodyGateTest, ARefusalIsAnsweredBeforeTheBodyIsSent) {
  RawConnection c(server_->port());
  // Announce a megabyte and send none of it: only an answer from the header can arrive.
  ASSERT_TRUE(c.Send(Head("/upload", "stranger", 1 << 20)));
  auto answer = c.Read();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 401);
  EXPECT_EQ(answer->json()["message"], "who are you?");
  EXPECT_EQ(answer->headers["Connection"], "close");  // the unread body ends the connection
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(BodyGateTest, AnAcceptedRequestReadsItsBody) {
  RawConnection c(server_->port());
  ASSERT_TRUE(c.Send(Head("/upload", "let me in", 5) + "hello"));
  auto answer = c.Read();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->json()["bytes"], 5);
  EXPECT_EQ(handled_.load(), 1);
  // And the connection is kept for the next request.
  ASSERT_TRUE(c.Send(Head("/upload", "let me in", 2) + "hi"));
  auto second = c.Read();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
}

TEST_F(BodyGateTest, RoutesWithoutAGateReadTheBody) {
  RawConnection c(server_->port());
  ASSERT_TRUE(c.Send(Head("/open", "stranger", 3) + "abc"));
  auto answer = c.Read();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->json()["bytes"], 3);
}

}  // namespace
}  // namespace keywarden::http
