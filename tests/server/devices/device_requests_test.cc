// The trusted-device body parsers (server/devices/device_requests.h): field names in any case,
// each key of its kind, the reference's field paths in errors, ids canonical and listed once.
#include "server/devices/device_requests.h"

#include <gtest/gtest.h>

#include "keywarden/keys/trusted_device.h"
#include "server/api/field_error.h"

namespace keywarden::server::devices {
namespace {

class DeviceRequestsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto user_key = SymmetricKey::Generate();
    ASSERT_TRUE(user_key.ok());
    auto device = TrustDevice(*user_key);
    ASSERT_TRUE(device.ok());
    user_key_text_ = device->stored.encrypted_user_key.ToString();
    public_key_text_ = device->stored.encrypted_public_key.ToString();
    private_key_text_ = device->stored.encrypted_private_key.ToString();
  }

  static std::string FieldOf(const Status& status) {
    const auto error = api::AsFieldError(status);
    return error ? error->field : "(not a field error: " + status.message() + ")";
  }

  std::string user_key_text_, public_key_text_, private_key_text_;
};

TEST_F(DeviceRequestsTest, KeysAreReadInAnyCaseAndCheckedForTheirKind) {
  auto keys = ParseDeviceKeysRequest({{"EncryptedUserKey", user_key_text_},
                                      {"encryptedpublickey", public_key_text_},
                                      {"encryptedPrivateKey", private_key_text_}});
  ASSERT_TRUE(keys.ok()) << keys.status().message();
  EXPECT_EQ(keys->encrypted_user_key, user_key_text_);
  EXPECT_EQ(keys->encrypted_public_key, public_key_text_);
  EXPECT_EQ(keys->encrypted_private_key, private_key_text_);
  EXPECT_TRUE(keys->trusted());

  auto swapped = ParseDeviceKeysRequest({{"encryptedUserKey", public_key_text_},
                                         {"encryptedPublicKey", public_key_text_},
                                         {"encryptedPrivateKey", private_key_text_}});
  EXPECT_EQ(FieldOf(swapped.status()), "EncryptedUserKey");
  auto asymmetric_public = ParseDeviceKeysRequest({{"encryptedUserKey", user_key_text_},
                                                   {"encryptedPublicKey", user_key_text_},
                                                   {"encryptedPrivateKey", private_key_text_}});
  EXPECT_EQ(FieldOf(asymmetric_public.status()), "EncryptedPublicKey");
  auto missing =
      ParseDeviceKeysRequest({{"encryptedUserKey", user_key_text_}, {"encryptedPublicKey", public_key_text_}});
  EXPECT_EQ(FieldOf(missing.status()), "EncryptedPrivateKey");
  EXPECT_EQ(missing.status().message(), "EncryptedPrivateKey is required.");
}

TEST_F(DeviceRequestsTest, UpdateTrustNamesTheFieldAndRefusesADeviceListedTwice) {
  const nlohmann::json current = {{"encryptedPublicKey", public_key_text_}, {"encryptedUserKey", user_key_text_}};
  nlohmann::json other = current;
  other["deviceId"] = "8C1A42E6-1B3C-4A5E-9F00-0123456789AB";
  auto update = ParseUpdateTrustRequest({{"currentDevice", current}, {"otherDevices", {other}}});
  ASSERT_TRUE(update.ok()) << update.status().message();
  EXPECT_TRUE(update->current_device.device_id.empty());
  ASSERT_EQ(update->other_devices.size(), 1U);
  EXPECT_EQ(update->other_devices[0].device_id, "8c1a42e6-1b3c-4a5e-9f00-0123456789ab");
  EXPECT_TRUE(ParseUpdateTrustRequest({{"currentDevice", current}, {"otherDevices", nullptr}}).ok());

  EXPECT_EQ(FieldOf(ParseUpdateTrustRequest(nlohmann::json::object()).status()), "CurrentDevice");
  nlohmann::json bad_other = other;
  bad_other["deviceId"] = "nope";
  EXPECT_EQ(
      FieldOf(ParseUpdateTrustRequest({{"currentDevice", current}, {"otherDevices", {other, bad_other}}}).status()),
      "OtherDevices[1].DeviceId");
  nlohmann::json lower = other;
  lower["deviceId"] = "8c1a42e6-1b3c-4a5e-9f00-0123456789ab";
  EXPECT_EQ(FieldOf(ParseUpdateTrustRequest({{"currentDevice", current}, {"otherDevices", {other, lower}}}).status()),
            "OtherDevices[1].DeviceId");
  EXPECT_EQ(FieldOf(ParseUpdateTrustRequest({{"currentDevice", current}, {"otherDevices", "x"}}).status()),
            "OtherDevices");
}

TEST_F(DeviceRequestsTest, UntrustIdsAreCanonicalAndListedOnce) {
  auto ids = ParseUntrustRequest(
      {{"Devices", {"8C1A42E6-1B3C-4A5E-9F00-0123456789AB", "8c1a42e6-1b3c-4a5e-9f00-0123456789ab"}}});
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, std::vector<std::string>{"8c1a42e6-1b3c-4a5e-9f00-0123456789ab"});
  EXPECT_EQ(FieldOf(ParseUntrustRequest(nlohmann::json::object()).status()), "Devices");
  EXPECT_EQ(FieldOf(ParseUntrustRequest({{"devices", {1}}}).status()), "Devices[0]");
  EXPECT_EQ(FieldOf(ParseUntrustRequest({{"devices", "x"}}).status()), "Devices");
}

}  // namespace
}  // namespace keywarden::server::devices
