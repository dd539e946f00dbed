// WebSocket routes of HttpServer over real sockets on 127.0.0.1, with Beast's WebSocket client
// (plain and TLS) and a small raw HTTP client for the refusals. Every wait ends by kDeadline and
// fails with a message.
#include "http/websocket.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <nlohmann/json.hpp>

#include "http/router.h"
#include "http/server.h"
#include "support/temp_dir.h"
#include "support/test_certificate.h"
#include "telemetry/metrics.h"

namespace keywarden::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using Fields = std::vector<std::pair<std::string, std::string>>;

// How long any one wait may take before the test fails.
constexpr std::chrono::seconds kDeadline{5};

// Beast's WebSocket client over TCP, or over TLS trusting one CA file and checking the name
// "localhost". Each operation runs on the client's own io_context until it completes; the TCP
// stream's expiry ends it at the deadline (beast::error::timeout). Not thread-safe.
template <bool kTls>
class BasicClient {
 public:
  using Stream = std::conditional_t<kTls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

  BasicClient() requires(!kTls) : ws_(io_) {}
  explicit BasicClient(const std::string& ca_file) requires(kTls) : ws_(io_, tls_) {
    tls_.load_verify_file(ca_file);
    tls_.set_verify_mode(asio::ssl::verify_peer);
  }

  // Connects and asks to upgrade `target`, sending `headers` too; the handshake's answer is in
  // response() either way (101 when upgraded, else websocket::error::upgrade_declined).
  // `receive_buffer` > 0 shrinks the socket's receive buffer (a client that will not read).
  beast::error_code Connect(std::uint16_t port, const std::string& target, const Fields& headers = {},
                            int receive_buffer = 0) {
    beast::tcp_stream& tcp_layer = beast::get_lowest_layer(ws_);
    beast::error_code ec;
    tcp_layer.socket().open(tcp::v4(), ec);
    if (!ec && receive_buffer > 0) {
      tcp_layer.socket().set_option(asio::socket_base::receive_buffer_size(receive_buffer), ec);
    }
    if (ec) return ec;
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    ec = Run([&](auto done) { tcp_layer.async_connect(endpoint, done); });
    if (ec) return ec;
    if constexpr (kTls) {
      SSL_set_tlsext_host_name(ws_.next_layer().native_handle(), "localhost");
      ws_.next_layer().set_verify_callback(asio::ssl::host_name_verification("localhost"));
      ec = Run([&](auto done) { ws_.next_layer().async_handshake(asio::ssl::stream_base::client, done); });
      if (ec) return ec;
    }
    ws_.set_option(websocket::stream_base::decorator([headers](websocket::request_type& request) {
      for (const auto& [name, value] : headers) request.set(name, value);
    }));
    return Run([&](auto done) { ws_.async_handshake(response_, "localhost", target, done); });
  }

  beast::error_code Write(std::string_view data, bool binary = false) {
    ws_.binary(binary);
    return Run([&](auto done) { ws_.async_write(asio::buffer(data.data(), data.size()), done); });
  }

  // The next message. After the closing handshake the error is websocket::error::closed and
  // close_reason() says what the server sent.
  beast::error_code Read(WebSocketMessage& message, std::chrono::steady_clock::duration deadline = kDeadline) {
    beast::flat_buffer buffer;
    beast::error_code ec = Run([&](auto done) { ws_.async_read(buffer, done); }, deadline);
    message.binary = ws_.got_binary();
    message.data = beast::buffers_to_string(buffer.data());
    return ec;
  }

  // Reads one message, expected to be text.
  std::string ReadText() {
    WebSocketMessage message;
    beast::error_code ec = Read(message);
    EXPECT_FALSE(ec) << "no message: " << ec.message();
    EXPECT_FALSE(message.binary);
    return message.data;
  }

  // Sends a close frame and reads until the server's answer.
  beast::error_code Close(std::uint16_t code, std::string_view reason = {}) {
    websocket::close_reason close(code);
    close.reason.assign(reason.data(), reason.size());
    return Run([&](auto done) { ws_.async_close(close, done); });
  }

  const websocket::response_type& response() const { return response_; }
  const websocket::close_reason& close_reason() const { return ws_.reason(); }

 private:
  template <typename Initiate>
  beast::error_code Run(Initiate initiate, std::chrono::steady_clock::duration deadline = kDeadline) {
    beast::get_lowest_layer(ws_).expires_after(deadline);
    beast::error_code result = asio::error::timed_out;
    initiate([&result](beast::error_code ec, auto&&...) { result = ec; });
    io_.restart();
    io_.run();
    return result;
  }

  asio::io_context io_;
  asio::ssl::context tls_{asio::ssl::context::tls_client};
  websocket::stream<Stream> ws_;
  websocket::response_type response_;
};

using Client = BasicClient<false>;
using TlsClient = BasicClient<true>;

// One HTTP/1.1 connection that sends raw bytes and reads one answer at a time.
class HttpConnection {
 public:
  explicit HttpConnection(std::uint16_t port) : stream_(io_) {
    stream_.expires_after(kDeadline);
    stream_.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), [](beast::error_code) {});
    io_.run();
  }

  // The answer to `raw`, or nullopt (and a test failure) when none came by the deadline.
  std::optional<bhttp::response<bhttp::string_body>> Exchange(const std::string& raw) {
    beast::error_code read_ec = asio::error::timed_out;
    bhttp::response<bhttp::string_body> response;
    stream_.expires_after(kDeadline);
    // An answer may come before the request is read (503 at the connection cap): read either way.
    asio::async_write(stream_, asio::buffer(raw), [](beast::error_code, std::size_t) {});
    bhttp::async_read(stream_, buffer_, response, [&read_ec](beast::error_code ec, std::size_t) { read_ec = ec; });
    io_.restart();
    io_.run();
    EXPECT_FALSE(read_ec) << "no answer to " << raw << ": " << read_ec.message();
    if (read_ec) return std::nullopt;
    return response;
  }

 private:
  asio::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

// An upgrade request as a browser sends it, with `extra` fields (each ending in CRLF).
std::string UpgradeRequest(std::string_view target, std::string_view extra = "") {
  return "GET " + std::string(target) +
         " HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
         "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
         std::string(extra) + "\r\n";
}

// What the hub's callbacks saw, for the test thread to wait on.
class Recorder {
 public:
  void Opened(const WebSocket& socket) {
    std::lock_guard lock(mu_);
    sockets_.push_back(socket);
    cv_.notify_all();
  }
  void Closed(const WebSocketClosed& closed) {
    std::lock_guard lock(mu_);
    closes_.push_back(closed);
    cv_.notify_all();
  }
  void Accepted() { accepts_.fetch_add(1); }

  // Whether `count` WebSockets opened (closed) by the deadline.
  bool WaitOpened(std::size_t count) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kDeadline, [&] { return sockets_.size() >= count; });
  }
  bool WaitClosed(std::size_t count) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kDeadline, [&] { return closes_.size() >= count; });
  }

  WebSocket socket(std::size_t i) {
    std::lock_guard lock(mu_);
    return sockets_.at(i);
  }
  WebSocketClosed closed(std::size_t i) {
    std::lock_guard lock(mu_);
    return closes_.at(i);
  }
  int accepts() const { return accepts_.load(); }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<WebSocket> sockets_;
  std::vector<WebSocketClosed> closes_;
  std::atomic<int> accepts_{0};
};

// The accept callback of a hub: refuses without "Token=good" in the query; otherwise greets with
// "room <room>", echoes every message in kind, throws on "throw" and closes 4000 "bye" on "close".
Handler HubAccept(std::shared_ptr<Recorder> recorder) {
  return [recorder](const HttpRequest& request) -> HttpResponse {
    recorder->Accepted();
    if (request.query != "Token=good") return JsonError(401, "bad token");
    WebSocketHandler handler;
    handler.on_open = [recorder, room = std::string(request.path_param("room"))](const WebSocket& socket) {
      Status sent = socket.SendText("room " + room);  // before Opened: the test may close once told
      EXPECT_TRUE(sent.ok()) << sent.ToString();
      recorder->Opened(socket);
    };
    handler.on_message = [](const WebSocket& socket, WebSocketMessage message) {
      if (message.data == "throw") throw std::runtime_error("handler failure");
      if (message.data == "close") return socket.Close(4000, "bye");
      Status sent =
          message.binary ? socket.SendBinary(std::move(message.data)) : socket.SendText(std::move(message.data));
      EXPECT_TRUE(sent.ok()) << sent.ToString();
    };
    handler.on_close = [recorder](const WebSocketClosed& closed) { recorder->Closed(closed); };
    return AcceptWebSocket(std::move(handler));
  };
}

// Refuses without "Authorization: Bearer secret", like the bearer middleware.
Middleware RequireBearer() {
  return [](Handler next) {
    return [next](const HttpRequest& request) {
      if (request.header("Authorization") != "Bearer secret") return JsonError(401, "missing token");
      return next(request);
    };
  };
}

std::shared_ptr<Router> HubRouter(const std::shared_ptr<Recorder>& recorder) {
  auto router = std::make_shared<Router>();
  router->Add("GET", "/hello", [](const HttpRequest&) { return JsonResponse(200, {{"hello", "world"}}); });
  router->AddWebSocket("/hub/{room}", HubAccept(recorder));
  router->AddWebSocket("/blocking/{room}", HubAccept(recorder), Execution::kBlocking);
  router->AddWebSocket("/private/{room}", HubAccept(recorder)).With(RequireBearer());
  return router;
}

HttpServerOptions TestOptions() {
  HttpServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.threads = 2;
  options.blocking_threads = 2;
  return options;
}

std::unique_ptr<HttpServer> StartServer(HttpServerOptions options, std::shared_ptr<const Router> router,
                                        RequestObserver observer = nullptr,
                                        WebSocketObserver websocket_observer = nullptr) {
  auto server = std::make_unique<HttpServer>(std::move(options), std::move(router), std::move(observer),
                                             std::move(websocket_observer));
  Status status = server->Start();
  EXPECT_TRUE(status.ok()) << status.ToString();
  return server;
}

// Waits until `condition` holds, polling; false at the deadline.
bool Eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

TEST(WebSocketTest, HandshakeThenEchoOfTextAndBinary) {
  auto recorder = std::make_shared<Recorder>();
  auto server = StartServer(TestOptions(), HubRouter(recorder));
  for (std::string path : {"/hub/lobby", "/blocking/lobby"}) {  // accept on the I/O thread, then on the pool
    SCOPED_TRACE(path);
    Client client;
    beast::error_code ec = client.Connect(server->port(), path + "?Token=good");
    ASSERT_FALSE(ec) << "handshake failed: " << ec.message();
    EXPECT_EQ(client.response().result_int(), 101);
    EXPECT_EQ(client.response()[bhttp::field::server], "keywarden");
    EXPECT_EQ(client.ReadText(), "room lobby");  // the path parameter reached the accept callback

    ASSERT_FALSE(client.Write("hello"));
    EXPECT_EQ(client.ReadText(), "hello");
    const std::string bytes("\x00\x01\xfe\xff", 4);
    ASSERT_FALSE(client.Write(bytes, /*binary=*/true));
    WebSocketMessage echoed;
    ASSERT_FALSE(client.Read(echoed)) << "no binary echo";
    EXPECT_TRUE(echoed.binary);
    EXPECT_EQ(echoed.data, bytes);
    EXPECT_EQ(server->open_websockets(), 1u);

    ASSERT_FALSE(client.Close(kWebSocketNormalClosure, "bye now"));
  }
  ASSERT_TRUE(recorder->WaitClosed(2)) << "on_close was not called within the deadline";
  EXPECT_EQ(recorder->closed(0).code, kWebSocketNormalClosure);
  EXPECT_EQ(recorder->closed(0).reason, "bye now");
  EXPECT_TRUE(Eventually([&] { return server->open_websockets() == 0; })) << server->open_websockets();
}

TEST(WebSocketTest, RefusalIsAnHttpAnswerWithoutUpgrade) {
  auto recorder = std::make_shared<Recorder>();
  auto server = StartServer(TestOptions(), HubRouter(recorder));

  Client wrong_token;  // refused by the accept callback
  EXPECT_EQ(wrong_token.Connect(server->port(), "/hub/lobby?Token=bad"), websocket::error::upgrade_declined);
  EXPECT_EQ(wrong_token.response().result_int(), 401);
  EXPECT_EQ(nlohmann::json::parse(wrong_token.response().body(), nullptr, false),
            (nlohmann::json{{"message", "bad token"}}));

  Client no_bearer;  // refused by the route's middleware, before the accept callback
  const int accepts = recorder->accepts();
  EXPECT_EQ(no_bearer.Connect(server->port(), "/private/lobby?Token=good"), websocket::error::upgrade_declined);
  EXPECT_EQ(no_bearer.response().result_int(), 401);
  EXPECT_EQ(recorder->accepts(), accepts);

  Client with_bearer;
  beast::error_code ec =
      with_bearer.Connect(server->port(), "/private/lobby?Token=good", {{"Authorization", "Bearer secret"}});
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(with_bearer.ReadText(), "room lobby");
  ASSERT_TRUE(recorder->WaitOpened(1)) << "on_open was not called within the deadline";
  EXPECT_EQ(server->open_websockets(), 1u);  // only the accepted one

  // A refused upgrade leaves the connection speaking HTTP.
  HttpConnection http(server->port());
  auto refused = http.Exchange(UpgradeRequest("/hub/lobby?Token=bad"));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->result_int(), 401);
  auto next = http.Exchange("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->result_int(), 200);
}

TEST(WebSocketTest, RequestsThatCannotUpgradeAreRefusedBeforeTheAcceptCallback) {
  auto recorder = std::make_shared<Recorder>();
  auto server = StartServer(TestOptions(), HubRouter(recorder));
  HttpConnection http(server->port());

  auto plain = http.Exchange("GET /hub/lobby?Token=good HTTP/1.1\r\nHost: localhost\r\n\r\n");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->result_int(), 426);
  EXPECT_EQ((*plain)[bhttp::field::upgrade], "websocket");
  EXPECT_EQ((*plain)[bhttp::field::connection], "upgrade");
  EXPECT_TRUE(nlohmann::json::parse(plain->body(), nullptr, false).contains("message"));

  auto version = http.Exchange(
      "GET /hub/lobby?Token=good HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive, Upgrade\r\n"
      "Upgrade: websocket\r\nSec-WebSocket-Version: 8\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
  ASSERT_TRUE(version);
  EXPECT_EQ(version->result_int(), 426);
  EXPECT_EQ((*version)[bhttp::field::sec_websocket_version], "13");

  auto no_key = http.Exchange(
      "GET /hub/lobby?Token=good HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\n"
      "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n");
  ASSERT_TRUE(no_key);
  EXPECT_EQ(no_key->result_int(), 400);

  auto bad_key = http.Exchange(
      "GET /hub/lobby?Token=good HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\n"
      "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: short\r\n\r\n");
  ASSERT_TRUE(bad_key);
  EXPECT_EQ(bad_key->result_int(), 400);

  auto post = http.Exchange("POST /hub/lobby HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->result_int(), 405);
  EXPECT_EQ((*post)[bhttp::field::allow], "GET");
  EXPECT_EQ(recorder->accepts(), 0);

  // An upgrade request to a plain route is answered as plain HTTP, and HTTP carries on.
  auto hello = http.Exchange(UpgradeRequest("/hello"));
  ASSERT_TRUE(hello);
  EXPECT_EQ(hello->result_int(), 200);
  EXPECT_EQ(hello->body(), R"({"hello":"world"})");
  EXPECT_EQ((*hello)[bhttp::field::upgrade], "");
  auto again = http.Exchange("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->result_int(), 200);
  EXPECT_EQ(server->open_websockets(), 0u);
}

TEST(WebSocketTest, OversizedMessageClosesWithTooBig) {
  auto recorder = std::make_shared<Recorder>();
  HttpServerOptions options = TestOptions();
  options.websocket.max_message_bytes = 1024;
  auto server = StartServer(options, HubRouter(recorder));
  Client client;
  ASSERT_FALSE(client.Connect(server->port(), "/hub/lobby?Token=good"));
  EXPECT_EQ(client.ReadText(), "room lobby");
  const std::string at_limit(1024, 'a');
  ASSERT_FALSE(client.Write(at_limit));
  EXPECT_EQ(client.ReadText(), at_limit);

  ASSERT_FALSE(client.Write(std::string(1025, 'b')));
  WebSocketMessage message;
  EXPECT_EQ(client.Read(message), websocket::error::closed);
  EXPECT_EQ(client.close_reason().code, kWebSocketMessageTooBig);
  ASSERT_TRUE(recorder->WaitClosed(1)) << "on_close was not called within the deadline";
  EXPECT_EQ(recorder->closed(0).code, kWebSocketMessageTooBig);
}

TEST(WebSocketTest, ServerSideCloseAndHandlerFailure) {
  auto recorder = std::make_shared<Recorder>();
  auto server = StartServer(TestOptions(), HubRouter(recorder));

  Client closed_by_hub;
  ASSERT_FALSE(closed_by_hub.Connect(server->port(), "/hub/a?Token=good"));
  EXPECT_EQ(closed_by_hub.ReadText(), "room a");
  ASSERT_FALSE(closed_by_hub.Write("close"));
  WebSocketMessage message;
  EXPECT_EQ(closed_by_hub.Read(message), websocket::error::closed);
  EXPECT_EQ(closed_by_hub.close_reason().code, 4000);
  EXPECT_EQ(std::string(closed_by_hub.close_reason().reason.data(), closed_by_hub.close_reason().reason.size()), "bye");
  ASSERT_TRUE(recorder->WaitClosed(1)) << "on_close was not called within the deadline";
  EXPECT_EQ(recorder->closed(0).code, 4000);  // the client's answer repeats the code
  Status late = recorder->socket(0).SendText("too late");
  EXPECT_EQ(late.code(), ErrorCode::kUnavailable) << late.ToString();

  Client breaks_hub;
  ASSERT_FALSE(breaks_hub.Connect(server->port(), "/hub/b?Token=good"));
  EXPECT_EQ(breaks_hub.ReadText(), "room b");
  ASSERT_FALSE(breaks_hub.Write("throw"));
  EXPECT_EQ(breaks_hub.Read(message), websocket::error::closed);
  EXPECT_EQ(breaks_hub.close_reason().code, kWebSocketInternalError);
  ASSERT_TRUE(recorder->WaitClosed(2)) << "on_close was not called within the deadline";
}

TEST(WebSocketTest, MessagesSentFromOtherThreadsArriveInOrder) {
  auto recorder = std::make_shared<Recorder>();
  HttpServerOptions options = TestOptions();
  options.websocket.max_queued_messages = 100'000;  // the client reads as fast as it can, not faster
  auto server = StartServer(options, HubRouter(recorder));
  Client client;
  ASSERT_FALSE(client.Connect(server->port(), "/hub/lobby?Token=good"));
  EXPECT_EQ(client.ReadText(), "room lobby");
  ASSERT_TRUE(recorder->WaitOpened(1)) << "on_open was not called within the deadline";
  WebSocket socket = recorder->socket(0);

  constexpr int kPerProducer = 2000;
  auto produce = [socket](char name) {
    for (int i = 0; i < kPerProducer; ++i) {
      Status sent = socket.SendText(std::string(1, name) + std::to_string(i));
      if (!sent.ok()) {
        ADD_FAILURE() << sent.ToString();
        return;
      }
    }
  };
  std::thread a(produce, 'a');
  std::thread b(produce, 'b');
  int next_a = 0;
  int next_b = 0;
  for (int received = 0; received < 2 * kPerProducer; ++received) {
    WebSocketMessage message;
    beast::error_code ec = client.Read(message);
    if (ec) {
      ADD_FAILURE() << "message " << received << " did not arrive: " << ec.message();
      break;
    }
    int& next = message.data[0] == 'a' ? next_a : next_b;
    if (message.data.substr(1) != std::to_string(next)) {
      ADD_FAILURE() << "out of order: " << message.data << " where " << message.data[0] << next << " was due";
      break;
    }
    ++next;
  }
  a.join();
  b.join();
  EXPECT_EQ(next_a, kPerProducer);
  EXPECT_EQ(next_b, kPerProducer);
}

TEST(WebSocketTest, ClientThatDoesNotReadIsDisconnectedAtTheQueueBound) {
  auto recorder = std::make_shared<Recorder>();
  HttpServerOptions options = TestOptions();
  options.websocket.max_queued_messages = 64;
  options.websocket.max_queued_bytes = 256 * 1024;
  auto server = StartServer(options, HubRouter(recorder));
  Client client;
  ASSERT_FALSE(client.Connect(server->port(), "/hub/lobby?Token=good", {}, /*receive_buffer=*/4096));
  ASSERT_TRUE(recorder->WaitOpened(1)) << "on_open was not called within the deadline";
  WebSocket socket = recorder->socket(0);

  EXPECT_EQ(socket.SendText(std::string(256 * 1024 + 1, 'x')).code(), ErrorCode::kInvalidArgument);
  // Kernel buffers take a few megabytes; then the queue fills and the client is dropped.
  const std::string chunk(16 * 1024, 'x');
  Status sent;
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (sent.ok() && std::chrono::steady_clock::now() < deadline) {
    sent = socket.SendText(chunk);
    if (sent.ok()) std::this_thread::sleep_for(100us);  // let the I/O thread write what it can
  }
  ASSERT_FALSE(sent.ok()) << "the outgoing queue never filled within the deadline";
  EXPECT_EQ(sent.code(), ErrorCode::kUnavailable) << sent.ToString();
  ASSERT_TRUE(recorder->WaitClosed(1)) << "on_close was not called within the deadline";
  EXPECT_EQ(recorder->closed(0).code, kWebSocketAbnormal);
  EXPECT_EQ(recorder->closed(0).reason, "outgoing queue full");
  EXPECT_EQ(socket.SendText("more").code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(Eventually([&] { return server->open_websockets() == 0; })) << server->open_websockets();
}

TEST(WebSocketTest, PingsKeepAReadingClientAndDropASilentOne) {
  auto recorder = std::make_shared<Recorder>();
  HttpServerOptions options = TestOptions();
  options.websocket.idle_timeout = 400ms;
  auto server = StartServer(options, HubRouter(recorder));
  Client reading;
  ASSERT_FALSE(reading.Connect(server->port(), "/hub/reading?Token=good"));
  EXPECT_EQ(reading.ReadText(), "room reading");
  ASSERT_TRUE(recorder->WaitOpened(1)) << "on_open was not called within the deadline";
  const auto opened = std::chrono::steady_clock::now();
  // Reading answers the server's pings, for well over the idle timeout.
  std::future<std::pair<beast::error_code, std::string>> read = std::async(std::launch::async, [&reading] {
    WebSocketMessage message;
    beast::error_code ec = reading.Read(message);
    return std::make_pair(ec, message.data);
  });

  Client silent;  // never reads, so never answers a ping
  ASSERT_FALSE(silent.Connect(server->port(), "/hub/silent?Token=good"));
  ASSERT_TRUE(recorder->WaitClosed(1)) << "the silent client was not dropped within the deadline";
  EXPECT_EQ(recorder->closed(0).code, kWebSocketAbnormal);
  EXPECT_EQ(recorder->closed(0).reason, "timeout");

  std::this_thread::sleep_until(opened + 1500ms);
  Status sent = recorder->socket(0).SendText("still here");
  ASSERT_TRUE(sent.ok()) << "the reading client was dropped: " << sent.ToString();
  ASSERT_EQ(read.wait_for(kDeadline), std::future_status::ready) << "the read did not end within the deadline";
  auto [ec, data] = read.get();
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(data, "still here");
}

TEST(WebSocketTest, StopClosesWithGoingAwayAndDrains) {
  auto recorder = std::make_shared<Recorder>();
  auto server = StartServer(TestOptions(), HubRouter(recorder));
  Client client;
  ASSERT_FALSE(client.Connect(server->port(), "/hub/lobby?Token=good"));
  EXPECT_EQ(client.ReadText(), "room lobby");
  std::future<beast::error_code> read = std::async(std::launch::async, [&client] {
    WebSocketMessage message;
    return client.Read(message);
  });

  const auto start = std::chrono::steady_clock::now();
  server->Stop(10s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, kDeadline) << "Stop waited for its deadline: no drain";
  ASSERT_EQ(read.wait_for(kDeadline), std::future_status::ready) << "the read did not end within the deadline";
  EXPECT_EQ(read.get(), websocket::error::closed);
  EXPECT_EQ(client.close_reason().code, kWebSocketGoingAway);
  ASSERT_TRUE(recorder->WaitClosed(1)) << "on_close was not called";
  EXPECT_EQ(recorder->closed(0).code, kWebSocketGoingAway);
  EXPECT_EQ(server->open_websockets(), 0u);
}

// A client that never answers the 1001 is cut off at Stop's deadline, and on_close still comes.
TEST(WebSocketTest, StopDeadlineEndsWebSocketsThatDoNotAnswer) {
  auto recorder = std::make_shared<Recorder>();
  auto server = StartServer(TestOptions(), HubRouter(recorder));
  Client client;  // never reads, so never answers the close frame
  ASSERT_FALSE(client.Connect(server->port(), "/hub/lobby?Token=good"));
  ASSERT_TRUE(recorder->WaitOpened(1)) << "on_open was not called within the deadline";
  const auto start = std::chrono::steady_clock::now();
  server->Stop(300ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, kDeadline) << "Stop overran its drain deadline";
  ASSERT_TRUE(recorder->WaitClosed(1)) << "on_close was not called";
  EXPECT_EQ(recorder->closed(0).code, kWebSocketAbnormal);
  EXPECT_EQ(recorder->closed(0).reason, "server stopped");
  EXPECT_EQ(server->open_websockets(), 0u);
  EXPECT_EQ(recorder->socket(0).SendText("after stop").code(), ErrorCode::kUnavailable);
}

// Threads outside the server send through handles while it is destroyed. Such a thread may
// drop a connection's last reference, and the connection must then still find its io_context:
// the notification hub's keep-alive thread crashed a server this way. Repeated, as the race is
// narrow; AddressSanitizer reports the use after free, a release build may crash.
TEST(WebSocketTest, HandlesInUseElsewhereWhileTheServerIsDestroyed) {
  for (int round = 0; round < 20; ++round) {
    auto recorder = std::make_shared<Recorder>();
    auto server = StartServer(TestOptions(), HubRouter(recorder));
    Client client;
    ASSERT_FALSE(client.Connect(server->port(), "/hub/lobby?Token=good"));
    ASSERT_TRUE(recorder->WaitOpened(1)) << "on_open was not called within the deadline";
    const WebSocket socket = recorder->socket(0);
    std::atomic<bool> done{false};
    std::thread sender([&socket, &done] {
      while (!done) {
        (void)socket.SendText("tick");
        socket.Close(kWebSocketGoingAway);
      }
    });
    std::this_thread::sleep_for(5ms);
    server.reset();
    done = true;
    sender.join();
    EXPECT_EQ(socket.SendText("after").code(), ErrorCode::kUnavailable);
    ASSERT_TRUE(recorder->WaitClosed(1)) << "on_close was not called";
  }
}

// A WebSocket holds a connection slot for as long as it is open, like a keep-alive connection.
TEST(WebSocketTest, OpenWebSocketsCountAgainstTheConnectionCap) {
  auto recorder = std::make_shared<Recorder>();
  HttpServerOptions options = TestOptions();
  options.max_connections = 2;
  auto server = StartServer(options, HubRouter(recorder));
  auto first = std::make_unique<Client>();
  Client second;
  ASSERT_FALSE(first->Connect(server->port(), "/hub/a?Token=good"));
  ASSERT_FALSE(second.Connect(server->port(), "/hub/b?Token=good"));
  {
    HttpConnection third(server->port());
    auto refused = third.Exchange("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->result_int(), 503);
  }
  ASSERT_FALSE(first->Close(kWebSocketNormalClosure));
  first.reset();
  bool served = Eventually([&] {
    HttpConnection again(server->port());
    auto got = again.Exchange("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n");
    return got && got->result_int() == 200;
  });
  EXPECT_TRUE(served) << "the closed WebSocket's slot did not come back within the deadline";
}

TEST(WebSocketTest, MetricsCountUpgradesByPatternAndOpenSockets) {
  auto recorder = std::make_shared<Recorder>();
  telemetry::MetricsRegistry registry;
  Result<telemetry::Counter*> upgrades =
      registry.AddCounter("keywarden_websocket_upgrades_total", "WebSocket upgrades by route", {"route"});
  ASSERT_TRUE(upgrades.ok());
  std::mutex mu;
  std::vector<std::pair<std::string, int>> answers;  // route label, status
  HttpServer* observed = nullptr;
  ASSERT_TRUE(registry
                  .AddGauge("keywarden_websockets_open", "Open WebSockets",
                            [&observed] { return static_cast<double>(observed->open_websockets()); })
                  .ok());
  auto server = StartServer(
      TestOptions(), HubRouter(recorder),
      [&](const HttpRequest&, const HttpResponse& response, std::chrono::nanoseconds, std::string_view label) {
        std::lock_guard lock(mu);
        answers.emplace_back(std::string(label), response.status);
      },
      [counter = *upgrades](WebSocketEvent event, std::string_view label) {
        if (event == WebSocketEvent::kOpened) counter->Inc({label});
      });
  observed = server.get();

  Client a;
  Client b;
  Client refused;
  ASSERT_FALSE(a.Connect(server->port(), "/hub/room-1?Token=good"));
  ASSERT_FALSE(b.Connect(server->port(), "/hub/room-2?Token=good"));
  EXPECT_EQ(refused.Connect(server->port(), "/hub/room-3?Token=bad"), websocket::error::upgrade_declined);
  ASSERT_TRUE(recorder->WaitOpened(2)) << "on_open was not called within the deadline";
  std::string text = registry.Render();
  EXPECT_NE(text.find("keywarden_websocket_upgrades_total{route=\"/hub/{room}\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("keywarden_websockets_open 2\n"), std::string::npos) << text;

  ASSERT_FALSE(a.Close(kWebSocketNormalClosure));
  ASSERT_FALSE(b.Close(kWebSocketNormalClosure));
  ASSERT_TRUE(recorder->WaitClosed(2)) << "on_close was not called within the deadline";
  EXPECT_NE(registry.Render().find("keywarden_websockets_open 0\n"), std::string::npos) << registry.Render();
  server->Stop(1s);
  std::lock_guard lock(mu);
  std::vector<std::pair<std::string, int>> expected = {
      {"/hub/{room}", 101}, {"/hub/{room}", 101}, {"/hub/{room}", 401}};
  std::sort(answers.begin(), answers.end());
  EXPECT_EQ(answers, expected);
}

TEST(WebSocketTlsTest, EchoOverTls) {
  keywarden::testing::TempDir dir;
  TlsFiles files = keywarden::testing::MakeCertificate(dir.path(), "localhost");
  auto recorder = std::make_shared<Recorder>();
  HttpServerOptions options = TestOptions();
  options.tls = files;
  auto server = StartServer(options, HubRouter(recorder));
  TlsClient client(files.cert_file);
  beast::error_code ec = client.Connect(server->port(), "/hub/secure?Token=good");
  ASSERT_FALSE(ec) << "handshake failed: " << ec.message();
  EXPECT_EQ(client.ReadText(), "room secure");
  ASSERT_FALSE(client.Write("over tls"));
  EXPECT_EQ(client.ReadText(), "over tls");

  // Stop's 1001 reaches a TLS client too.
  std::future<beast::error_code> read = std::async(std::launch::async, [&client] {
    WebSocketMessage message;
    return client.Read(message);
  });
  server->Stop(10s);
  ASSERT_EQ(read.wait_for(kDeadline), std::future_status::ready) << "the read did not end within the deadline";
  EXPECT_EQ(read.get(), websocket::error::closed);
  EXPECT_EQ(client.close_reason().code, kWebSocketGoingAway);
  ASSERT_TRUE(recorder->WaitClosed(1)) << "on_close was not called";
}

}  // namespace
}  // namespace keywarden::http
