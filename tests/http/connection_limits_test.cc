// The connection cap under abuse, over real sockets: idle connections make room for newcomers,
// one client address cannot take every slot, and a slow request cannot hold one for long.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "http/server.h"
#include "support/raw_connection.h"
#include "support/wait.h"

namespace keywarden::http {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kHello = "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n";

std::unique_ptr<HttpServer> StartServer(HttpServerOptions options) {
  auto router = std::make_shared<Router>();
  router->Add("GET", "/hello", [](const HttpRequest&) { return JsonResponse(200, {{"hello", "world"}}); });
  options.address = "127.0.0.1";
  options.port = 0;
  options.threads = 2;
  auto server = std::make_unique<HttpServer>(std::move(options), std::move(router));
  Status started = server->Start();
  EXPECT_TRUE(started.ok()) << started.ToString();
  return server;
}

int StatusOf(RawConnection& c) {
  if (!c.Send(kHello)) return 0;
  auto answer = c.Read();
  return answer ? answer->status : 0;
}

// Whether a new connection (from `source`, or 127.0.0.1) is served within 3 s: a slot freed by a
// close on the server's side comes back a moment later.
bool ServedSoon(std::uint16_t port, const char* source = nullptr) {
  return keywarden::testing::WaitUntil(
      [&] {
        RawConnection newcomer(port, source);
        return StatusOf(newcomer) == 200;
      },
      std::chrono::seconds(3), std::chrono::milliseconds(20));
}

TEST(ConnectionLimitsTest, IdleKeptAliveConnectionsMakeRoomOldestFirst) {
  HttpServerOptions options;
  options.max_connections = 3;
  auto server = StartServer(options);
  std::vector<std::unique_ptr<RawConnection>> holders;
  for (int i = 0; i < 3; ++i) {
    holders.push_back(std::make_unique<RawConnection>(server->port()));
    ASSERT_EQ(StatusOf(*holders.back()), 200);  // served, then idle and kept alive
  }
  // A fourth client is served, not refused: the oldest idle connection was closed for it.
  RawConnection newcomer(server->port());
  EXPECT_EQ(StatusOf(newcomer), 200);
  EXPECT_TRUE(holders[0]->WaitClosed());
  EXPECT_EQ(StatusOf(*holders[1]), 200);
  EXPECT_EQ(StatusOf(*holders[2]), 200);
}

TEST(ConnectionLimitsTest, ConnectionsThatNeverSendAByteAreIdleToo) {
  HttpServerOptions options;
  options.max_connections = 2;
  auto server = StartServer(options);
  RawConnection silent1(server->port());
  RawConnection silent2(server->port());
  ASSERT_TRUE(silent1.connected() && silent2.connected());
  // Both are counted once the server has accepted them; a newcomer then pushes the oldest out.
  EXPECT_TRUE(ServedSoon(server->port()));
  EXPECT_TRUE(silent1.WaitClosed());
}

TEST(ConnectionLimitsTest, OneAddressCannotTakeEverySlot) {
  HttpServerOptions options;
  options.max_connections = 100;
  options.max_connections_per_address = 2;
  auto server = StartServer(options);
  RawConnection first(server->port(), "127.0.0.2");
  RawConnection second(server->port(), "127.0.0.2");
  ASSERT_EQ(StatusOf(first), 200);
  ASSERT_EQ(StatusOf(second), 200);
  RawConnection third(server->port(), "127.0.0.2");
  auto refused = third.Read();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->json()["message"], "too many connections from this address");
  // Another client address is unaffected.
  RawConnection other(server->port(), "127.0.0.3");
  EXPECT_EQ(StatusOf(other), 200);
  // The slot returns when one of the address's connections closes.
  first.Close();
  EXPECT_TRUE(ServedSoon(server->port(), "127.0.0.2"));
}

TEST(ConnectionLimitsTest, ZeroTurnsThePerAddressLimitOff) {
  HttpServerOptions options;
  options.max_connections = 100;
  options.max_connections_per_address = 0;
  auto server = StartServer(options);
  std::vector<std::unique_ptr<RawConnection>> many;
  for (int i = 0; i < 20; ++i) {
    many.push_back(std::make_unique<RawConnection>(server->port()));
    ASSERT_EQ(StatusOf(*many.back()), 200) << i;
  }
}

TEST(ConnectionLimitsTest, ASlowlorisLosesItsSlotAtTheRequestTimeout) {
  HttpServerOptions options;
  options.max_connections = 1;
  options.request_timeout = 300ms;
  auto server = StartServer(options);
  RawConnection slow(server->port());
  ASSERT_TRUE(slow.Send("GET /hello HTTP/1.1\r\n"));  // and then a byte now and then, never the end
  auto deadline = std::chrono::steady_clock::now() + 3s;
  bool closed = false;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!slow.Send("X")) {
      closed = true;
      break;
    }
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(closed || slow.WaitClosed());
  EXPECT_TRUE(ServedSoon(server->port()));
}

}  // namespace
}  // namespace keywarden::http
