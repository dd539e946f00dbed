// The authorization matrix of the user's side of auth requests (docs/organization-authorization.md,
// "Auth requests: the member's side"): every /api/auth-requests route against the request's
// owner on the requesting device, the owner on another device, another account and an anonymous
// caller, each answered with exactly the reference's status (AuthRequestsController and
// AuthRequestService). 401 appears only where the reference itself answers it: a route that
// needs a bearer token, called without one. A wrong access code is refused like an unknown
// request, whoever calls.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <functional>
#include <string>

#include "server/auth_requests/auth_request_fixture.h"

namespace keywarden::server::testing {
namespace {

// The callers, as the table's columns name them.
enum Caller { kRequestingDevice, kOtherDevice, kOtherAccount, kAnonymous, kCallerCount };
constexpr const char* kCallerNames[] = {"owner on the requesting device", "owner on another device", "another account",
                                        "anonymous"};

constexpr char kUnknown[] = "User or known device not found.";

struct Route {
  std::string name;
  // Makes the call as `token` (empty: anonymous), from the device `device` where the route takes one.
  std::function<TestResponse(const std::string& token, const std::string& device)> call;
  std::array<int, kCallerCount> expected;
  // What a 200 must show; may be empty.
  std::function<void(const TestResponse&, Caller)> check;
};

class AuthRequestMatrixTest : public AuthRequestTest {};
KW_SERVER_TEST_ON_EACH_DATABASE(AuthRequestMatrixTest);

TEST_P(AuthRequestMatrixTest, EveryAuthRequestRouteAgainstEveryCaller) {
  // alice asks from device-2; she is also signed in on device-1. bob is another account with a
  // device of his own (device-1 too: identifiers are per account).
  const TestAccount alice = NewUser("alice@example.com");
  NewOrganizationOf(alice);  // so that she may ask for an admin approval
  TestAccount alice_requesting = alice;
  keywarden::testing::LogIn(port(), alice_requesting, "device-2");
  const TestAccount bob = NewUser("bob@example.com");
  const std::array<std::string, kCallerCount> tokens = {alice_requesting.access_token, alice.access_token,
                                                        bob.access_token, ""};
  const std::array<std::string, kCallerCount> devices = {"device-2", "device-1", "device-1", ""};

  const PendingRequest request = RequestLogin(alice, "device-2");
  ASSERT_FALSE(request.id.empty());
  auto user_key = SymmetricKey::Generate();
  ASSERT_TRUE(user_key.ok());
  const auto lists_alices = [&request](const TestResponse& answer, Caller caller) {
    const nlohmann::json listed = answer.json();
    bool found = false;
    for (const nlohmann::json& item : listed["data"]) found = found || item.value("id", "") == request.id;
    EXPECT_EQ(found, caller != kOtherAccount) << kCallerNames[caller] << ": " << answer.body;
  };
  const auto shows_request = [&request](const TestResponse& answer, Caller caller) {
    EXPECT_EQ(answer.json().value("id", ""), request.id) << kCallerNames[caller];
  };
  const auto bearer_post = [this](const std::string& path, const nlohmann::json& body, const std::string& token) {
    return PostWithDeviceType(path, body, token);
  };

  const std::vector<Route> routes = {
      {"POST /api/auth-requests (type 0, alice's address, from device-2)",
       [&](const std::string& token, const std::string&) {
         PendingRequest kept;
         return bearer_post("/api/auth-requests", RequestBody(alice.email, "device-2", 0, kept), token);
       },
       {200, 200, 400, 200},
       {}},
      {"POST /api/auth-requests/admin-request (alice's address, from device-2)",
       [&](const std::string& token, const std::string&) {
         PendingRequest kept;
         return bearer_post("/api/auth-requests/admin-request", RequestBody(alice.email, "device-2", 2, kept), token);
       },
       {200, 200, 400, 401},
       {}},
      {"GET /api/auth-requests",
       [&](const std::string& token, const std::string&) { return Send("GET", "/api/auth-requests/", "", token); },
       {200, 200, 200, 401},
       lists_alices},
      {"GET /api/auth-requests/pending",
       [&](const std::string& token, const std::string&) {
         return Send("GET", "/api/auth-requests/pending", "", token);
       },
       {200, 200, 200, 401},
       {}},
      {"GET /api/auth-requests/{id}",
       [&](const std::string& token, const std::string&) {
         return Send("GET", "/api/auth-requests/" + request.id, "", token);
       },
       {200, 200, 404, 401},
       shows_request},
      {"GET /api/auth-requests/{id}/response?code= (the right code)",
       [&](const std::string& token, const std::string&) {
         return Send("GET", "/api/auth-requests/" + request.id + "/response?code=" + request.access_code, "", token);
       },
       {200, 200, 200, 200},
       shows_request},
      {"GET /api/auth-requests/{id}/response?code= (a wrong code)",
       [&](const std::string& token, const std::string&) {
         return Send("GET", "/api/auth-requests/" + request.id + "/response?code=0123456789abcdefghijklmno", "", token);
       },
       {404, 404, 404, 404},
       {}},
      {"GET /api/auth-requests/{id}/response (no code)",
       [&](const std::string& token, const std::string&) {
         return Send("GET", "/api/auth-requests/" + request.id + "/response", "", token);
       },
       {404, 404, 404, 404},
       {}},
      {"PUT /api/auth-requests/{id} (approve a fresh request)",
       [&](const std::string& token, const std::string& device) {
         fake_clock_.Advance(std::chrono::seconds(1));  // so that it is the device's newest
         const PendingRequest fresh = RequestLogin(alice, "device-2");
         nlohmann::json body = {{"key", ApprovalKey(fresh, *user_key)},
                                {"masterPasswordHash", nullptr},
                                {"deviceIdentifier", device.empty() ? "device-1" : device},
                                {"requestApproved", true}};
         return Send("PUT", "/api/auth-requests/" + fresh.id, body.dump(), token);
       },
       {200, 200, 404, 401},
       [](const TestResponse& answer, Caller) { EXPECT_EQ(answer.json()["requestApproved"], true); }},
      {"PUT /api/auth-requests/{id} (deny a fresh request)",
       [&](const std::string& token, const std::string& device) {
         fake_clock_.Advance(std::chrono::seconds(1));  // so that it is the device's newest
         const PendingRequest fresh = RequestLogin(alice, "device-2");
         nlohmann::json body = {{"key", nullptr},
                                {"masterPasswordHash", nullptr},
                                {"deviceIdentifier", device.empty() ? "device-1" : device},
                                {"requestApproved", false}};
         return Send("PUT", "/api/auth-requests/" + fresh.id, body.dump(), token);
       },
       {200, 200, 404, 401},
       [](const TestResponse& answer, Caller) {
         EXPECT_EQ(answer.json()["requestApproved"], false);
         EXPECT_TRUE(answer.json()["responseDate"].is_string());
       }},
  };

  for (const Route& route : routes) {
    for (int c = 0; c < kCallerCount; ++c) {
      const Caller caller = static_cast<Caller>(c);
      const TestResponse answer = route.call(tokens[c], devices[c]);
      EXPECT_EQ(answer.status, route.expected[c]) << route.name << " as " << kCallerNames[c] << ": " << answer.body;
      if (answer.status == 200 && route.check) route.check(answer, caller);
      if (answer.status == 400) {
        EXPECT_EQ(answer.json()["message"], kUnknown) << route.name;
      } else if (answer.status == 404) {
        EXPECT_EQ(answer.json()["object"], "error") << route.name;
      }
    }
  }

  // Nobody but alice's own approvals changed the request the table reads, and bob's refused
  // attempts left nothing behind for him.
  const TestResponse unanswered = ReadResponse(request);
  ASSERT_EQ(unanswered.status, 200);
  EXPECT_TRUE(unanswered.json()["key"].is_null());
  EXPECT_TRUE(Send("GET", "/api/auth-requests", "", bob.access_token).json()["data"].empty());
}

// The password grant with an approved request: only the request's account with its access code,
// from a known device, once.
TEST_P(AuthRequestMatrixTest, TheAuthRequestGrantWantsTheRightAccountCodeAndDevice) {
  const TestAccount alice = NewUser("alice@example.com");
  TestAccount alice_requesting = alice;
  keywarden::testing::LogIn(port(), alice_requesting, "device-2");
  const TestAccount bob = NewUser("bob@example.com");
  const PendingRequest request = RequestLogin(alice, "device-2");
  auto user_key = SymmetricKey::Generate();
  ASSERT_TRUE(user_key.ok());
  ASSERT_EQ(Answer(alice, request.id, true, ApprovalKey(request, *user_key)).status, 200);

  const PendingRequest wrong_code{request.id, "0123456789abcdefghijklmno", std::nullopt};
  EXPECT_EQ(AuthRequestGrant(alice, wrong_code, "device-2").status, 400);
  EXPECT_EQ(AuthRequestGrant(bob, request, "device-1").status, 400);
  const TestResponse unknown_device = AuthRequestGrant(alice, request, "device-never-seen");
  EXPECT_EQ(unknown_device.status, 400);
  EXPECT_EQ(unknown_device.json()["error"], "device_error") << unknown_device.body;
  EXPECT_EQ(unknown_device.json()["ErrorModel"]["Message"], "auth request flow unsupported on unknown device");
  EXPECT_EQ(AuthRequestGrant(alice, request, "device-2").status, 200);
  EXPECT_EQ(AuthRequestGrant(alice, request, "device-2").status, 400);  // used
}

}  // namespace
}  // namespace keywarden::server::testing
