// Test support for auth requests: a server on a FakeClock (SQLite and PostgreSQL), organisations
// from OrganizationTest, and clients that make, answer and read auth requests the way the
// official clients do, with the request key pair and the approval made by libkeywarden.
#ifndef KEYWARDEN_TESTS_SERVER_AUTH_REQUESTS_AUTH_REQUEST_FIXTURE_H_
#define KEYWARDEN_TESTS_SERVER_AUTH_REQUESTS_AUTH_REQUEST_FIXTURE_H_

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "keywarden/crypto/asymmetric_enc_string.h"
#include "keywarden/crypto/symmetric_key.h"
#include "keywarden/keys/auth_request.h"
#include "server/notifications/push_outbox.h"
#include "server/organizations/organization_fixture.h"
#include "server/store/server_database.h"

namespace keywarden::server::testing {

// A request as the requesting device keeps it: the key pair stays on the device.
struct PendingRequest {
  std::string id;
  std::string access_code;
  std::optional<::keywarden::AuthRequest> keys;
};

class AuthRequestTest : public OrganizationTest {
 protected:
  void SetUp() override {
    clock_ = &fake_clock_;
    StartServer();
  }
  void TearDown() override { StopServer(); }

  // The body the clients send: a new key pair for `email`, a 25-character access code.
  nlohmann::json RequestBody(const std::string& email, const std::string& device, int type, PendingRequest& kept) {
    auto keys = ::keywarden::NewAuthRequest(email);
    EXPECT_TRUE(keys.ok());
    kept.access_code = "AccessCode" + std::to_string(++codes_) + "abcdefghijklmno";
    kept.access_code.resize(25);
    const std::string public_key = keys.ok() ? keys->public_key.ToBase64() : "";
    if (keys.ok()) kept.keys = std::move(*keys);
    return {{"email", email},
            {"publicKey", public_key},
            {"deviceIdentifier", device},
            {"accessCode", kept.access_code},
            {"type", type}};
  }

  // POST `path` with the Device-Type header the clients send (none when `device_type` is empty).
  TestResponse PostWithDeviceType(const std::string& path, const nlohmann::json& body, const std::string& token = "",
                                  const std::string& device_type = "9") {
    std::vector<std::pair<std::string, std::string>> headers = {{"Content-Type", "application/json; charset=utf-8"}};
    if (!device_type.empty()) headers.emplace_back("Device-Type", device_type);
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    return keywarden::testing::SendRequest(port(), "POST", path, headers, body.dump());
  }

  // A login with device from `device` (which the account must have logged in from before).
  PendingRequest RequestLogin(const TestAccount& account, const std::string& device) {
    PendingRequest kept;
    const TestResponse made = PostWithDeviceType("/api/auth-requests/", RequestBody(account.email, device, 0, kept));
    EXPECT_EQ(made.status, 200) << made.body;
    kept.id = made.json().value("id", "");
    return kept;
  }

  // An admin approval request of `account`, from its device `device`: the first one created.
  PendingRequest RequestAdminApproval(const TestAccount& account, const std::string& device = "device-1") {
    PendingRequest kept;
    const TestResponse made = PostWithDeviceType("/api/auth-requests/admin-request",
                                                 RequestBody(account.email, device, 2, kept), account.access_token);
    EXPECT_EQ(made.status, 200) << made.body;
    kept.id = made.json().value("id", "");
    return kept;
  }

  // The user key encapsulated to the request's public key, as an approving client sends it.
  std::string ApprovalKey(const PendingRequest& request, const SymmetricKey& user_key) {
    EXPECT_TRUE(request.keys.has_value());
    auto approval = ::keywarden::ApproveAuthRequest(request.keys->public_key, user_key);
    EXPECT_TRUE(approval.ok());
    return approval.ok() ? approval->ToString() : "";
  }

  TestResponse Answer(const TestAccount& approver, const std::string& id, bool approved, const std::string& key,
                      const std::string& device = "device-1") {
    nlohmann::json body = {{"deviceIdentifier", device}, {"requestApproved", approved}};
    body["key"] = key.empty() ? nlohmann::json() : nlohmann::json(key);
    body["masterPasswordHash"] = nullptr;
    return Send("PUT", "/api/auth-requests/" + id, body.dump(), approver.access_token);
  }

  TestResponse ReadResponse(const PendingRequest& request) {
    return Send("GET", "/api/auth-requests/" + request.id + "/response?code=" + request.access_code);
  }

  // The password grant of login with device: the access code as the password.
  TestResponse AuthRequestGrant(const TestAccount& account, const PendingRequest& request, const std::string& device) {
    return Token({{"grant_type", "password"},
                  {"username", account.email},
                  {"password", request.access_code},
                  {"authRequest", request.id},
                  {"scope", "api offline_access"},
                  {"client_id", "web"},
                  {"deviceType", "9"},
                  {"deviceIdentifier", device},
                  {"deviceName", "chrome"}});
  }

  // How many notifications of `type` about the auth request `id` are queued for `user_id`.
  int QueuedFor(const std::string& user_id, int type, const std::string& id) {
    int count = 0;
    for (const auto& push : QueuedPushes(user_id)) {
      const nlohmann::json payload = nlohmann::json::parse(push.payload, nullptr, false);
      if (push.type == type && payload.is_object() && payload.value("Id", "") == id) ++count;
    }
    return count;
  }

  // How many events of each number name the account `user_id`.
  std::map<int, int> EventCounts(const std::string& user_id) {
    static constexpr sql::Statement kEventCounts = {
        "test_auth_request_events", "SELECT type, COUNT(*) FROM events WHERE user_id = $1 GROUP BY type", nullptr,
        nullptr, "to count events"};
    service_->events().Flush();
    std::map<int, int> counts;
    auto database = OpenServerDatabase(config_->database);
    EXPECT_TRUE(database.ok());
    if (!database.ok()) return counts;
    const Status read = (*database)->Read([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(sql::Rows rows, session.Execute(kEventCounts, sql::Params().Text(user_id)));
      for (std::size_t i = 0; i < rows.size(); ++i) {
        KW_ASSIGN_OR_RETURN(std::int64_t type, rows.Int(i, 0));
        KW_ASSIGN_OR_RETURN(std::int64_t count, rows.Int(i, 1));
        counts[static_cast<int>(type)] = static_cast<int>(count);
      }
      return OkStatus();
    });
    EXPECT_TRUE(read.ok()) << read.message();
    return counts;
  }

  // Logs `account` in again from device-1: a fresh access token after the clock moved.
  void Relogin(TestAccount& account) { keywarden::testing::LogIn(port(), account); }

  FakeClock fake_clock_{Clock::System().Now()};
  int codes_ = 0;
};

}  // namespace keywarden::server::testing

#endif  // KEYWARDEN_TESTS_SERVER_AUTH_REQUESTS_AUTH_REQUEST_FIXTURE_H_
