// HttpServer over real sockets on 127.0.0.1, with a deliberately dumb raw-socket client so
// the tests see exactly the bytes the server sends.
#include "http/server.h"
#include "support/raw_connection.h"
#include "support/temp_dir.h"
#include "support/test_certificate.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/http_client.h"
#include "support/wait.h"

namespace keywarden::http {
namespace {

using namespace std::chrono_literals;

std::shared_ptr<Router> TestRouter() {
  auto router = std::make_shared<Router>();
  router->Add("GET", "/hello", [](const HttpRequest&) { return JsonResponse(200, {{"hello", "world"}}); });
  router->Add("POST", "/echo", [](const HttpRequest& r) {
    return JsonResponse(200, {{"body", r.body},
                              {"query", r.query},
                              {"target", r.target},
                              {"type", r.header("content-type")},
                              {"client", r.client_address}});
  });
  router->Add("GET", "/throw", [](const HttpRequest&) -> HttpResponse {
    throw std::runtime_error("internal detail that must not leak");
  });
  return router;
}

HttpServerOptions TestOptions() {
  HttpServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.threads = 2;
  return options;
}

std::unique_ptr<HttpServer> StartServer(HttpServerOptions options, std::shared_ptr<const Router> router = TestRouter(),
                                        RequestObserver observer = nullptr) {
  auto server = std::make_unique<HttpServer>(std::move(options), std::move(router), std::move(observer));
  Status status = server->Start();
  EXPECT_TRUE(status.ok()) << status.ToString();
  return server;
}

std::string Get(std::string_view path, std::string_view extra = "") {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra) + "\r\n";
}

TEST(HttpServerTest, GetAndPostWithBody) {
  auto server = StartServer(TestOptions());
  RawConnection c(server->port());
  ASSERT_TRUE(c.Send(Get("/hello")));
  auto got = c.Read();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->body, R"({"hello":"world"})");
  EXPECT_EQ(got->headers["Server"], "keywarden");
  EXPECT_EQ(got->headers["Content-Type"], "application/json; charset=utf-8");

  ASSERT_TRUE(
      c.Send("POST /echo?x=1&y=2 HTTP/1.1\r\nHost: test\r\nContent-Type: text/plain\r\n"
             "Content-Length: 11\r\n\r\nhello world"));
  got = c.Read();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 200);
  nlohmann::json body = got->json();
  EXPECT_EQ(body["body"], "hello world");
  EXPECT_EQ(body["target"], "/echo");
  EXPECT_EQ(body["query"], "x=1&y=2");
  EXPECT_EQ(body["type"], "text/plain");
  EXPECT_EQ(body["client"], "127.0.0.1");
}

TEST(HttpServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  auto server = StartServer(TestOptions());
  RawConnection c(server->port());
  // Both requests in one write: pipelining must work too.
  ASSERT_TRUE(c.Send(Get("/hello") + Get("/missing")));
  auto first = c.Read();
  auto second = c.Read();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(second->status, 404);
  ASSERT_TRUE(c.Send(Get("/hello", "Connection: close\r\n")));
  auto third = c.Read();
  ASSERT_TRUE(third);
  EXPECT_EQ(third->status, 200);
  EXPECT_EQ(third->headers["Connection"], "close");
  EXPECT_TRUE(c.WaitClosed());
}

// Bodies past 64 KiB (a sync of megabytes) go out from their own buffer rather than a copy: the
// bytes and framing are the same, for every size around the switch, and the connection goes on.
TEST(HttpServerTest, LargeBodiesArriveWholeAndTheConnectionIsKept) {
  auto router = std::make_shared<Router>();
  router->Add("GET", "/bytes/{n}", [](const HttpRequest& r) {
    HttpResponse response;
    response.content_type = "application/octet-stream";
    const std::size_t n = std::stoul(std::string(r.path_param("n")));
    response.body.resize(n);
    for (std::size_t i = 0; i < n; ++i) response.body[i] = static_cast<char>('a' + i % 26);
    return response;
  });
  auto server = StartServer(TestOptions(), router);
  RawConnection c(server->port());
  for (std::size_t n :
       {std::size_t{65536}, std::size_t{65537}, std::size_t{3} << 20, std::size_t{10}, std::size_t{0}}) {
    ASSERT_TRUE(c.Send(Get("/bytes/" + std::to_string(n))));
    auto got = c.Read();
    ASSERT_TRUE(got) << n;
    EXPECT_EQ(got->status, 200) << n;
    EXPECT_EQ(got->headers["Content-Length"], std::to_string(n));
    ASSERT_EQ(got->body.size(), n);
    bool same = true;
    for (std::size_t i = 0; i < n && same; ++i) same = got->body[i] == static_cast<char>('a' + i % 26);
    EXPECT_TRUE(same) << n;
  }
}

// The wire form of an answer: status line with its reason, the server's own fields, framing by
// Content-Length, and the Connection field HTTP/1.0 and HTTP/1.1 each need.
TEST(HttpServerTest, AnswersAreFramedForEachHttpVersion) {
  auto server = StartServer(TestOptions());
  RawConnection c(server->port());
  ASSERT_TRUE(c.Send(Get("/hello")));
  auto eleven = c.Read();
  ASSERT_TRUE(eleven);
  EXPECT_EQ(eleven->status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(eleven->headers["Server"], "keywarden");
  EXPECT_EQ(eleven->headers["Content-Length"], std::to_string(eleven->body.size()));
  EXPECT_EQ(eleven->headers.count("Connection"), 0u);  // HTTP/1.1 keeps the connection by default

  // HTTP/1.0 asking to keep the connection: said so in the answer, and a second request works.
  ASSERT_TRUE(c.Send("GET /missing HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  auto kept = c.Read();
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->status_line, "HTTP/1.0 404 Not Found");
  EXPECT_EQ(kept->headers["Connection"], "keep-alive");
  EXPECT_EQ(kept->headers["Content-Length"], std::to_string(kept->body.size()));

  // HTTP/1.0 by default closes after one answer.
  ASSERT_TRUE(c.Send("GET /hello HTTP/1.0\r\n\r\n"));
  auto last = c.Read();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->status_line, "HTTP/1.0 200 OK");
  EXPECT_EQ(last->headers.count("Connection"), 0u);
  EXPECT_TRUE(c.WaitClosed());
}

TEST(HttpServerTest, NotFoundAndMethodNotAllowedAreJson) {
  auto server = StartServer(TestOptions());
  RawConnection c(server->port());
  ASSERT_TRUE(c.Send(Get("/nope")));
  auto not_found = c.Read();
  ASSERT_TRUE(not_found);
  EXPECT_EQ(not_found->status, 404);
  EXPECT_EQ(not_found->json(), (nlohmann::json{{"message", "not found"}}));
  EXPECT_EQ(not_found->headers["Content-Type"], "application/json; charset=utf-8");

  ASSERT_TRUE(c.Send("DELETE /hello HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto wrong_method = c.Read();
  ASSERT_TRUE(wrong_method);
  EXPECT_EQ(wrong_method->status, 405);
  EXPECT_EQ(wrong_method->headers["Allow"], "GET");
  EXPECT_EQ(wrong_method->json(), (nlohmann::json{{"message", "method not allowed"}}));
}

TEST(HttpServerTest, MalformedRequestIs400AndCloses) {
  auto server = StartServer(TestOptions());
  for (const char* bad : {"THIS IS NOT HTTP\r\n\r\n", "GET /hello HTTP/9\r\n\r\n",
                          "GET http://evil.example/hello HTTP/1.1\r\nHost: t\r\n\r\n",
                          "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n"}) {
    RawConnection c(server->port());
    ASSERT_TRUE(c.Send(bad));
    auto got = c.Read();
    ASSERT_TRUE(got) << bad;
    EXPECT_EQ(got->status, 400) << bad;
    EXPECT_TRUE(got->json().contains("message")) << bad;
    EXPECT_EQ(got->headers["Server"], "keywarden");
    EXPECT_TRUE(c.WaitClosed()) << bad;
  }
}

TEST(HttpServerTest, BodyOverLimitIs413) {
  HttpServerOptions options = TestOptions();
  options.max_body_bytes = 1024;
  auto server = StartServer(options);
  RawConnection c(server->port());
  std::string body(5000, 'x');
  ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n" + body));
  auto got = c.Read();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 413);
  EXPECT_EQ(got->json(), (nlohmann::json{{"message", "request body too large"}}));
  EXPECT_TRUE(c.WaitClosed());

  // At the limit is fine.
  RawConnection ok(server->port());
  ASSERT_TRUE(ok.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1024\r\n\r\n" + std::string(1024, 'y')));
  auto accepted = ok.Read();
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->status, 200);
}

TEST(HttpServerTest, HeadersOverLimitAre431) {
  HttpServerOptions options = TestOptions();
  options.max_header_bytes = 1024;
  auto server = StartServer(options);
  RawConnection c(server->port());
  ASSERT_TRUE(c.Send(Get("/hello", "X-Big: " + std::string(4000, 'a') + "\r\n")));
  auto got = c.Read();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 431);
  EXPECT_EQ(got->json(), (nlohmann::json{{"message", "request headers too large"}}));
  EXPECT_TRUE(c.WaitClosed());
}

TEST(HttpServerTest, SlowRequestIsClosedAfterRequestTimeout) {
  HttpServerOptions options = TestOptions();
  options.request_timeout = 300ms;
  auto server = StartServer(options);
  RawConnection c(server->port());
  ASSERT_TRUE(c.Send("GET /hello HTTP/1.1\r\nHost: t\r\n"));  // and never the blank line
  EXPECT_TRUE(c.WaitClosed());
}

TEST(HttpServerTest, IdleKeepAliveConnectionIsClosed) {
  HttpServerOptions options = TestOptions();
  options.idle_timeout = 200ms;
  auto server = StartServer(options);
  RawConnection c(server->port());
  ASSERT_TRUE(c.Send(Get("/hello")));
  ASSERT_TRUE(c.Read());
  EXPECT_TRUE(c.WaitClosed());
}

TEST(HttpServerTest, ConnectionsBeyondTheLimitGet503WhenNoneIsIdle) {
  HttpServerOptions options = TestOptions();
  options.max_connections = 2;
  auto server = StartServer(options);
  auto a = std::make_unique<RawConnection>(server->port());
  RawConnection b(server->port());
  for (RawConnection* c : {a.get(), &b}) {  // served, so certainly counted
    ASSERT_TRUE(c->Send(Get("/hello")));
    auto got = c->Read();
    ASSERT_TRUE(got);
    EXPECT_EQ(got->status, 200);
    ASSERT_TRUE(c->Send("GET /hello HTTP/1.1\r\n"));  // a request in progress: not idle
  }
  // Nothing shows when the server has read those bytes; give it ample time (a late read would
  // let the newcomer evict one of them, and the checks below would say so).
  std::this_thread::sleep_for(200ms);
  {
    RawConnection third(server->port());
    auto got = third.Read();
    ASSERT_TRUE(got);
    EXPECT_EQ(got->status, 503);
    EXPECT_EQ(got->json()["message"], "too many connections");
    EXPECT_TRUE(third.WaitClosed());
  }
  // The requests in progress were not disturbed.
  for (RawConnection* c : {a.get(), &b}) {
    ASSERT_TRUE(c->Send("Host: t\r\n\r\n"));
    auto got = c->Read();
    ASSERT_TRUE(got);
    EXPECT_EQ(got->status, 200);
  }
  // Capacity returns when a connection goes away (the close is asynchronous: try again a while).
  a.reset();
  std::optional<RawResponse> got;
  keywarden::testing::WaitUntil(  // its outcome is in `got`, checked next
      [&] {
        RawConnection again(server->port());
        if (again.Send(Get("/hello"))) got = again.Read();
        return got && got->status == 200;
      },
      2s, 20ms);
  ASSERT_TRUE(got) << "no answer at all within 2 s of a connection going away";
  EXPECT_EQ(got->status, 200) << "still refused 2 s after a connection went away";
}

TEST(HttpServerTest, CorsForTheAllowedOriginOnly) {
  HttpServerOptions options = TestOptions();
  options.cors = CorsOptions{"https://vault.example.com/"};
  auto server = StartServer(options);
  RawConnection c(server->port());

  ASSERT_TRUE(
      c.Send("OPTIONS /hello HTTP/1.1\r\nHost: t\r\nOrigin: https://vault.example.com\r\n"
             "Access-Control-Request-Method: PUT\r\n"
             "Access-Control-Request-Headers: authorization, content-type\r\n\r\n"));
  auto preflight = c.Read();
  ASSERT_TRUE(preflight);
  EXPECT_EQ(preflight->status, 204);
  EXPECT_EQ(preflight->headers.count("Content-Length"), 0u);  // a 204 has no body, not even a length
  EXPECT_EQ(preflight->headers["Access-Control-Allow-Origin"], "https://vault.example.com");
  EXPECT_EQ(preflight->headers["Access-Control-Allow-Credentials"], "true");
  EXPECT_EQ(preflight->headers["Access-Control-Allow-Methods"], "GET, POST, PUT, DELETE, OPTIONS");
  EXPECT_EQ(preflight->headers["Access-Control-Allow-Headers"], "authorization, content-type");
  EXPECT_EQ(preflight->headers["Access-Control-Max-Age"], "600");
  EXPECT_EQ(preflight->headers["Vary"], "Origin");

  ASSERT_TRUE(c.Send(Get("/hello", "Origin: https://vault.example.com\r\n")));
  auto simple = c.Read();
  ASSERT_TRUE(simple);
  EXPECT_EQ(simple->status, 200);
  EXPECT_EQ(simple->headers["Access-Control-Allow-Origin"], "https://vault.example.com");
  EXPECT_EQ(simple->headers["Access-Control-Allow-Credentials"], "true");

  ASSERT_TRUE(c.Send(Get("/hello", "Origin: https://evil.example.com\r\n")));
  auto other = c.Read();
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);
  EXPECT_EQ(other->headers.count("Access-Control-Allow-Origin"), 0u);
  EXPECT_EQ(other->headers.count("Access-Control-Allow-Credentials"), 0u);

  ASSERT_TRUE(
      c.Send("OPTIONS /hello HTTP/1.1\r\nHost: t\r\nOrigin: https://evil.example.com\r\n"
             "Access-Control-Request-Method: PUT\r\n\r\n"));
  auto other_preflight = c.Read();
  ASSERT_TRUE(other_preflight);
  EXPECT_NE(other_preflight->status, 204);
  EXPECT_EQ(other_preflight->headers.count("Access-Control-Allow-Origin"), 0u);
  EXPECT_EQ(other_preflight->headers.count("Access-Control-Allow-Methods"), 0u);
}

TEST(HttpServerTest, StopLetsTheInFlightRequestFinish) {
  std::promise<void> started;
  auto router = std::make_shared<Router>();
  router->Add("GET", "/slow", [&started](const HttpRequest&) {
    started.set_value();
    std::this_thread::sleep_for(300ms);
    return JsonResponse(200, "done");
  });
  auto server = StartServer(TestOptions(), router);
  std::uint16_t port = server->port();
  RawConnection idle(port);  // an idle connection is closed by Stop
  RawConnection c(port);
  ASSERT_TRUE(c.Send(Get("/slow")));
  ASSERT_EQ(started.get_future().wait_for(10s), std::future_status::ready) << "the /slow handler never started";
  std::thread stopper([&server] { server->Stop(5s); });
  auto got = c.Read();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->body, R"("done")");
  EXPECT_EQ(got->headers["Connection"], "close");
  EXPECT_TRUE(c.WaitClosed());
  EXPECT_TRUE(idle.WaitClosed());
  c.Close();
  stopper.join();
  RawConnection after(port);
  EXPECT_FALSE(after.connected());
}

// A blocking route waits on the blocking pool: with one I/O thread, quick routes on other
// connections are answered meanwhile, and Stop still lets the blocked request finish.
TEST(HttpServerTest, BlockingRoutesDoNotHoldUpTheIoThread) {
  std::promise<void> started;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  auto router = std::make_shared<Router>();
  router->Add("GET", "/hello", [](const HttpRequest&) { return JsonResponse(200, "hi"); });
  router->Add(
      "PUT", "/wait",
      [&started, released](const HttpRequest& r) {
        started.set_value();
        if (released.wait_for(30s) != std::future_status::ready) ADD_FAILURE() << "/wait was never released";
        return JsonResponse(200, r.body);
      },
      Execution::kBlocking);
  HttpServerOptions options = TestOptions();
  options.threads = 1;
  auto server = StartServer(options, router);
  RawConnection blocked(server->port());
  ASSERT_TRUE(blocked.Send("PUT /wait HTTP/1.1\r\nHost: test\r\nContent-Length: 4\r\n\r\nbody"));
  ASSERT_EQ(started.get_future().wait_for(10s), std::future_status::ready) << "the /wait handler never started";

  RawConnection quick(server->port());
  ASSERT_TRUE(quick.Send(Get("/hello")));
  auto got = quick.Read();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->body, R"("hi")");

  std::thread stopper([&server] { server->Stop(5s); });
  std::this_thread::sleep_for(50ms);
  release.set_value();
  got = blocked.Read();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->body, R"("body")");
  stopper.join();
}

TEST(HttpServerTest, HandlerExceptionIs500AndServerKeepsServing) {
  auto server = StartServer(TestOptions());
  RawConnection c(server->port());
  ASSERT_TRUE(c.Send(Get("/throw")));
  auto got = c.Read();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 500);
  EXPECT_EQ(got->json(), (nlohmann::json{{"message", "internal server error"}}));
  EXPECT_EQ(got->body.find("detail"), std::string::npos);
  ASSERT_TRUE(c.Send(Get("/hello")));
  auto next = c.Read();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST(HttpServerTest, ObserverSeesEveryAnswerWithBoundedLabels) {
  std::mutex mu;
  std::vector<std::pair<std::string, int>> seen;
  auto server = StartServer(
      TestOptions(), TestRouter(),
      [&](const HttpRequest&, const HttpResponse& response, std::chrono::nanoseconds latency, std::string_view label) {
        EXPECT_GE(latency.count(), 0);
        std::lock_guard lock(mu);
        seen.emplace_back(std::string(label), response.status);
      });
  RawConnection c(server->port());
  ASSERT_TRUE(c.Send(Get("/hello") + Get("/scanner/probe")));
  ASSERT_TRUE(c.Read());
  ASSERT_TRUE(c.Read());
  RawConnection bad(server->port());
  ASSERT_TRUE(bad.Send("garbage\r\n\r\n"));
  ASSERT_TRUE(bad.Read());
  server->Stop(1s);
  std::lock_guard lock(mu);
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, int>>{{"/hello", 200}, {"other", 404}, {"other", 400}}));
}

// Path parameters and pattern labels through the server, on the I/O threads and on the
// blocking pool (where the request and its match travel to another thread and back).
TEST(HttpServerTest, ParameterisedRoutesOnBothPoolsWithPatternLabels) {
  auto router = std::make_shared<Router>();
  router->Add("GET", "/ciphers/{id}", [](const HttpRequest& r) { return JsonResponse(200, r.path_param("id")); });
  router->Add(
      "PUT", "/ciphers/{id}", [](const HttpRequest& r) { return JsonResponse(200, r.path_param("id")); },
      Execution::kBlocking);
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> seen;  // label, the path parameter the observer sees
  auto server = StartServer(
      TestOptions(), router,
      [&](const HttpRequest& request, const HttpResponse&, std::chrono::nanoseconds, std::string_view label) {
        std::lock_guard lock(mu);
        seen.emplace_back(std::string(label), std::string(request.path_param("id")));
      });
  RawConnection c(server->port());
  ASSERT_TRUE(c.Send(Get("/ciphers/c-1")));
  auto got = c.Read();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->body, R"("c-1")");
  ASSERT_TRUE(c.Send("PUT /ciphers/c-2/ HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n\r\n"));
  got = c.Read();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->body, R"("c-2")");
  ASSERT_TRUE(c.Send("DELETE /ciphers/c-3 HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n\r\n"));
  got = c.Read();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 405);
  EXPECT_EQ(got->headers["Allow"], "GET, PUT");
  server->Stop(1s);
  std::lock_guard lock(mu);
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, std::string>>{
                      {"/ciphers/{id}", "c-1"}, {"/ciphers/{id}", "c-2"}, {"/ciphers/{id}", ""}}));
}

TEST(HttpServerTest, StartReportsAnAddressInUse) {
  auto first = StartServer(TestOptions());
  HttpServerOptions options = TestOptions();
  options.port = first->port();
  HttpServer second(options, TestRouter());
  Status status = second.Start();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(status.message(), "cannot listen on 127.0.0.1:" + std::to_string(first->port()) + ": address in use");
}

TEST(HttpServerTest, StartRejectsMissingTlsFiles) {
  HttpServerOptions options = TestOptions();
  options.tls = TlsFiles{"/nonexistent/cert.pem", "/nonexistent/key.pem"};
  HttpServer server(options, TestRouter());
  Status status = server.Start();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("/nonexistent/cert.pem"), std::string::npos);
}

TEST(HttpServerTest, ParseRequestForTest) {
  auto ok = ParseRequestForTest("POST /a?b=c HTTP/1.1\r\nHost: x\r\nX-A: 1\r\nx-a: 2\r\nContent-Length: 2\r\n\r\nhi");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->method, "POST");
  EXPECT_EQ(ok->target, "/a");
  EXPECT_EQ(ok->query, "b=c");
  EXPECT_EQ(ok->header("X-A"), "1, 2");
  EXPECT_EQ(ok->body, "hi");
  EXPECT_FALSE(ParseRequestForTest("GET /a HTTP/1.1\r\nHost: x\r\n").ok());
  EXPECT_FALSE(ParseRequestForTest("").ok());
  EXPECT_FALSE(ParseRequestForTest("\x01\x02 / HTTP/1.1\r\n\r\n").ok());
  EXPECT_FALSE(ParseRequestForTest("GET * HTTP/1.1\r\nHost: x\r\n\r\n").ok());
  EXPECT_FALSE(ParseRequestForTest("POST /a HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789", 8192, 5).ok());
}

// --- TLS -------------------------------------------------------------------------------------

using keywarden::testing::MakeCertificate;
using keywarden::testing::TempDir;

TEST(HttpServerTlsTest, ServesOverTlsWithHostnameVerification) {
  TempDir dir;
  TlsFiles files = MakeCertificate(dir.path(), "localhost");
  HttpServerOptions options = TestOptions();
  options.tls = files;
  auto server = StartServer(options);
  std::string url = "https://localhost:" + std::to_string(server->port()) + "/hello";

  HttpClientOptions client;
  client.ca_file = files.cert_file;
  auto got = HttpGet(url, client);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, R"({"hello":"world"})");

  // Not trusted by the system store.
  auto untrusted = HttpGet(url, HttpClientOptions{});
  ASSERT_FALSE(untrusted.ok());
  EXPECT_EQ(untrusted.status().code(), ErrorCode::kUnavailable);

  // Plain bytes to a TLS port: the connection is dropped, the server carries on.
  RawConnection plain(server->port());
  ASSERT_TRUE(plain.Send(Get("/hello")));
  EXPECT_TRUE(plain.WaitClosed());
  EXPECT_TRUE(HttpGet(url, client).ok());
}

TEST(HttpServerTlsTest, ALargeBodyArrivesWholeOverTls) {
  TempDir dir;
  TlsFiles files = MakeCertificate(dir.path(), "localhost");
  HttpServerOptions options = TestOptions();
  options.tls = files;
  const std::string big(300 * 1024, 'x');  // sent from its own buffer, past the 64 KiB copy
  auto router = std::make_shared<Router>();
  router->Add("GET", "/big", [&big](const HttpRequest&) {
    HttpResponse response;
    response.body = big;
    return response;
  });
  auto server = StartServer(options, router);
  HttpClientOptions client;
  client.ca_file = files.cert_file;
  auto got = HttpGet("https://localhost:" + std::to_string(server->port()) + "/big", client);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, big);
}

TEST(HttpServerTlsTest, CertificateForAnotherNameIsRefused) {
  TempDir dir;
  TlsFiles files = MakeCertificate(dir.path(), "other.example");
  HttpServerOptions options = TestOptions();
  options.tls = files;
  auto server = StartServer(options);
  HttpClientOptions client;
  client.ca_file = files.cert_file;
  auto got = HttpGet("https://localhost:" + std::to_string(server->port()) + "/hello", client);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(got.status().message().find("TLS handshake failed"), std::string::npos) << got.status().message();
}

}  // namespace
}  // namespace keywarden::http
