// Trusted devices over HTTP (server/devices/device_trust_routes.h, server/accounts/device_routes.h),
// with keys made by libkeywarden as the clients make them: trusting a device, reading its keys
// back and unlocking the user key with them, untrusting, re-wrapping after a new user key,
// removing a device, and every refusal (malformed keys, unknown identifiers, another user's
// devices, a wrong secret). On SQLite and on PostgreSQL.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "keywarden/keys/trusted_device.h"
#include "server/server_fixture.h"
#include "server/store/devices.h"
#include "server/store/server_database.h"

namespace keywarden::server::testing {
namespace {

using keywarden::testing::SendRefreshGrant;

nlohmann::json KeysBody(const TrustedDeviceKeys& keys) {
  return {{"encryptedUserKey", keys.encrypted_user_key.ToString()},
          {"encryptedPublicKey", keys.encrypted_public_key.ToString()},
          {"encryptedPrivateKey", keys.encrypted_private_key.ToString()}};
}

class DeviceTrustTest : public ServerTestOnEachDatabase {
 protected:
  void SetUp() override {
    StartServer();
    if (IsSkipped() || HasFatalFailure()) return;
    auto key = SymmetricKey::Generate();
    ASSERT_TRUE(key.ok());
    user_key_ = *std::move(key);
  }

  // Logs `account` in from `device` and returns that session's access token.
  std::string LogInFrom(const TestAccount& account, const std::string& device) {
    const TestResponse login = PasswordGrant(account, device);
    EXPECT_EQ(login.status, 200) << login.body;
    return login.json().value("access_token", "");
  }

  // Makes device keys for `user_key` and stores them for `identifier`; returns the device's side.
  NewTrustedDevice Trust(const TestAccount& account, const std::string& identifier, const SymmetricKey& user_key) {
    auto device = TrustDevice(user_key);
    EXPECT_TRUE(device.ok());
    const TestResponse put =
        Send("PUT", "/api/devices/" + identifier + "/keys", KeysBody(device->stored).dump(), account.access_token);
    EXPECT_EQ(put.status, 200) << put.body;
    return *std::move(device);
  }

  nlohmann::json Device(const TestAccount& account, const std::string& identifier) {
    const TestResponse got = Send("GET", "/api/devices/identifier/" + identifier, "", account.access_token);
    EXPECT_EQ(got.status, 200) << got.body;
    return got.json();
  }

  // The keys a login from `identifier` would get back (store::TrustedDeviceKeys), read from the
  // server's database as the token endpoint reads them.
  std::optional<store::DeviceKeys> StoredKeys(const TestAccount& account, const std::string& identifier) {
    auto database = OpenServerDatabase(config_->database);
    EXPECT_TRUE(database.ok()) << database.status().ToString();
    std::optional<store::DeviceKeys> keys;
    const Status read = (*database)->Read([&](sql::Session& session) -> Status {
      KW_ASSIGN_OR_RETURN(keys, store::TrustedDeviceKeys(session, account.id, identifier));
      return OkStatus();
    });
    EXPECT_TRUE(read.ok()) << read.ToString();
    return keys;
  }

  // Whether the stored keys of `identifier` unlock to `expected` with `device_key`.
  bool Unlocks(const TestAccount& account, const std::string& identifier, const SymmetricKey& device_key,
               const SymmetricKey& expected) {
    const auto keys = StoredKeys(account, identifier);
    if (!keys) return false;
    auto private_key = EncString::Parse(keys->encrypted_private_key);
    auto user_key = AsymmetricEncString::Parse(keys->encrypted_user_key);
    if (!private_key.ok() || !user_key.ok()) return false;
    auto unlocked = UnlockTrustedDevice(device_key, *private_key, *user_key);
    return unlocked.ok() && unlocked->bytes().span().size() == expected.bytes().span().size() &&
           std::equal(unlocked->bytes().span().begin(), unlocked->bytes().span().end(),
                      expected.bytes().span().begin());
  }

  std::optional<SymmetricKey> user_key_;
};
KW_SERVER_TEST_ON_EACH_DATABASE(DeviceTrustTest);

TEST_P(DeviceTrustTest, ATrustedDevicesKeysComeBackAndUnlockTheUserKey) {
  const TestAccount alice = NewUser("alice@example.com");
  EXPECT_FALSE(Device(alice, "device-1")["isTrusted"].get<bool>());
  EXPECT_FALSE(StoredKeys(alice, "device-1").has_value());

  auto made = TrustDevice(*user_key_);
  ASSERT_TRUE(made.ok());
  const TestResponse put = Send("PUT", "/api/devices/device-1/keys", KeysBody(made->stored).dump(), alice.access_token);
  ASSERT_EQ(put.status, 200) << put.body;
  const nlohmann::json device = put.json();
  EXPECT_EQ(device["object"], "device");
  EXPECT_EQ(device["identifier"], "device-1");
  EXPECT_TRUE(device["isTrusted"].get<bool>());
  EXPECT_EQ(device["encryptedUserKey"], made->stored.encrypted_user_key.ToString());
  EXPECT_EQ(device["encryptedPublicKey"], made->stored.encrypted_public_key.ToString());
  EXPECT_FALSE(device.contains("encryptedPrivateKey"));  // only a login from the device gets it

  EXPECT_EQ(Device(alice, "device-1"), device);
  const TestResponse by_id = Send("GET", "/api/devices/" + device["id"].get<std::string>(), "", alice.access_token);
  ASSERT_EQ(by_id.status, 200) << by_id.body;
  EXPECT_TRUE(by_id.json()["isTrusted"].get<bool>());
  const TestResponse list = Send("GET", "/api/devices", "", alice.access_token);
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.json()["data"].size(), 1U);
  EXPECT_TRUE(list.json()["data"][0]["isTrusted"].get<bool>());

  const TestResponse retrieved =
      Post("/api/devices/device-1/retrieve-keys", nlohmann::json::object(), alice.access_token);
  ASSERT_EQ(retrieved.status, 200) << retrieved.body;
  const nlohmann::json protected_device = retrieved.json();
  EXPECT_EQ(protected_device["object"], "protectedDevice");
  EXPECT_EQ(protected_device["encryptedUserKey"], made->stored.encrypted_user_key.ToString());
  EXPECT_EQ(protected_device["encryptedPublicKey"], made->stored.encrypted_public_key.ToString());
  EXPECT_EQ(protected_device["id"], device["id"]);

  EXPECT_TRUE(Unlocks(alice, "device-1", made->device_key, *user_key_));

  // The older POST path replaces them the same way.
  const NewTrustedDevice again = [&] {
    auto second = TrustDevice(*user_key_);
    EXPECT_TRUE(second.ok());
    return *std::move(second);
  }();
  ASSERT_EQ(Post("/api/devices/device-1/keys", KeysBody(again.stored), alice.access_token).status, 200);
  EXPECT_TRUE(Unlocks(alice, "device-1", again.device_key, *user_key_));
  EXPECT_FALSE(Unlocks(alice, "device-1", made->device_key, *user_key_));
}

TEST_P(DeviceTrustTest, MalformedKeysAreRefusedNamingTheField) {
  const TestAccount alice = NewUser("alice@example.com");
  auto made = TrustDevice(*user_key_);
  ASSERT_TRUE(made.ok());
  const nlohmann::json good = KeysBody(made->stored);
  const auto refused = [&](nlohmann::json body, const std::string& field) {
    const TestResponse put = Send("PUT", "/api/devices/device-1/keys", body.dump(), alice.access_token);
    EXPECT_EQ(put.status, 400) << body.dump();
    EXPECT_EQ(put.json()["message"], "The model state is invalid.") << put.body;
    EXPECT_TRUE(put.json()["validationErrors"].contains(field)) << put.body;
  };
  for (const char* field : {"encryptedUserKey", "encryptedPublicKey", "encryptedPrivateKey"}) {
    nlohmann::json missing = good;
    missing.erase(field);
    std::string name = field;
    name[0] = 'E';
    refused(missing, name);
    nlohmann::json null = good;
    null[field] = nullptr;
    refused(null, name);
    nlohmann::json garbage = good;
    garbage[field] = "2.not|an|encstring";
    refused(garbage, name);
  }
  // Each key must be of its kind: the user key is encapsulated to the device's RSA key, the
  // others are wrapped symmetrically.
  nlohmann::json swapped = good;
  swapped["encryptedUserKey"] = good["encryptedPublicKey"];
  refused(swapped, "EncryptedUserKey");
  swapped = good;
  swapped["encryptedPrivateKey"] = good["encryptedUserKey"];
  refused(swapped, "EncryptedPrivateKey");
  EXPECT_EQ(Send("PUT", "/api/devices/device-1/keys", "not json", alice.access_token).status, 400);
  // Checked before the device is looked up, as the reference's model binding.
  nlohmann::json bad = good;
  bad["encryptedUserKey"] = 7;
  EXPECT_EQ(Send("PUT", "/api/devices/unknown/keys", bad.dump(), alice.access_token).status, 400);
  EXPECT_FALSE(Device(alice, "device-1")["isTrusted"].get<bool>());
}

TEST_P(DeviceTrustTest, AnotherUsersDevicesAndUnknownOnesAreNotFound) {
  const TestAccount alice = NewUser("alice@example.com");
  TestAccount bob = Register("bob@example.com");
  keywarden::testing::LogIn(port(), bob, "bobs-phone");
  Trust(bob, "bobs-phone", *user_key_);
  const std::string bobs_id = Device(bob, "bobs-phone")["id"];
  auto made = TrustDevice(*user_key_);
  ASSERT_TRUE(made.ok());
  const std::string keys = KeysBody(made->stored).dump();

  for (const std::string& identifier : {std::string("bobs-phone"), std::string("unknown")}) {
    EXPECT_EQ(Send("PUT", "/api/devices/" + identifier + "/keys", keys, alice.access_token).status, 404);
    EXPECT_EQ(
        Post("/api/devices/" + identifier + "/retrieve-keys", nlohmann::json::object(), alice.access_token).status,
        404);
    EXPECT_EQ(Send("GET", "/api/devices/identifier/" + identifier, "", alice.access_token).status, 404);
  }
  EXPECT_EQ(Send("GET", "/api/devices/" + bobs_id, "", alice.access_token).status, 404);
  EXPECT_EQ(Send("DELETE", "/api/devices/" + bobs_id, "", alice.access_token).status, 404);
  EXPECT_EQ(Post("/api/devices/" + bobs_id + "/deactivate", nlohmann::json::object(), alice.access_token).status, 404);
  EXPECT_EQ(Post("/api/devices/untrust", {{"devices", {bobs_id}}}, alice.access_token).status, 404);
  EXPECT_EQ(Send("GET", "/api/devices/not-a-guid", "", alice.access_token).status, 404);
  EXPECT_EQ(Send("DELETE", "/api/devices/not-a-guid", "", alice.access_token).status, 404);
  // Bob's device is as it was.
  const nlohmann::json bobs = Device(bob, "bobs-phone");
  EXPECT_TRUE(bobs["isTrusted"].get<bool>());
  EXPECT_EQ(Send("GET", "/api/devices", "", bob.access_token).json()["data"].size(), 1U);
  // And without a token, nothing at all.
  EXPECT_EQ(Send("PUT", "/api/devices/bobs-phone/keys", keys).status, 401);
}

TEST_P(DeviceTrustTest, UntrustClearsTheListedDevicesAllOrNothing) {
  const TestAccount alice = NewUser("alice@example.com");
  LogInFrom(alice, "device-2");
  const NewTrustedDevice first = Trust(alice, "device-1", *user_key_);
  Trust(alice, "device-2", *user_key_);
  const std::string first_id = Device(alice, "device-1")["id"];
  const std::string second_id = Device(alice, "device-2")["id"];

  // An id that is not the caller's, or not an id: nothing changes.
  EXPECT_EQ(Post("/api/devices/untrust", {{"devices", {second_id, "8b3c0f7e-0000-4000-8000-000000000001"}}},
                 alice.access_token)
                .status,
            404);
  const TestResponse malformed = Post("/api/devices/untrust", {{"devices", {"nope"}}}, alice.access_token);
  EXPECT_EQ(malformed.status, 400);
  EXPECT_TRUE(malformed.json()["validationErrors"].contains("Devices[0]")) << malformed.body;
  EXPECT_EQ(Post("/api/devices/untrust", nlohmann::json::object(), alice.access_token).status, 400);
  EXPECT_TRUE(Device(alice, "device-2")["isTrusted"].get<bool>());

  ASSERT_EQ(Post("/api/devices/untrust", {{"devices", {second_id}}}, alice.access_token).status, 200);
  const nlohmann::json second = Device(alice, "device-2");
  EXPECT_FALSE(second["isTrusted"].get<bool>());
  EXPECT_TRUE(second["encryptedUserKey"].is_null());
  const TestResponse retrieved =
      Post("/api/devices/device-2/retrieve-keys", nlohmann::json::object(), alice.access_token);
  ASSERT_EQ(retrieved.status, 200);
  EXPECT_TRUE(retrieved.json()["encryptedUserKey"].is_null());
  EXPECT_TRUE(retrieved.json()["encryptedPublicKey"].is_null());
  EXPECT_FALSE(StoredKeys(alice, "device-2").has_value());
  // The other device is still trusted and still unlocks.
  EXPECT_TRUE(Unlocks(alice, "device-1", first.device_key, *user_key_));
  EXPECT_EQ(Post("/api/devices/untrust", {{"devices", nlohmann::json::array()}}, alice.access_token).status, 200);
  (void)first_id;
}

TEST_P(DeviceTrustTest, UpdateTrustRewrapsTheListedDevicesAndUntrustsTheRest) {
  const TestAccount alice = NewUser("alice@example.com");  // device-1: the current device
  for (const char* device : {"device-2", "device-3", "device-4"}) LogInFrom(alice, device);
  const NewTrustedDevice d1 = Trust(alice, "device-1", *user_key_);
  const NewTrustedDevice d2 = Trust(alice, "device-2", *user_key_);
  Trust(alice, "device-3", *user_key_);
  const std::string d2_id = Device(alice, "device-2")["id"];
  const std::string d1_id = Device(alice, "device-1")["id"];

  auto new_key = SymmetricKey::Generate();
  ASSERT_TRUE(new_key.ok());
  auto d1_new = RewrapTrustedDevice(*user_key_, *new_key, d1.stored);
  auto d2_new = RewrapTrustedDevice(*user_key_, *new_key, d2.stored);
  ASSERT_TRUE(d1_new.ok() && d2_new.ok());
  const auto rewrapped = [](const TrustedDeviceKeys& keys) {
    return nlohmann::json{{"encryptedPublicKey", keys.encrypted_public_key.ToString()},
                          {"encryptedUserKey", keys.encrypted_user_key.ToString()}};
  };
  nlohmann::json body = {{"masterPasswordHash", alice.client_hash}, {"currentDevice", rewrapped(*d1_new)}};
  nlohmann::json other = rewrapped(*d2_new);
  other["deviceId"] = d2_id;
  body["otherDevices"] = nlohmann::json::array({other});

  // Refusals first, each leaving every device as it was.
  nlohmann::json wrong = body;
  wrong["masterPasswordHash"] = ClientHash(alice.email, "not the password");
  const TestResponse unverified = Post("/api/devices/update-trust", wrong, alice.access_token);
  EXPECT_EQ(unverified.status, 400);
  EXPECT_EQ(unverified.json()["message"], "User verification failed.");
  nlohmann::json no_secret = body;
  no_secret.erase("masterPasswordHash");
  EXPECT_EQ(Post("/api/devices/update-trust", no_secret, alice.access_token).json()["message"],
            "MasterPasswordHash, OTP, or AccessCode must be supplied.");
  nlohmann::json listed_current = body;
  nlohmann::json current_as_other = rewrapped(*d1_new);
  current_as_other["deviceId"] = d1_id;
  listed_current["otherDevices"].push_back(current_as_other);
  const TestResponse optional = Post("/api/devices/update-trust", listed_current, alice.access_token);
  EXPECT_EQ(optional.status, 400);
  EXPECT_EQ(optional.json()["message"], "Current device can not be an optional rotation.");
  nlohmann::json malformed = body;
  malformed["currentDevice"]["encryptedUserKey"] = d1_new->encrypted_public_key.ToString();
  const TestResponse bad = Post("/api/devices/update-trust", malformed, alice.access_token);
  EXPECT_EQ(bad.status, 400);
  EXPECT_TRUE(bad.json()["validationErrors"].contains("CurrentDevice.EncryptedUserKey")) << bad.body;
  nlohmann::json twice = body;
  twice["otherDevices"].push_back(other);
  EXPECT_EQ(Post("/api/devices/update-trust", twice, alice.access_token).status, 400);
  EXPECT_TRUE(Unlocks(alice, "device-1", d1.device_key, *user_key_));
  EXPECT_TRUE(Device(alice, "device-3")["isTrusted"].get<bool>());

  // The current device is the access token's, whatever the Device-Identifier header says.
  const TestResponse updated = keywarden::testing::SendRequest(port(), "POST", "/api/devices/update-trust",
                                                               {{"Content-Type", "application/json"},
                                                                {"Authorization", "Bearer " + alice.access_token},
                                                                {"Device-Identifier", "device-3"}},
                                                               body.dump());
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_TRUE(Unlocks(alice, "device-1", d1.device_key, *new_key));  // its private key was kept
  EXPECT_TRUE(Unlocks(alice, "device-2", d2.device_key, *new_key));
  EXPECT_FALSE(Device(alice, "device-3")["isTrusted"].get<bool>());  // trusted, not listed: untrusted
  EXPECT_FALSE(Device(alice, "device-4")["isTrusted"].get<bool>());  // never trusted: left alone
}

TEST_P(DeviceTrustTest, LostTrustIsOnlyReported) {
  const TestAccount alice = NewUser("alice@example.com");
  Trust(alice, "device-1", *user_key_);
  EXPECT_EQ(Post("/api/devices/lost-trust", nlohmann::json::object(), alice.access_token).status, 200);
  const TestResponse with_type =
      keywarden::testing::SendRequest(port(), "POST", "/api/devices/lost-trust",
                                      {{"Authorization", "Bearer " + alice.access_token}, {"Device-Type", "9"}}, "");
  EXPECT_EQ(with_type.status, 200) << with_type.body;
  EXPECT_TRUE(Device(alice, "device-1")["isTrusted"].get<bool>());
  EXPECT_EQ(Post("/api/devices/lost-trust", nlohmann::json::object()).status, 401);
}

TEST_P(DeviceTrustTest, ARemovedDeviceLeavesTheListLosesItsKeysAndItsSession) {
  TestAccount alice = Register("alice@example.com");
  keywarden::testing::LogIn(port(), alice, "device-1");
  const TestResponse second_login = PasswordGrant(alice, "device-2");
  ASSERT_EQ(second_login.status, 200);
  const std::string second_refresh = second_login.json()["refresh_token"];
  Trust(alice, "device-2", *user_key_);
  const std::string second_id = Device(alice, "device-2")["id"];

  ASSERT_EQ(Send("DELETE", "/api/devices/" + second_id, "", alice.access_token).status, 200);
  const nlohmann::json list = Send("GET", "/api/devices", "", alice.access_token).json();
  ASSERT_EQ(list["data"].size(), 1U);
  EXPECT_EQ(list["data"][0]["identifier"], "device-1");
  // Still found by id and identifier, as in the reference, without keys.
  const TestResponse removed = Send("GET", "/api/devices/" + second_id, "", alice.access_token);
  ASSERT_EQ(removed.status, 200);
  EXPECT_FALSE(removed.json()["isTrusted"].get<bool>());
  EXPECT_TRUE(Post("/api/devices/device-2/retrieve-keys", nlohmann::json::object(), alice.access_token)
                  .json()["encryptedUserKey"]
                  .is_null());
  EXPECT_FALSE(StoredKeys(alice, "device-2").has_value());
  // Its session ends at its next refresh; the other device's goes on.
  EXPECT_EQ(SendRefreshGrant(port(), second_refresh).status, 400);
  EXPECT_EQ(SendRefreshGrant(port(), alice.refresh_token).status, 200);
  // Removing it again, or by the older path, changes nothing.
  EXPECT_EQ(Post("/api/devices/" + second_id + "/deactivate", nlohmann::json::object(), alice.access_token).status,
            200);
  EXPECT_EQ(Send("GET", "/api/devices", "", alice.access_token).json()["data"].size(), 1U);
}

// What the token endpoint reads for TrustedDeviceOption.HasLoginApprovingDevice: another device
// of a kind that can approve (not a CLI), removed or not.
TEST_P(DeviceTrustTest, ALoginApprovingDeviceIsAnotherNonCliDevice) {
  const TestAccount alice = NewUser("alice@example.com");  // device-1, the CLI (25)
  LogInFrom(alice, "cli-2");
  const auto approving = [&](const std::string& current) {
    auto database = OpenServerDatabase(config_->database);
    EXPECT_TRUE(database.ok());
    bool has = false;
    EXPECT_TRUE((*database)
                    ->Read([&](sql::Session& session) -> Status {
                      KW_ASSIGN_OR_RETURN(has, store::HasLoginApprovingDevice(session, alice.id, current));
                      return OkStatus();
                    })
                    .ok());
    return has;
  };
  EXPECT_FALSE(approving("device-1"));
  const TestResponse browser = Token({{"grant_type", "password"},
                                      {"username", alice.email},
                                      {"password", alice.client_hash},
                                      {"scope", "api offline_access"},
                                      {"client_id", "web"},
                                      {"deviceType", "9"},
                                      {"deviceIdentifier", "chrome-1"},
                                      {"deviceName", "chrome"}});
  ASSERT_EQ(browser.status, 200) << browser.body;
  EXPECT_TRUE(approving("device-1"));
  EXPECT_FALSE(approving("chrome-1"));  // itself does not count
  const std::string chrome_id = Device(alice, "chrome-1")["id"];
  ASSERT_EQ(Send("DELETE", "/api/devices/" + chrome_id, "", alice.access_token).status, 200);
  EXPECT_TRUE(approving("device-1"));  // removed devices count, as in the reference
}

}  // namespace
}  // namespace keywarden::server::testing
