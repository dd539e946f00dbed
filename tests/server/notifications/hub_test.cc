// The notification hubs over real sockets (server/notifications/hub_routes.h, notification_hub.h):
// the handshake in both protocols and versions, pings, routing by user and by anonymous token,
// authentication, Close and garbage. Delivery is driven with NotificationHub::Deliver, as the
// push feed calls it. Every wait ends by its deadline.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include "server/notifications/hub_protocol.h"
#include "server/notifications/notification_hub.h"
#include "server/server_fixture.h"
#include "support/signalr_frames.h"
#include "support/websocket_client.h"

namespace keywarden::server::testing {
namespace {

using keywarden::testing::kMessagePackHandshake;
using keywarden::testing::WebSocketClient;
using nlohmann::json;
using namespace std::chrono_literals;
namespace websocket = boost::beast::websocket;

const std::string kJsonHandshake = std::string(R"({"protocol":"json","version":1})") + '\x1e';

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

// The MessagePack messages in one binary WebSocket message.
std::vector<json> Unframe(const std::string& data) {
  auto messages = keywarden::testing::UnframeMessagePack(data);
  EXPECT_TRUE(messages.has_value()) << "a length prefix runs past the message";
  return messages.value_or(std::vector<json>());
}

class HubTest : public ServerTestOnEachDatabase {
 protected:
  // Opens `target` with `headers` and completes `handshake`; fails the test otherwise.
  void Open(WebSocketClient& client, const std::string& target, const WebSocketClient::Fields& headers = {},
            const std::string& handshake = kMessagePackHandshake) {
    ASSERT_FALSE(client.Connect(port(), target, headers)) << client.response().result_int();
    ASSERT_FALSE(client.Write(handshake, false));
    WebSocketClient::Message answer;
    ASSERT_FALSE(client.Read(answer));
    EXPECT_EQ(answer.data, "{}\x1e");
  }

  // Waits for the server's close; true when it came.
  static bool ClosedByServer(WebSocketClient& client) {
    for (int i = 0; i < 10; ++i) {
      WebSocketClient::Message message;
      const auto ec = client.Read(message);
      if (ec == websocket::error::closed) return true;
      if (ec) return false;
    }
    return false;
  }

  // The one Invocation the client reads next.
  static json NextInvocation(WebSocketClient& client) {
    WebSocketClient::Message message;
    const auto ec = client.Read(message);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_TRUE(message.binary);
    const std::vector<json> messages = Unframe(message.data);
    EXPECT_EQ(messages.size(), 1u);
    return messages.empty() ? json() : messages[0];
  }

  // Nothing but pings arrives within `wait`.
  static void ExpectNothing(WebSocketClient& client, std::chrono::milliseconds wait = 500ms) {
    WebSocketClient::Message message;
    const auto ec = client.Read(message, wait);
    EXPECT_EQ(ec, boost::beast::error::timeout) << "got " << json(message.data).dump();
  }

  notifications::NotificationHub& hub() { return service_->notification_hub(); }

  static WebSocketClient::Fields Bearer(const TestAccount& account) {
    return {{"Authorization", "Bearer " + account.access_token}};
  }

  static notifications::PushNotification Notification(const std::string& user, int type, json payload,
                                                      const std::string& context = "") {
    notifications::PushNotification notification;
    notification.id = "n-" + std::to_string(type);
    notification.user_id = user;
    notification.type = type;
    notification.payload = payload.dump();
    notification.context_id = context;
    return notification;
  }
};

TEST_P(HubTest, HandshakesInBothProtocolsAndVersions) {
  for (const std::string& protocol : std::vector<std::string>{"messagepack", "json"}) {
    for (const int version : {1, 2}) {
      WebSocketClient client;
      ASSERT_FALSE(client.Connect(port(), "/notifications/anonymous-hub?Token=t"));
      ASSERT_FALSE(
          client.Write(R"({"protocol":")" + protocol + R"(","version":)" + std::to_string(version) + "}\x1e", false));
      WebSocketClient::Message answer;
      ASSERT_FALSE(client.Read(answer));
      EXPECT_EQ(answer.data, "{}\x1e");
      // MessagePack connections are answered in binary frames, JSON ones in text.
      EXPECT_EQ(answer.binary, protocol == "messagepack");
    }
  }
}

TEST_P(HubTest, RefusesABadHandshakeAndCloses) {
  WebSocketClient client;
  ASSERT_FALSE(client.Connect(port(), "/notifications/anonymous-hub?Token=t"));
  ASSERT_FALSE(client.Write(std::string(R"({"protocol":"xml","version":1})") + '\x1e', false));
  WebSocketClient::Message answer;
  ASSERT_FALSE(client.Read(answer));
  ASSERT_EQ(answer.data.back(), '\x1e');
  const json refusal = json::parse(answer.data.substr(0, answer.data.size() - 1));
  EXPECT_EQ(refusal["error"], "The protocol 'xml' is not supported.");
  EXPECT_TRUE(ClosedByServer(client));
}

TEST_P(HubTest, ClosesAConnectionThatNeverHandshakes) {
  hub_options_.handshake_timeout = 300ms;
  StopServer();
  StartServer();
  WebSocketClient client;
  ASSERT_FALSE(client.Connect(port(), "/notifications/anonymous-hub?Token=t"));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(ClosedByServer(client));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST_P(HubTest, PingsArriveWithinTheInterval) {
  hub_options_.ping_interval = 200ms;
  StopServer();
  StartServer();
  for (const bool json_protocol : {false, true}) {
    WebSocketClient client;
    Open(client, "/notifications/anonymous-hub?Token=t", {}, json_protocol ? kJsonHandshake : kMessagePackHandshake);
    for (int i = 0; i < 2; ++i) {
      WebSocketClient::Message ping;
      ASSERT_FALSE(client.Read(ping, 1s));
      EXPECT_EQ(ping.data, json_protocol ? std::string("{\"type\":6}\x1e") : Bytes({0x02, 0x91, 0x06}));
    }
  }
}

TEST_P(HubTest, DeliversToEveryConnectionOfTheUserOnly) {
  TestAccount alice = NewUser("alice@example.com");
  TestAccount bob = NewUser("bob@example.com");
  WebSocketClient alice_one, alice_two, bob_client;
  Open(alice_one, "/notifications/hub", Bearer(alice));
  // A browser's way: the token in the query.
  Open(alice_two, "/notifications/hub?access_token=" + alice.access_token);
  Open(bob_client, "/notifications/hub", Bearer(bob));
  hub().Deliver(Notification(alice.id, 7,
                             {{"Id", "5b9f3f8e-2c1d-4e5f-8a9b-0c1d2e3f4a5b"},
                              {"UserId", alice.id},
                              {"RevisionDate", "2026-12-06T12:00:00.000Z"}},
                             "device-2"));
  for (WebSocketClient* client : {&alice_one, &alice_two}) {
    const json invocation = NextInvocation(*client);
    ASSERT_EQ(invocation.size(), 6u);
    EXPECT_EQ(invocation[0], 1);
    EXPECT_TRUE(invocation[2].is_null());
    EXPECT_EQ(invocation[3], "ReceiveMessage");
    const json& data = invocation[4].at(0);
    EXPECT_EQ(data["Type"], 7);
    EXPECT_EQ(data["ContextId"], "device-2");
    EXPECT_EQ(data["Payload"]["UserId"], alice.id);
    EXPECT_TRUE(data["Payload"]["RevisionDate"].is_binary());
  }
  ExpectNothing(bob_client);
}

TEST_P(HubTest, JsonClientsGetCamelCase) {
  TestAccount alice = NewUser("alice@example.com");
  WebSocketClient client;
  Open(client, "/notifications/hub", Bearer(alice), kJsonHandshake);
  hub().Deliver(Notification(alice.id, 15, {{"UserId", alice.id}, {"Id", "r-1"}}));
  WebSocketClient::Message message;
  ASSERT_FALSE(client.Read(message));
  EXPECT_FALSE(message.binary);
  ASSERT_EQ(message.data.back(), '\x1e');
  const json invocation = json::parse(message.data.substr(0, message.data.size() - 1));
  EXPECT_EQ(invocation["type"], 1);
  EXPECT_EQ(invocation["target"], "ReceiveMessage");
  EXPECT_FALSE(invocation.contains("invocationId"));
  const json& data = invocation["arguments"].at(0);
  EXPECT_EQ(data["type"], 15);
  EXPECT_TRUE(data["contextId"].is_null());
  EXPECT_EQ(data["payload"], (json{{"userId", alice.id}, {"id", "r-1"}}));
}

TEST_P(HubTest, AuthRequestResponsesGoToTheAnonymousHubByToken) {
  TestAccount alice = NewUser("alice@example.com");
  const std::string request = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d";
  WebSocketClient waiting, reconnected, other, signed_in;
  Open(waiting, "/notifications/anonymous-hub?Token=" + request);
  Open(reconnected, "/notifications/anonymous-hub?Token=" + request);
  Open(other, "/notifications/anonymous-hub?Token=4f3e2d1c-0b9a-4876-8543-210fedcba987");
  Open(signed_in, "/notifications/hub", Bearer(alice));
  EXPECT_EQ(hub().anonymous_connections(), 3u);
  EXPECT_EQ(hub().user_connections(), 1u);
  hub().Deliver(Notification(alice.id, 16, {{"UserId", alice.id}, {"Id", request}}));
  for (WebSocketClient* client : {&waiting, &reconnected}) {
    const json invocation = NextInvocation(*client);
    EXPECT_EQ(invocation[3], "AuthRequestResponseRecieved");
    const json& data = invocation[4].at(0);
    EXPECT_EQ(data["Type"], 16);
    EXPECT_EQ(data["Payload"]["Id"], request);
    EXPECT_EQ(data["Payload"]["UserId"], alice.id);
  }
  ExpectNothing(other);
  ExpectNothing(signed_in);
}

TEST_P(HubTest, TheUserHubNeedsAValidToken) {
  TestAccount alice = NewUser("alice@example.com");
  for (const auto& [target, headers] : std::vector<std::pair<std::string, WebSocketClient::Fields>>{
           {"/notifications/hub", {}},
           {"/notifications/hub", {{"Authorization", "Bearer not-a-token"}}},
           {"/notifications/hub?access_token=not-a-token", {}},
           {"/notifications/hub?access_token=" + alice.access_token.substr(0, alice.access_token.size() - 4), {}}}) {
    WebSocketClient client;
    EXPECT_EQ(client.Connect(port(), target, headers), websocket::error::upgrade_declined) << target;
    EXPECT_EQ(client.response().result_int(), 401) << target;
  }
  WebSocketClient anonymous;
  EXPECT_EQ(anonymous.Connect(port(), "/notifications/anonymous-hub"), websocket::error::upgrade_declined);
  EXPECT_EQ(anonymous.response().result_int(), 400);
  // No negotiate endpoint: the official clients skip it.
  EXPECT_EQ(Send("POST", "/notifications/hub/negotiate?negotiateVersion=1").status, 404);
}

TEST_P(HubTest, AClientCloseEndsTheConnection) {
  WebSocketClient client;
  Open(client, "/notifications/anonymous-hub?Token=t");
  ASSERT_FALSE(client.Write(Bytes({0x03, 0x92, 0x07, 0xc0}), true));
  EXPECT_TRUE(ClosedByServer(client));
  EXPECT_EQ(client.close_reason().code, websocket::close_code::normal);
}

TEST_P(HubTest, AnUnknownMethodGetsTheReferencesCompletion) {
  WebSocketClient client;
  Open(client, "/notifications/anonymous-hub?Token=t");
  const std::vector<std::uint8_t> body =
      json::to_msgpack(json::array({1, json::object(), "1", "Subscribe", json::array()}));
  std::string framed(1, static_cast<char>(body.size()));
  framed.append(body.begin(), body.end());
  ASSERT_FALSE(client.Write(Bytes({0x02, 0x91, 0x06}) + framed, true));
  EXPECT_EQ(NextInvocation(client), json::array({3, json::object(), "1", 1, "Unknown hub method 'Subscribe'"}));
}

TEST_P(HubTest, GarbageClosesThatConnectionAndTheServerCarriesOn) {
  TestAccount alice = NewUser("alice@example.com");
  WebSocketClient garbage;
  Open(garbage, "/notifications/hub", Bearer(alice));
  ASSERT_FALSE(garbage.Write(Bytes({0x05, 0xc1, 0xc1, 0xff, 0x00, 0x13}), true));
  WebSocketClient::Message close;
  ASSERT_FALSE(garbage.Read(close));
  EXPECT_EQ(Unframe(close.data).at(0)[0], 7);  // a Close message first, then the WebSocket closes
  EXPECT_TRUE(ClosedByServer(garbage));

  WebSocketClient next;
  Open(next, "/notifications/hub", Bearer(alice));
  hub().Deliver(Notification(alice.id, 11, {{"UserId", alice.id}, {"Date", "2026-12-06T12:00:00.000Z"}}));
  EXPECT_EQ(NextInvocation(next)[4].at(0)["Type"], 11);
}

KW_SERVER_TEST_ON_EACH_DATABASE(HubTest);

}  // namespace
}  // namespace keywarden::server::testing
