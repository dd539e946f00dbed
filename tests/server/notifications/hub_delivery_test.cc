// From the change to the client, through the push feed and the hubs, over real sockets: a login
// with device is announced to the member's other device and its answer reaches the waiting one;
// a vault change reaches the user's other devices naming the device that made it; and with
// several instances on one PostgreSQL, what one instance queues reaches a client of another.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "keywarden/crypto/enc_string.h"
#include "keywarden/crypto/symmetric_key.h"
#include "net/loopback.h"
#include "server/auth_requests/auth_request_fixture.h"
#include "support/signalr_frames.h"
#include "support/websocket_client.h"

namespace keywarden::server::testing {
namespace {

using keywarden::testing::WebSocketClient;
using nlohmann::json;

// The next Invocation a client reads, skipping pings (type 6); null when none came in 10 s.
json NextInvocation(WebSocketClient& client) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    WebSocketClient::Message message;
    if (client.Read(message, std::chrono::seconds(10))) return json();
    const auto messages = keywarden::testing::UnframeMessagePack(message.data);
    if (!messages) return json();
    for (const json& parsed : *messages) {
      if (parsed.is_array() && !parsed.empty() && parsed[0] == 1) return parsed;
    }
  }
  return json();
}

class HubDeliveryTest : public AuthRequestTest {
 protected:
  void Open(WebSocketClient& client, std::uint16_t on_port, const std::string& target,
            const WebSocketClient::Fields& headers = {}) {
    ASSERT_FALSE(client.Connect(on_port, target, headers)) << client.response().result_int();
    ASSERT_FALSE(client.Write(keywarden::testing::kMessagePackHandshake, false));
    WebSocketClient::Message answer;
    ASSERT_FALSE(client.Read(answer));
    ASSERT_EQ(answer.data, "{}\x1e");
  }

  static WebSocketClient::Fields Bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

  // A second instance of the server on the same database and public URL (as behind a load
  // balancer), listening on a port of its own.
  std::unique_ptr<ServerService> StartSecondInstance() {
    auto free_port = net::FreeLoopbackPort();
    EXPECT_TRUE(free_port.ok());
    if (!free_port.ok()) return nullptr;
    const std::uint16_t first_port = config_->listen.port;
    config_->listen.port = *free_port;
    ServerServiceOptions options;
    options.clock = clock_;
    auto service = ServerService::Start(*config_, options);
    config_->listen.port = first_port;
    EXPECT_TRUE(service.ok()) << service.status().ToString();
    return service.ok() ? *std::move(service) : nullptr;
  }

  // Alice's other device, signed in: "device-2".
  TestAccount SecondDevice(const TestAccount& account) {
    TestAccount other = account;
    keywarden::testing::LogIn(port(), other, "device-2");
    return other;
  }

  // A login with device from device-2, announced on `approver_port`'s user hub to device-1 and
  // answered there; the answer reaches device-2 waiting on `requester_port`'s anonymous hub.
  void LoginWithDeviceThroughTheHubs(std::uint16_t approver_port, std::uint16_t requester_port) {
    TestAccount alice = NewUser("alice@example.com");
    SecondDevice(alice);
    WebSocketClient device_one;
    Open(device_one, approver_port, "/notifications/hub", Bearer(alice.access_token));

    const PendingRequest request = RequestLogin(alice, "device-2");
    WebSocketClient waiting;
    Open(waiting, requester_port, "/notifications/anonymous-hub?Token=" + request.id);

    const json announced = NextInvocation(device_one);
    ASSERT_FALSE(announced.is_null()) << "no AuthRequest reached the approving device";
    EXPECT_EQ(announced[3], "ReceiveMessage");
    EXPECT_EQ(announced[4][0]["Type"], 15);
    EXPECT_EQ(announced[4][0]["Payload"]["Id"], request.id);
    EXPECT_EQ(announced[4][0]["Payload"]["UserId"], alice.id);

    const SymmetricKey user_key = *SymmetricKey::Generate();
    ASSERT_EQ(Answer(alice, request.id, true, ApprovalKey(request, user_key)).status, 200);
    const json answered = NextInvocation(waiting);
    ASSERT_FALSE(answered.is_null()) << "no answer reached the waiting device";
    EXPECT_EQ(answered[3], "AuthRequestResponseRecieved");
    EXPECT_EQ(answered[4][0]["Type"], 16);
    EXPECT_EQ(answered[4][0]["Payload"]["Id"], request.id);
  }
};
KW_SERVER_TEST_ON_EACH_DATABASE(HubDeliveryTest);

TEST_P(HubDeliveryTest, ALoginWithDeviceIsAnnouncedAndAnsweredThroughTheHubs) {
  LoginWithDeviceThroughTheHubs(port(), port());
}

TEST_P(HubDeliveryTest, AVaultChangeReachesTheOtherDevicesNamingItsOwn) {
  TestAccount alice = NewUser("alice@example.com");
  const TestAccount device_two = SecondDevice(alice);
  WebSocketClient other;
  Open(other, port(), "/notifications/hub", Bearer(device_two.access_token));
  const SymmetricKey key = *SymmetricKey::Generate();
  const TestResponse folder =
      Post("/api/folders", {{"name", EncString::EncryptText(key, "Work")->ToString()}}, alice.access_token);
  ASSERT_EQ(folder.status, 200) << folder.body;
  const json pushed = NextInvocation(other);
  ASSERT_FALSE(pushed.is_null());
  EXPECT_EQ(pushed[4][0]["Type"], 7);
  EXPECT_EQ(pushed[4][0]["ContextId"], "device-1");
  EXPECT_EQ(pushed[4][0]["Payload"]["Id"], folder.json()["id"]);
  EXPECT_TRUE(pushed[4][0]["Payload"]["RevisionDate"].is_binary()) << "a MessagePack timestamp";
}

TEST_P(HubDeliveryTest, AnotherInstanceDeliversWhatThisOneQueued) {
  if (GetParam() == TestDatabase::kSqlite) GTEST_SKIP() << "several instances share PostgreSQL only";
  auto second = StartSecondInstance();
  ASSERT_NE(second, nullptr);
  // The approving device and the waiting one are both held by the second instance; every
  // request goes to the first.
  LoginWithDeviceThroughTheHubs(second->port(), second->port());
}

}  // namespace
}  // namespace keywarden::server::testing
