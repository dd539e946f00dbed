// Auth requests between a user's own devices (member-decryption.md 2): made anonymously from a
// known device, answered once by another device, read with the access code, used once to log
// in; on SQLite and PostgreSQL, with the server's clock moved for the expiry windows.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <utility>

#include "server/auth_requests/auth_request_fixture.h"
#include "server/store/expired_rows.h"

namespace keywarden::server::testing {
namespace {

constexpr char kWrongPassword[] = "Username or password is incorrect. Try again.";
constexpr char kNotNewest[] = "This request is no longer valid. Make sure to approve the most recent request.";
constexpr char kAlreadyAnswered[] = "An authentication request with the same device already exists.";
constexpr char kUnknown[] = "User or known device not found.";

class AuthRequestRoutesTest : public AuthRequestTest {
 protected:
  // An account logged in on device-1 (the approver) and once before on device-2 (the requester,
  // which is therefore a known device).
  TestAccount UserWithTwoDevices(const std::string& email) {
    TestAccount account = NewUser(email);
    TestAccount on_second_device = account;
    keywarden::testing::LogIn(port(), on_second_device, "device-2");
    return account;
  }
};
KW_SERVER_TEST_ON_EACH_DATABASE(AuthRequestRoutesTest);

TEST_P(AuthRequestRoutesTest, ApprovedByAnotherDeviceThenLogsInOnceAndNeverTwice) {
  const TestAccount alice = UserWithTwoDevices("alice@example.com");
  PendingRequest request = RequestLogin(alice, "device-2");
  ASSERT_FALSE(request.id.empty());
  EXPECT_EQ(QueuedFor(alice.id, 15, request.id), 1);

  const nlohmann::json pending = Send("GET", "/api/auth-requests/pending", "", alice.access_token).json();
  ASSERT_EQ(pending["data"].size(), 1u) << pending.dump();
  const nlohmann::json& listed = pending["data"][0];
  EXPECT_EQ(listed["object"], "auth-request");
  EXPECT_EQ(listed["id"], request.id);
  EXPECT_EQ(listed["requestDeviceIdentifier"], "device-2");
  EXPECT_EQ(listed["requestDeviceTypeValue"], 9);
  EXPECT_TRUE(listed["requestDeviceId"].is_string());
  EXPECT_EQ(listed["requestApproved"], false);
  EXPECT_TRUE(listed["responseDate"].is_null());
  EXPECT_EQ(listed["origin"], "127.0.0.1");
  EXPECT_EQ(listed.count("accessCode"), 0u);
  EXPECT_EQ(listed["publicKey"], request.keys->public_key.ToBase64());

  // Before the answer: readable with the code, without a key; never with a wrong code.
  const TestResponse unanswered = ReadResponse(request);
  ASSERT_EQ(unanswered.status, 200) << unanswered.body;
  EXPECT_TRUE(unanswered.json()["key"].is_null());
  const PendingRequest wrong_code{request.id, "not-the-code", std::nullopt};
  EXPECT_EQ(ReadResponse(wrong_code).status, 404);

  auto user_key = SymmetricKey::Generate();
  ASSERT_TRUE(user_key.ok());
  const TestResponse approved = Answer(alice, request.id, true, ApprovalKey(request, *user_key));
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_EQ(approved.json()["requestApproved"], true);
  EXPECT_TRUE(approved.json()["responseDate"].is_string());
  EXPECT_EQ(QueuedFor(alice.id, 16, request.id), 1);
  EXPECT_TRUE(Send("GET", "/api/auth-requests/pending", "", alice.access_token).json()["data"].empty());

  // The requester reads the key and opens it with its private key.
  const TestResponse answer = ReadResponse(request);
  ASSERT_EQ(answer.status, 200) << answer.body;
  auto approval = AsymmetricEncString::Parse(answer.json()["key"].get<std::string>());
  ASSERT_TRUE(approval.ok());
  auto opened = ::keywarden::CompleteAuthRequest(request.keys->private_key, *approval);
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(opened->Equals(*user_key));

  const TestResponse login = AuthRequestGrant(alice, request, "device-2");
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_FALSE(login.json().value("access_token", "").empty());
  const TestResponse again = AuthRequestGrant(alice, request, "device-2");
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(again.json()["error"], "invalid_grant");
  EXPECT_EQ(again.json()["ErrorModel"]["Message"], kWrongPassword);

  // Every request of the account, and one by its id.
  const nlohmann::json all = Send("GET", "/api/auth-requests/", "", alice.access_token).json();
  ASSERT_EQ(all["data"].size(), 1u);
  EXPECT_EQ(all["object"], "list");
  const TestResponse one = Send("GET", "/api/auth-requests/" + request.id, "", alice.access_token);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.json()["requestApproved"], true);
}

TEST_P(AuthRequestRoutesTest, TheGrantRefusesWrongCodesUnapprovedAndOtherAccounts) {
  const TestAccount alice = UserWithTwoDevices("alice@example.com");
  const TestAccount bob = UserWithTwoDevices("bob@example.com");
  PendingRequest request = RequestLogin(alice, "device-2");
  EXPECT_EQ(AuthRequestGrant(alice, request, "device-2").status, 400);  // not approved yet
  auto user_key = SymmetricKey::Generate();
  ASSERT_TRUE(user_key.ok());
  ASSERT_EQ(Answer(alice, request.id, true, ApprovalKey(request, *user_key)).status, 200);
  const PendingRequest wrong{request.id, "AAAAAAAAAAAAAAAAAAAAAAAAA", std::nullopt};
  EXPECT_EQ(AuthRequestGrant(alice, wrong, "device-2").status, 400);
  EXPECT_EQ(AuthRequestGrant(bob, request, "device-2").status, 400);
  const PendingRequest not_a_guid{"not-a-guid", request.access_code, std::nullopt};
  EXPECT_EQ(AuthRequestGrant(alice, not_a_guid, "device-2").status, 400);
  // The refusals did not use it up.
  EXPECT_EQ(AuthRequestGrant(alice, request, "device-2").status, 200);
}

TEST_P(AuthRequestRoutesTest, UnknownAccountsAndDevicesAndBadBodiesAreRefused) {
  const TestAccount alice = UserWithTwoDevices("alice@example.com");
  PendingRequest kept;
  const auto refused = [&](const nlohmann::json& body, const std::string& device_type = "9") {
    const TestResponse answer = PostWithDeviceType("/api/auth-requests", body, "", device_type);
    EXPECT_EQ(answer.status, 400) << answer.body;
    return answer.json();
  };
  EXPECT_EQ(refused(RequestBody("nobody@example.com", "device-2", 0, kept))["message"], kUnknown);
  EXPECT_EQ(refused(RequestBody(alice.email, "never-seen", 0, kept))["message"], kUnknown);
  EXPECT_EQ(refused(RequestBody(alice.email, "device-2", 2, kept))["message"],
            "You must be authenticated to create a request of that type.");
  EXPECT_EQ(refused(RequestBody(alice.email, "device-2", 0, kept), "")["message"], "Device type not provided.");
  nlohmann::json no_code = RequestBody(alice.email, "device-2", 0, kept);
  no_code.erase("accessCode");
  EXPECT_TRUE(refused(no_code)["validationErrors"].contains("AccessCode"));
  nlohmann::json long_code = RequestBody(alice.email, "device-2", 0, kept);
  long_code["accessCode"] = std::string(26, 'a');
  EXPECT_TRUE(refused(long_code)["validationErrors"].contains("AccessCode"));
  nlohmann::json bad_key = RequestBody(alice.email, "device-2", 0, kept);
  bad_key["publicKey"] = "not a key";
  EXPECT_TRUE(refused(bad_key)["validationErrors"].contains("PublicKey"));
  nlohmann::json bad_type = RequestBody(alice.email, "device-2", 7, kept);
  EXPECT_TRUE(refused(bad_type)["validationErrors"].contains("Type"));
  EXPECT_EQ(Send("POST", "/api/auth-requests", "not json").status, 400);
  EXPECT_TRUE(QueuedPushes(alice.id).empty());
}

TEST_P(AuthRequestRoutesTest, OnlyTheNewestRequestOfADeviceIsApprovedAndAnswersAreFinal) {
  const TestAccount alice = UserWithTwoDevices("alice@example.com");
  const PendingRequest older = RequestLogin(alice, "device-2");
  fake_clock_.Advance(std::chrono::seconds(2));
  const PendingRequest newer = RequestLogin(alice, "device-2");
  auto user_key = SymmetricKey::Generate();
  ASSERT_TRUE(user_key.ok());

  const nlohmann::json pending = Send("GET", "/api/auth-requests/pending", "", alice.access_token).json();
  ASSERT_EQ(pending["data"].size(), 1u);
  EXPECT_EQ(pending["data"][0]["id"], newer.id);

  const TestResponse stale = Answer(alice, older.id, true, ApprovalKey(older, *user_key));
  EXPECT_EQ(stale.status, 400);
  EXPECT_EQ(stale.json()["message"], kNotNewest);
  ASSERT_EQ(Answer(alice, newer.id, false, "").status, 200);  // denied
  EXPECT_EQ(QueuedFor(alice.id, 16, newer.id), 0);            // a denial is not pushed

  // The denial is final, and the older request did not become the newest.
  const TestResponse approve_denied = Answer(alice, newer.id, true, ApprovalKey(newer, *user_key));
  EXPECT_EQ(approve_denied.status, 400);
  EXPECT_EQ(approve_denied.json()["message"], kNotNewest);
  const TestResponse deny_again = Answer(alice, newer.id, false, "");
  EXPECT_EQ(deny_again.status, 400);
  EXPECT_EQ(deny_again.json()["message"], kAlreadyAnswered);
  EXPECT_EQ(Answer(alice, older.id, true, ApprovalKey(older, *user_key)).status, 400);
  EXPECT_EQ(Send("GET", "/api/auth-requests/" + newer.id, "", alice.access_token).json()["requestApproved"], false);
  EXPECT_EQ(AuthRequestGrant(alice, newer, "device-2").status, 400);
}

TEST_P(AuthRequestRoutesTest, OtherAccountsAndDevicesCannotAnswer) {
  const TestAccount alice = UserWithTwoDevices("alice@example.com");
  const TestAccount bob = UserWithTwoDevices("bob@example.com");
  const PendingRequest request = RequestLogin(alice, "device-2");
  auto user_key = SymmetricKey::Generate();
  ASSERT_TRUE(user_key.ok());
  EXPECT_EQ(Send("GET", "/api/auth-requests/" + request.id, "", bob.access_token).status, 404);
  EXPECT_EQ(Answer(bob, request.id, true, ApprovalKey(request, *user_key)).status, 404);
  EXPECT_EQ(Answer(bob, request.id, false, "").status, 404);
  EXPECT_EQ(Send("GET", "/api/auth-requests/not-a-guid", "", alice.access_token).status, 404);
  const TestResponse foreign_device = Answer(alice, request.id, true, ApprovalKey(request, *user_key), "device-9");
  EXPECT_EQ(foreign_device.status, 400);
  EXPECT_EQ(foreign_device.json()["message"], "Invalid device.");
  const TestResponse keyless = Answer(alice, request.id, true, "");
  EXPECT_EQ(keyless.status, 400);
  EXPECT_TRUE(keyless.json()["validationErrors"].contains("Key"));
  // Still unanswered after the refusals.
  EXPECT_EQ(Send("GET", "/api/auth-requests/pending", "", alice.access_token).json()["data"].size(), 1u);
}

TEST_P(AuthRequestRoutesTest, DeviceRequestsExpireAfterFifteenMinutes) {
  TestAccount alice = UserWithTwoDevices("alice@example.com");
  const PendingRequest unanswered = RequestLogin(alice, "device-2");
  PendingRequest unknown;
  EXPECT_EQ(PostWithDeviceType("/api/auth-requests", RequestBody(alice.email, "device-3", 0, unknown)).status, 400);
  TestAccount on_third = alice;
  keywarden::testing::LogIn(port(), on_third, "device-3");
  const PendingRequest to_approve = RequestLogin(alice, "device-3");
  auto user_key = SymmetricKey::Generate();
  ASSERT_TRUE(user_key.ok());
  ASSERT_EQ(Answer(alice, to_approve.id, true, ApprovalKey(to_approve, *user_key)).status, 200);

  fake_clock_.Advance(std::chrono::minutes(15) + std::chrono::seconds(1));
  Relogin(alice);
  EXPECT_EQ(ReadResponse(unanswered).status, 404);
  EXPECT_EQ(ReadResponse(to_approve).status, 404);
  EXPECT_TRUE(Send("GET", "/api/auth-requests/pending", "", alice.access_token).json()["data"].empty());
  EXPECT_EQ(Answer(alice, unanswered.id, false, "").status, 404);
  EXPECT_EQ(Answer(alice, unanswered.id, true, ApprovalKey(unanswered, *user_key)).status, 400);  // not pending
  EXPECT_EQ(AuthRequestGrant(alice, to_approve, "device-3").status, 400);
  // Still listed until the cleanup deletes them.
  EXPECT_EQ(Send("GET", "/api/auth-requests", "", alice.access_token).json()["data"].size(), 2u);
}

TEST_P(AuthRequestRoutesTest, TheCleanupDeletesExpiredRequestsOnly) {
  const TestAccount alice = UserWithTwoDevices("alice@example.com");
  const PendingRequest old_request = RequestLogin(alice, "device-2");
  fake_clock_.Advance(std::chrono::minutes(10));
  const PendingRequest fresh = RequestLogin(alice, "device-2");
  fake_clock_.Advance(std::chrono::minutes(6));  // the first is 16 minutes old, the second 6
  const TimeMs now =
      std::chrono::duration_cast<std::chrono::milliseconds>(fake_clock_.Now().time_since_epoch()).count();
  auto database = OpenServerDatabase(config_->database);
  ASSERT_TRUE(database.ok());
  ASSERT_TRUE((*database)
                  ->Transact([&](sql::Session& session) { return store::DeleteExpiredRows(session, now, 60'000); })
                  .ok());
  const nlohmann::json left = Send("GET", "/api/auth-requests", "", alice.access_token).json();
  ASSERT_EQ(left["data"].size(), 1u) << left.dump();
  EXPECT_EQ(left["data"][0]["id"], fresh.id);
  EXPECT_NE(fresh.id, old_request.id);
}

// requestDeviceType is the reference's display name of the Device-Type header's number, which
// the approving clients and `bw device-approval list` show as they get it.
TEST_P(AuthRequestRoutesTest, TheRequestingDeviceIsNamedAsTheReferenceNamesIt) {
  const TestAccount alice = UserWithTwoDevices("alice@example.com");
  const std::pair<const char*, const char*> names[] = {
      {"8", "Linux"}, {"6", "Windows"}, {"9", "Chrome"}, {"24", "MacOs CLI"}, {"26", "DuckDuckGo"}};
  for (const auto& [type, name] : names) {
    PendingRequest kept;
    const TestResponse made =
        PostWithDeviceType("/api/auth-requests", RequestBody(alice.email, "device-2", 0, kept), "", type);
    ASSERT_EQ(made.status, 200) << made.body;
    EXPECT_EQ(made.json()["requestDeviceType"], name) << type;
    EXPECT_EQ(made.json()["requestDeviceTypeValue"], std::stoi(type));
  }
}

TEST_P(AuthRequestRoutesTest, DeletingTheAccountDeletesItsRequests) {
  TestAccount alice = UserWithTwoDevices("alice@example.com");
  const PendingRequest request = RequestLogin(alice, "device-2");
  ASSERT_EQ(Post("/api/accounts/delete", {{"masterPasswordHash", alice.client_hash}}, alice.access_token).status, 200);
  EXPECT_EQ(ReadResponse(request).status, 404);
}

}  // namespace
}  // namespace keywarden::server::testing
