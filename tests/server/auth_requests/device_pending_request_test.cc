// devicePendingAuthRequest on GET /api/devices (member-decryption.md 1.3): each device shows the
// newest login-with-device request it made, while that one is unanswered and younger than 15
// minutes; admin approval requests and the single-device answers never show one. On SQLite and
// PostgreSQL, with the server's clock moved across the 15 minutes.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>

#include "base/iso_date.h"
#include "server/auth_requests/auth_request_fixture.h"

namespace keywarden::server::testing {
namespace {

class DevicePendingRequestTest : public AuthRequestTest {
 protected:
  // An account logged in on device-1 and device-2 (which is therefore a known device).
  TestAccount UserWithTwoDevices(const std::string& email) {
    TestAccount account = NewUser(email);
    TestAccount on_second_device = account;
    keywarden::testing::LogIn(port(), on_second_device, "device-2");
    return account;
  }

  // The caller's devices by identifier, as GET /api/devices lists them.
  std::map<std::string, nlohmann::json> Devices(const TestAccount& account) {
    const TestResponse listed = Send("GET", "/api/devices", "", account.access_token);
    EXPECT_EQ(listed.status, 200) << listed.body;
    const nlohmann::json devices = listed.json();
    std::map<std::string, nlohmann::json> by_identifier;
    for (const nlohmann::json& device : devices["data"]) {
      by_identifier[device.value("identifier", "")] = device;
    }
    return by_identifier;
  }

  nlohmann::json PendingOn(const TestAccount& account, const std::string& identifier) {
    const auto devices = Devices(account);
    const auto found = devices.find(identifier);
    EXPECT_NE(found, devices.end()) << identifier;
    return found == devices.end() ? nlohmann::json() : found->second["devicePendingAuthRequest"];
  }

  std::string Now() {
    return FormatIsoDate(
        std::chrono::duration_cast<std::chrono::milliseconds>(fake_clock_.Now().time_since_epoch()).count());
  }
};
KW_SERVER_TEST_ON_EACH_DATABASE(DevicePendingRequestTest);

TEST_P(DevicePendingRequestTest, EachDeviceShowsItsNewestUnansweredRequest) {
  TestAccount alice = UserWithTwoDevices("alice@example.com");
  for (const auto& [identifier, device] : Devices(alice)) {
    EXPECT_TRUE(device.contains("devicePendingAuthRequest")) << identifier;
    EXPECT_TRUE(device["devicePendingAuthRequest"].is_null()) << identifier;
  }

  const PendingRequest older = RequestLogin(alice, "device-2");
  fake_clock_.Advance(std::chrono::seconds(3));
  const std::string newer_created = Now();
  const PendingRequest newer = RequestLogin(alice, "device-2");
  const nlohmann::json pending = PendingOn(alice, "device-2");
  ASSERT_TRUE(pending.is_object()) << pending.dump();
  EXPECT_EQ(pending["id"], newer.id);
  EXPECT_NE(pending["id"], older.id);
  EXPECT_EQ(pending["creationDate"], newer_created);
  EXPECT_EQ(pending.size(), 2u) << pending.dump();
  EXPECT_TRUE(PendingOn(alice, "device-1").is_null());

  // The single-device answers are the reference's DeviceResponseModel, which has no pending request.
  const std::string device_id = Devices(alice)["device-2"]["id"];
  EXPECT_TRUE(
      Send("GET", "/api/devices/" + device_id, "", alice.access_token).json()["devicePendingAuthRequest"].is_null());
  EXPECT_TRUE(Send("GET", "/api/devices/identifier/device-2", "", alice.access_token)
                  .json()["devicePendingAuthRequest"]
                  .is_null());

  // Answered: no longer pending, and the older request does not take its place.
  auto user_key = SymmetricKey::Generate();
  ASSERT_TRUE(user_key.ok());
  ASSERT_EQ(Answer(alice, newer.id, true, ApprovalKey(newer, *user_key)).status, 200);
  EXPECT_TRUE(PendingOn(alice, "device-2").is_null());

  // Another account's requests are not shown to alice.
  const TestAccount bob = UserWithTwoDevices("bob@example.com");
  const PendingRequest bobs = RequestLogin(bob, "device-2");
  EXPECT_TRUE(PendingOn(alice, "device-2").is_null());
  EXPECT_EQ(PendingOn(bob, "device-2")["id"], bobs.id);
}

TEST_P(DevicePendingRequestTest, ARequestStopsShowingAfterFifteenMinutes) {
  TestAccount alice = UserWithTwoDevices("alice@example.com");
  const PendingRequest request = RequestLogin(alice, "device-2");
  fake_clock_.Advance(std::chrono::minutes(15));
  Relogin(alice);
  EXPECT_EQ(PendingOn(alice, "device-2")["id"], request.id);  // 15 minutes old: still pending
  fake_clock_.Advance(std::chrono::seconds(1));
  Relogin(alice);
  EXPECT_TRUE(PendingOn(alice, "device-2").is_null());

  const PendingRequest next = RequestLogin(alice, "device-2");
  EXPECT_EQ(PendingOn(alice, "device-2")["id"], next.id);
}

TEST_P(DevicePendingRequestTest, AdminApprovalRequestsAreNotShown) {
  TestAccount alice = UserWithTwoDevices("alice@example.com");
  NewOrganizationOf(alice);
  const PendingRequest admin_request = RequestAdminApproval(alice, "device-2");
  ASSERT_FALSE(admin_request.id.empty());
  EXPECT_TRUE(PendingOn(alice, "device-2").is_null());
}

TEST_P(DevicePendingRequestTest, ARemovedDeviceIsNotListedWithItsRequest) {
  TestAccount alice = UserWithTwoDevices("alice@example.com");
  RequestLogin(alice, "device-2");
  const std::string device_id = Devices(alice)["device-2"]["id"];
  ASSERT_EQ(Send("DELETE", "/api/devices/" + device_id, "", alice.access_token).status, 200);
  EXPECT_EQ(Devices(alice).count("device-2"), 0u);
}

}  // namespace
}  // namespace keywarden::server::testing
